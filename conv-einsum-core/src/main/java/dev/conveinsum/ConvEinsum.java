package dev.conveinsum;

import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.exec.Checkpoint;
import dev.conveinsum.exec.CompiledPlan;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.plan.Planner;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The entry point: einsum with convolutions.
 *
 * <pre>{@code
 * Tensor y = ConvEinsum.einsum("bshw,rt,rs,rh,rw->bthw|hw", ConvOptions.DEFAULT, x, a, b, c, d);
 * }</pre>
 *
 * <p>Every call parses the expression, binds it to the operands' shapes, chooses the
 * FLOPs-optimal pairwise order, and runs each step on the fastest engine available. Compiled
 * plans are cached by (expression, shapes, options, trainable operands), so repeated calls with
 * the same shapes only execute.
 */
public final class ConvEinsum {
  private static final int CACHE_SIZE = 256;
  private static final Map<String, CompiledPlan> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CompiledPlan> e) {
      return size() > CACHE_SIZE;
    }
  };

  private ConvEinsum() {}

  /**
   * Evaluates an expression with default options (CONVOLUTION, MAX padding, stride 1).
   *
   * @param expression e.g. {@code "bshw,tshw->bthw|hw"}
   * @param operands one tensor per input term
   * @return the result
   * @throws ConvEinsumException for an invalid expression or mismatched operands
   */
  public static Tensor einsum(String expression, Tensor... operands) {
    return einsum(expression, ConvOptions.DEFAULT, operands);
  }

  /**
   * Evaluates an expression.
   *
   * @param expression e.g. {@code "bshw,tshw->bthw|hw"}
   * @param options kind and per-index padding, stride, dilation
   * @param operands one tensor per input term
   * @return the result, float64 if any operand is float64, else float32
   */
  public static Tensor einsum(String expression, ConvOptions options, Tensor... operands) {
    List<Tensor> ops = operandList(operands);
    return compile(expression, options, shapes(ops)).execute(ops, null, defaults()).output();
  }

  /**
   * Computes vector-Jacobian products: the gradient of {@code <gradOutput, result>} with respect
   * to the chosen operands.
   *
   * @param expression the expression
   * @param options its options
   * @param operands the operands
   * @param gradOutput a tensor of the result's shape (required)
   * @param wrt operand positions to differentiate (none means all)
   * @return one gradient per position of {@code wrt} (per operand when it is empty)
   * @throws ConvEinsumException for invalid input, a missing {@code gradOutput} or {@code wrt}
   */
  public static List<Tensor> vjp(String expression, ConvOptions options, List<Tensor> operands,
      Tensor gradOutput, int... wrt) {
    ConvEinsumException.requireNonNull(expression, "the expression");
    ConvEinsumException.requireNonNull(operands, "the list of operands");
    ConvEinsumException.requireNonNull(gradOutput, "gradOutput (the gradient of the result,"
        + " which vjp multiplies by the Jacobian)");
    ConvEinsumException.requireNonNull(wrt, "wrt (pass no positions for all operands)");
    operandList(operands.toArray(new Tensor[0]));
    int n = operands.size();
    boolean[] trainable = new boolean[n];
    if (wrt.length == 0) {
      Arrays.fill(trainable, true);
    }
    for (int k : wrt) {
      if (k < 0 || k >= n) {
        throw new ConvEinsumException("cannot differentiate with respect to operand " + k
            + "; there are " + n + " operands");
      }
      trainable[k] = true;
    }
    CompiledPlan plan = compile(expression, options, shapes(operands), trainable);
    List<Tensor> all = plan.execute(operands, gradOutput, defaults()).gradients();
    if (wrt.length == 0) {
      return all;
    }
    List<Tensor> out = new ArrayList<>();
    for (int k : wrt) {
      out.add(all.get(k));
    }
    return out;
  }

  /**
   * Finds the FLOPs-optimal path of an expression for the given shapes, with the default
   * optimizer ({@code auto}: exact up to 14 operands).
   *
   * @param expression the expression
   * @param options its options
   * @param shapes one shape per operand
   * @return the plan report: path, FLOPs against the naive path, largest intermediate, steps
   */
  public static PlanInfo path(String expression, ConvOptions options, List<long[]> shapes) {
    return path(expression, options, shapes, PlanOptions.DEFAULT);
  }

  /**
   * Finds a path with the given optimizer, training mode and memory limit.
   *
   * @param expression the expression
   * @param options its options
   * @param shapes one shape per operand
   * @param planOptions optimizer name, training cost, trainable operands, memory limit; null
   *     means {@link PlanOptions#DEFAULT}
   * @return the plan report
   */
  public static PlanInfo path(String expression, ConvOptions options, List<long[]> shapes,
      PlanOptions planOptions) {
    BoundExpression bound = BoundExpression.bind(Expression.parse(expression),
        options == null ? ConvOptions.DEFAULT : options, shapes);
    return Planner.shared().plan(bound, planOptions == null ? PlanOptions.DEFAULT : planOptions);
  }

  /**
   * Compiles an expression for shapes, with gradients for every operand available.
   *
   * @param expression the expression
   * @param options its options
   * @param shapes one shape per operand
   * @return a reusable, thread-safe plan
   */
  public static CompiledPlan compile(String expression, ConvOptions options, List<long[]> shapes) {
    return compile(expression, options, shapes, null);
  }

  /**
   * Compiles an expression for shapes; only the operands flagged trainable get gradients, and
   * the path is chosen for their training cost.
   *
   * @param expression the expression
   * @param options its options
   * @param shapes one shape per operand
   * @param trainable per operand, whether it needs a gradient; null means all
   * @return a reusable, thread-safe plan
   */
  public static CompiledPlan compile(String expression, ConvOptions options, List<long[]> shapes,
      boolean[] trainable) {
    ConvEinsumException.requireNonNull(expression, "the expression");
    ConvEinsumException.requireNonNull(shapes, "the list of shapes");
    for (int k = 0; k < shapes.size(); k++) {
      ConvEinsumException.requireNonNull(shapes.get(k), "the shape of operand " + k);
    }
    ConvOptions opts = options == null ? ConvOptions.DEFAULT : options;
    StringBuilder key = new StringBuilder(expression).append('|').append(opts);
    shapes.forEach(s -> key.append('|').append(Arrays.toString(s)));
    key.append('|').append(Arrays.toString(trainable));
    synchronized (CACHE) {
      CompiledPlan p = CACHE.get(key.toString());
      if (p != null) {
        return p;
      }
    }
    BoundExpression bound = BoundExpression.bind(Expression.parse(expression), opts, shapes);
    PlanOptions planOptions = PlanOptions.DEFAULT;
    if (trainable != null) {
      Set<Integer> set = new HashSet<>();
      for (int k = 0; k < trainable.length; k++) {
        if (trainable[k]) {
          set.add(k);
        }
      }
      planOptions = planOptions.withTrain(set);
    }
    int[][] path = Planner.shared().plan(bound, planOptions).path().pairs()
        .toArray(int[][]::new);
    CompiledPlan plan = CompiledPlan.compile(bound, path, trainable);
    synchronized (CACHE) {
      CACHE.put(key.toString(), plan);
    }
    return plan;
  }

  /**
   * The thread count of {@link #defaults()}: fixed rather than the processor count, because how
   * the kernels cut work into tasks depends on it, so a fixed count gives the same bits on every
   * machine (a machine with fewer processors runs the same tasks on fewer threads). Pass
   * {@link CompiledPlan.Options} with another count to use more processors.
   */
  public static final int DEFAULT_THREADS = 4;

  /**
   * Returns the default execution options: the best engine, {@value #DEFAULT_THREADS} threads
   * (results do not depend on the machine), STORE.
   */
  public static CompiledPlan.Options defaults() {
    return new CompiledPlan.Options(defaultEngine(), DEFAULT_THREADS, Checkpoint.STORE);
  }

  /** Returns the engine used by default: the highest-priority one on the class path. */
  public static Engine defaultEngine() {
    return Engines.best();
  }

  /** The operands as a list, each checked to be present. */
  private static List<Tensor> operandList(Tensor[] operands) {
    ConvEinsumException.requireNonNull(operands, "the operands");
    for (int k = 0; k < operands.length; k++) {
      ConvEinsumException.requireNonNull(operands[k], "operand " + k);
    }
    return List.of(operands);
  }

  private static List<long[]> shapes(List<Tensor> operands) {
    List<long[]> s = new ArrayList<>();
    for (Tensor t : operands) {
      s.add(t.shape());
    }
    return s;
  }
}
