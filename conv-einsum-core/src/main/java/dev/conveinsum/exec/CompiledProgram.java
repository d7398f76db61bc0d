package dev.conveinsum.exec;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The executor behind {@link dev.conveinsum.CompiledPlan}: an expression compiled for one set of
 * shapes and one path, immutable, thread-safe, and meant to be reused (layers call the same contraction every forward pass).
 *
 * <p>Forward: operands are prepared (diagonals, broadcasts, self-sums), then every pairwise step
 * of the path runs as one kernel call of the {@link Engine} plus the data movement it needs.
 * Backward: reverse-mode through the same instructions; each data movement's transpose is
 * another data movement, and each kernel's gradient is two more kernel calls (the output
 * gradient convolved with the other operand at negated positions). Backpropagating through the
 * forward tree step by step, rather than planning each operand's gradient expression afresh,
 * reuses every forward intermediate and costs about twice the forward FLOPs, as SPEC section 4's
 * training cost assumes.
 *
 * <p>Intermediates are recycled: a buffer freed by one instruction serves the next one of the
 * same size, in this call or the next ({@link Workspace}, soft references), so a warm plan
 * allocates little more than its result.
 */
public final class CompiledProgram {
  private final BoundExpression bound;
  private final int[][] path;
  private final boolean[] trainable;
  private final Lowering.Compiled forward;
  private final Lowering.Compiled training;
  private final Workspace workspace = new Workspace();

  private final java.util.concurrent.ConcurrentHashMap<String, Long> peaks =
      new java.util.concurrent.ConcurrentHashMap<>();

  private CompiledProgram(BoundExpression bound, int[][] path, boolean[] trainable) {
    this.bound = bound;
    this.path = copy(path);
    this.trainable = trainable.clone();
    checkFits(bound, this.path);
    try {
      this.forward = Lowering.compile(bound, this.path, null);
      this.training = Lowering.compile(bound, this.path, this.trainable);
    } catch (ArithmeticException e) {
      throw new ConvEinsumException("the compiled plan of \"" + bound.expression().source()
          + "\" does not fit: a buffer or index of its steps is over " + Integer.MAX_VALUE
          + " elements; use smaller operands or a path with smaller intermediates");
    }
  }

  /**
   * Refuses, before anything is allocated, a plan whose operands, output or intermediates hold
   * more elements than one tensor can ({@link Tensor#MAX_ELEMENTS}).
   */
  private static void checkFits(BoundExpression bound, int[][] path) {
    for (int k = 0; k < bound.operandCount(); k++) {
      long n = Tensor.elementCount(bound.shape(k));
      if (n > Tensor.MAX_ELEMENTS) {
        throw new ConvEinsumException("operand " + k + " of shape "
            + Arrays.toString(bound.shape(k)) + " does not fit: " + n + " elements, a tensor"
            + " holds at most " + Tensor.MAX_ELEMENTS + "; use smaller operands");
      }
    }
    long out = Tensor.elementCount(bound.outputShape());
    if (out > Tensor.MAX_ELEMENTS) {
      throw new ConvEinsumException("the output of shape " + Arrays.toString(bound.outputShape())
          + " does not fit: " + out + " elements, a tensor holds at most " + Tensor.MAX_ELEMENTS
          + "; use smaller operands");
    }
    // The compiled steps hold index tables along every axis of every tensor: normally far
    // smaller than the tensors, but not for empty ones (a zero dimension beside a huge one).
    long axes = 0;
    for (int k = 0; k < bound.operandCount(); k++) {
      for (long d : bound.shape(k)) {
        axes = dev.conveinsum.cost.CostMath.add(axes, d);
      }
    }
    long perTensor = 0;
    for (int id = 0; id < bound.indexCount(); id++) {
      perTensor = dev.conveinsum.cost.CostMath.add(perTensor, bound.isConv(id)
          ? Math.max(bound.geometry(id).fullLength(), bound.geometry(id).cropLength())
          : bound.size(id));
    }
    axes = dev.conveinsum.cost.CostMath.add(axes,
        dev.conveinsum.cost.CostMath.multiply(perTensor, 2L * (path.length + 1)));
    long tableBytes = dev.conveinsum.cost.CostMath.multiply(axes, 8);
    long heap = java.lang.Runtime.getRuntime().maxMemory();
    if (tableBytes > heap / 2) {
      throw new ConvEinsumException(String.format(Locale.ROOT, "the compiled plan of %s does not"
          + " fit the heap: the index tables along its axes (the longest has %d positions)"
          + " need about %.1f MiB and the JVM's maximum heap is %.1f MiB; use smaller dimensions"
          + " or less padding",
          bound.expression().source().length() <= 60 ? "\"" + bound.expression().source() + "\""
              : "the expression", maxDimension(bound), tableBytes / 1048576.0,
          heap / 1048576.0));
    }
    dev.conveinsum.cost.PathCost cost = new dev.conveinsum.cost.CostModel(bound)
        .evaluate(Arrays.asList(path));
    for (int i = 0; i < cost.steps().size(); i++) {
      long size = cost.steps().get(i).resultSize();
      if (size > Tensor.MAX_ELEMENTS) {
        throw new ConvEinsumException("step " + i + " of the path writes an intermediate of "
            + dev.conveinsum.cost.CostMath.format(size) + " elements, which does not fit: a"
            + " tensor holds at most " + Tensor.MAX_ELEMENTS + "; use a path with smaller"
            + " intermediates (a memory limit) or smaller operands");
      }
    }
  }

  /** The longest axis of any tensor of the plan: operand dimensions, convolution spans. */
  private static long maxDimension(BoundExpression bound) {
    long m = 0;
    for (int k = 0; k < bound.operandCount(); k++) {
      for (long d : bound.shape(k)) {
        m = Math.max(m, d);
      }
    }
    for (int id = 0; id < bound.indexCount(); id++) {
      if (bound.isConv(id)) {
        m = Math.max(m, Math.max(bound.geometry(id).fullLength(),
            bound.geometry(id).cropLength()));
      }
    }
    return m;
  }

  /**
   * Refuses a run whose predicted peak (a dry run of the same schedule, cached per plan) is more
   * than the JVM's maximum heap: it could never complete, so it fails before allocating.
   */
  private void checkHeap(DType dtype, boolean backward, Checkpoint checkpoint) {
    long peak = peaks.computeIfAbsent(dtype + "/" + backward + "/" + checkpoint,
        k -> predictPeakBytes(dtype, backward, checkpoint));
    long heap = java.lang.Runtime.getRuntime().maxMemory();
    if (peak > heap) {
      throw new ConvEinsumException(String.format(Locale.ROOT, "this run does not fit the heap:"
          + " it needs about %.1f MiB at its peak (operands, intermediates%s, predicted from the"
          + " plan) and the JVM's maximum heap is %.1f MiB; raise -Xmx or use smaller operands",
          peak / 1048576.0, backward ? " and gradients" : "", heap / 1048576.0));
    }
  }

  /**
   * Compiles an expression for a plan's path (what the facade calls).
   *
   * @param bound the expression bound to shapes and options
   * @param path the plan's path
   * @param trainable which operands need gradients; null means all
   * @return the compiled program
   */
  public static CompiledProgram compile(BoundExpression bound, Path path, boolean[] trainable) {
    ConvEinsumException.requireNonNull(path, "the path");
    return compile(bound, path.pairs().toArray(int[][]::new), trainable);
  }

  /**
   * Compiles an expression for a path.
   *
   * @param bound the expression bound to shapes and options
   * @param path pairwise steps in opt_einsum notation
   * @param trainable which operands need gradients in {@link #execute(List, Tensor, RunOptions)};
   *     null means all
   * @return the compiled plan
   */
  public static CompiledProgram compile(BoundExpression bound, int[][] path, boolean[] trainable) {
    ConvEinsumException.requireNonNull(bound, "the bound expression");
    ConvEinsumException.requireNonNull(path, "the path");
    for (int i = 0; i < path.length; i++) {
      ConvEinsumException.requireNonNull(path[i], "step " + i + " of the path");
    }
    boolean[] t = trainable;
    if (t == null) {
      t = new boolean[bound.operandCount()];
      Arrays.fill(t, true);
    }
    if (t.length != bound.operandCount()) {
      throw new ConvEinsumException("trainable flags for " + t.length + " operands; the"
          + " expression has " + bound.operandCount());
    }
    return new CompiledProgram(bound, path, t);
  }

  /** Returns the bound expression. */
  public BoundExpression bound() {
    return bound;
  }

  /** Returns a copy of the path. */
  public int[][] path() {
    return copy(path);
  }

  /**
   * Evaluates the expression; with {@code gradOutput}, also the gradient of
   * {@code <gradOutput, result>} for every trainable operand.
   *
   * @param operands one tensor per operand, of the compiled shapes
   * @param gradOutput null for forward only, else a tensor of the output's shape
   * @param options engine, threads, checkpointing
   * @return result, gradients and measured peak memory
   */
  public Execution execute(List<Tensor> operands, Tensor gradOutput, RunOptions options) {
    ConvEinsumException.requireNonNull(options, "the run options");
    checkOperands(operands);
    DType dtype = resultType(operands);
    if (gradOutput != null && !Arrays.equals(gradOutput.shape(), bound.outputShape())) {
      throw new ConvEinsumException("the output gradient has shape "
          + Arrays.toString(gradOutput.shape()) + " but the output has shape "
          + Arrays.toString(bound.outputShape()));
    }
    checkHeap(dtype, gradOutput != null, options.checkpoint());
    Lowering.Compiled c = gradOutput == null ? forward : training;
    Program p = c.program();
    Runtime.Stats stats = new Runtime.Stats();
    if (options.profile()) {
      stats.profile = new java.util.IdentityHashMap<>();
    }
    Runtime rt = new Runtime(p.layouts.size(), dtype, options.engine(), options.threads(), stats,
        workspace);
    Object[] leaves = new Object[operands.size()];
    for (int k = 0; k < operands.size(); k++) {
      Tensor t = operands.get(k).to(dtype);
      leaves[k] = dtype == DType.FLOAT64 ? t.doubleData() : t.floatData();
    }
    Object grad = null;
    if (gradOutput != null) {
      Tensor g = gradOutput.to(dtype);
      grad = dtype == DType.FLOAT64 ? g.doubleData() : g.floatData();
    }
    schedule(c, rt, leaves, grad, options.checkpoint());
    // What the caller gets must be its own: a result or gradient that is an operand's array,
    // the output gradient's, or another returned tensor's (an instruction that only renames, as
    // in "ab->ab") is copied.
    List<Object> taken = new ArrayList<>(Arrays.asList(leaves));
    if (grad != null) {
      taken.add(grad);
    }
    Object out = unshared(rt.get(p.outputSlot), taken);
    Tensor output = tensor(out, bound.outputShape());
    Map<String, Long> profile = profile(p, stats, options);
    if (gradOutput == null) {
      return new Execution(output, null, stats.peakBytes, stats.flops, profile);
    }
    List<Tensor> grads = new ArrayList<>();
    for (int k = 0; k < operands.size(); k++) {
      int s = c.gradSlots()[k];
      if (!trainable[k]) {
        grads.add(null);
      } else if (s < 0) {
        grads.add(Tensor.zeros(operands.get(k).dtype(), operands.get(k).shape()));
      } else {
        grads.add(tensor(unshared(rt.get(s), taken), operands.get(k).shape())
            .to(operands.get(k).dtype()));
      }
    }
    return new Execution(output, grads, stats.peakBytes, stats.flops, profile);
  }

  /**
   * Returns {@code buffer}, or a copy of it when it is one of {@code taken} (identity); then
   * adds what it returns to {@code taken}.
   */
  private static Object unshared(Object buffer, List<Object> taken) {
    Object b = buffer;
    for (Object t : taken) {
      if (t == buffer) {
        b = buffer instanceof double[] d ? d.clone() : ((float[]) buffer).clone();
        break;
      }
    }
    taken.add(b);
    return b;
  }

  /** The profile in program order, keyed "#index label" so equal-looking steps stay apart. */
  private static Map<String, Long> profile(Program p, Runtime.Stats stats, RunOptions options) {
    if (stats.profile == null) {
      return null;
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < p.ops.size(); i++) {
      Long ns = stats.profile.get(p.ops.get(i));
      if (ns != null) {
        out.put(String.format(Locale.ROOT, "#%d %s", i,
            Runtime.label(p.ops.get(i), options.engine(), options.threads())), ns);
      }
    }
    return out;
  }

  /**
   * Describes, without running anything, every kernel instruction of the forward program (or of
   * the training program: forward then backward) in program order, keyed like the profile of
   * {@link #execute}: "#index" then the step's sizes and layout, and after " :: " what the run
   * options' engine will run for it (algorithm, GEMM layout and transposes).
   *
   * @param backward describe the training program instead of the forward one
   * @param options the engine and thread count the plan would run with
   * @return one line per kernel instruction
   */
  public List<String> describe(boolean backward, RunOptions options) {
    ConvEinsumException.requireNonNull(options, "the run options");
    Program p = (backward ? training : forward).program();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < p.ops.size(); i++) {
      Op op = p.ops.get(i);
      if (Runtime.isKernel(op)) {
        out.add(String.format(Locale.ROOT, "#%d %s", i,
            Runtime.label(op, options.engine(), options.threads())));
      }
    }
    return out;
  }

  /**
   * Predicts the peak bytes an execution holds, by running the same schedule without data.
   *
   * @param dtype the element type of the execution
   * @param backward whether the call computes gradients too
   * @param checkpoint what the backward pass keeps
   * @return predicted peak bytes of operands, intermediates and gradients
   */
  public long predictPeakBytes(DType dtype, boolean backward, Checkpoint checkpoint) {
    Lowering.Compiled c = backward ? training : forward;
    Program p = c.program();
    Runtime.Stats stats = new Runtime.Stats();
    Runtime rt = Runtime.dry(p.layouts.size(), dtype, stats);
    Object[] leaves = new Object[bound.operandCount()];
    for (int k = 0; k < leaves.length; k++) {
      leaves[k] = new Buffers.Token(Tensor.elementCount(bound.shape(k)));
    }
    Object grad = backward ? new Buffers.Token(Tensor.elementCount(bound.outputShape())) : null;
    schedule(c, rt, leaves, grad, checkpoint);
    return stats.peakBytes;
  }

  private long dryPeak(Lowering.Compiled c, boolean backward, Checkpoint checkpoint,
      Set<Integer> stored) {
    Program p = c.program();
    Runtime.Stats stats = new Runtime.Stats();
    Runtime rt = Runtime.dry(p.layouts.size(), DType.FLOAT32, stats);
    Object[] leaves = new Object[bound.operandCount()];
    for (int k = 0; k < leaves.length; k++) {
      leaves[k] = new Buffers.Token(Tensor.elementCount(bound.shape(k)));
    }
    Object grad = backward ? new Buffers.Token(Tensor.elementCount(bound.outputShape())) : null;
    schedule(c, rt, leaves, grad, checkpoint, stored);
    return stats.peakBytes;
  }

  private volatile Set<Integer> storedUnderRecompute;

  /**
   * The forward intermediates RECOMPUTE keeps anyway, chosen so that its peak never exceeds
   * STORE's: starting from recomputing everything, while that peaks above STORE or storing one
   * more intermediate lowers the peak, store the one that lowers it most. Storing all of them is
   * exactly the STORE schedule, so the loop ends at or below STORE's peak. Chosen once per plan
   * by dry runs (no data; peaks scale with the element size, so one element type serves all).
   */
  private Set<Integer> storedUnderRecompute() {
    Set<Integer> s = storedUnderRecompute;
    if (s != null) {
      return s;
    }
    Program p = training.program();
    long store = dryPeak(training, true, Checkpoint.STORE, Set.of());
    Set<Integer> chosen = new HashSet<>();
    long peak = dryPeak(training, true, Checkpoint.RECOMPUTE, chosen);
    List<Integer> candidates = new ArrayList<>();
    Set<Integer> leafSlots = new HashSet<>();
    for (int l : p.leafSlots) {
      leafSlots.add(l);
    }
    for (int i = 0; i < training.forwardOps(); i++) {
      int out = p.ops.get(i).output();
      if (!leafSlots.contains(out) && out != p.outputSlot && !candidates.contains(out)) {
        candidates.add(out);
      }
    }
    while (!candidates.isEmpty()) {
      int best = -1;
      long bestPeak = Long.MAX_VALUE;
      for (int cand : candidates) {
        chosen.add(cand);
        long q = dryPeak(training, true, Checkpoint.RECOMPUTE, chosen);
        chosen.remove(cand);
        if (q < bestPeak) {
          bestPeak = q;
          best = cand;
        }
      }
      if (bestPeak >= peak && peak <= store) {
        break;
      }
      chosen.add(best);
      candidates.remove(Integer.valueOf(best));
      peak = bestPeak;
    }
    s = Set.copyOf(chosen);
    storedUnderRecompute = s;
    return s;
  }

  /** Returns the element type an execution with these operands runs in. */
  private static DType resultType(List<Tensor> operands) {
    DType dtype = DType.FLOAT32;
    for (Tensor t : operands) {
      dtype = DType.promote(dtype, t.dtype());
    }
    return operands.isEmpty() ? DType.FLOAT64 : dtype;
  }

  /** Runs the instructions in order, releasing each slot after its last use. */
  private void schedule(Lowering.Compiled c, Runtime rt, Object[] leaves, Object grad,
      Checkpoint checkpoint) {
    schedule(c, rt, leaves, grad, checkpoint,
        grad != null && checkpoint == Checkpoint.RECOMPUTE ? storedUnderRecompute() : Set.of());
  }

  /**
   * Runs the instructions; under RECOMPUTE the forward intermediates in {@code stored} are kept
   * as under STORE, the others dropped after their last forward use and recomputed for the
   * backward steps that read them.
   */
  private void schedule(Lowering.Compiled c, Runtime rt, Object[] leaves, Object grad,
      Checkpoint checkpoint, Set<Integer> stored) {
    Program p = c.program();
    for (int k = 0; k < leaves.length; k++) {
      rt.put(p.leafSlots[k], leaves[k]);
    }
    Set<Integer> keep = new HashSet<>();
    for (int s : p.leafSlots) {
      keep.add(s);
    }
    keep.add(p.outputSlot);
    if (grad != null) {
      for (int s : c.gradSlots()) {
        keep.add(s); // handed to the caller: never recycled
      }
    }
    boolean recompute = grad != null && checkpoint == Checkpoint.RECOMPUTE;
    int forwardOps = c.forwardOps();
    for (int i = 0; i < forwardOps; i++) {
      Op op = p.ops.get(i);
      rt.run(op);
      for (int s : op.inputs()) {
        int last = recompute && !stored.contains(s) ? p.lastForwardUse[s] : p.lastUse[s];
        if (last == i && !keep.contains(s)) {
          rt.release(s);
        }
      }
    }
    if (grad == null) {
      return;
    }
    rt.put(c.gradOutputSlot(), grad);
    int group = -1;
    List<Integer> recomputed = new ArrayList<>();
    for (int i = forwardOps; i < p.ops.size(); i++) {
      int gi = c.backwardGroup()[i - forwardOps];
      if (recompute && gi != group) {
        recomputed.forEach(rt::release);
        recomputed.clear();
        group = gi;
        for (int s : c.groupNeeds()[gi]) {
          if (!rt.has(s)) {
            recomputed.addAll(recompute(p, rt, s, forwardOps));
          }
        }
      }
      Op op = p.ops.get(i);
      rt.run(op);
      for (int s : op.inputs()) {
        if (p.lastUse[s] == i && !keep.contains(s) && !recomputed.contains(s)) {
          rt.release(s);
        }
      }
    }
    recomputed.forEach(rt::release);
  }

  /** Reruns the forward instructions that produce {@code target}; returns the slots it kept. */
  private static List<Integer> recompute(Program p, Runtime rt, int target, int forwardOps) {
    boolean[] needed = new boolean[p.layouts.size()];
    needed[target] = true;
    List<Integer> cone = new ArrayList<>();
    for (int i = forwardOps - 1; i >= 0; i--) {
      Op op = p.ops.get(i);
      if (needed[op.output()] && !rt.has(op.output())) {
        cone.add(0, i);
        for (int s : op.inputs()) {
          needed[s] = true;
        }
      }
    }
    for (int ci = 0; ci < cone.size(); ci++) {
      Op op = p.ops.get(cone.get(ci));
      rt.run(op);
      for (int s : op.inputs()) {
        boolean usedLater = false;
        for (int cj = ci + 1; cj < cone.size() && !usedLater; cj++) {
          for (int t : p.ops.get(cone.get(cj)).inputs()) {
            usedLater |= t == s;
          }
        }
        if (!usedLater && s != target && !isLeaf(p, s) && s != p.outputSlot) {
          rt.release(s);
        }
      }
    }
    return List.of(target);
  }

  private static boolean isLeaf(Program p, int s) {
    for (int l : p.leafSlots) {
      if (l == s) {
        return true;
      }
    }
    return false;
  }

  private void checkOperands(List<Tensor> operands) {
    ConvEinsumException.requireNonNull(operands, "the list of operands");
    for (int k = 0; k < operands.size(); k++) {
      ConvEinsumException.requireNonNull(operands.get(k), "operand " + k);
    }
    if (operands.size() != bound.operandCount()) {
      throw new ConvEinsumException("the expression "
          + ConvEinsumException.quote(bound.expression().source(), 0) + " has "
          + bound.operandCount() + " operands but " + operands.size()
          + " tensors were given");
    }
    for (int k = 0; k < operands.size(); k++) {
      if (!Arrays.equals(operands.get(k).shape(), bound.shape(k))) {
        throw new ConvEinsumException("operand " + k + " has shape "
            + Arrays.toString(operands.get(k).shape()) + " but the plan was compiled for "
            + Arrays.toString(bound.shape(k)));
      }
    }
  }

  private static Tensor tensor(Object buffer, long[] shape) {
    return buffer instanceof double[] d ? Tensor.wrap(d, shape) : Tensor.wrap((float[]) buffer,
        shape);
  }

  private static int[][] copy(int[][] path) {
    int[][] c = new int[path.length][];
    for (int i = 0; i < path.length; i++) {
      c[i] = path[i].clone();
    }
    return c;
  }
}
