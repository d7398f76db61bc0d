package dev.conveinsum;

import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.engine.ForwardProgram;
import dev.conveinsum.exec.ForwardLowering;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.plan.search.Optimizers;
import dev.conveinsum.plan.search.Planner;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The entry point: einsum with convolutions.
 *
 * <pre>{@code
 * Tensor y = ConvEinsum.einsum("bshw,rt,rs,rh,rw->bthw|hw", ConvOptions.DEFAULT, x, a, b, c, d);
 * }</pre>
 *
 * <p>The pipeline is parse and {@link #bind bind} (expression text to shapes), {@link #plan plan}
 * (the FLOPs-optimal pairwise order, a {@link PlanInfo}), {@link #compile(PlanInfo) compile} (a
 * reusable {@link CompiledPlan}) and execute ({@link CompiledPlan#execute}); {@link #einsum} and
 * {@link #vjp} run all of it. Plans and compiled plans are kept in one bounded cache keyed by
 * (expression, shapes, options, plan options), so repeated calls with the same shapes only
 * execute.
 */
public final class ConvEinsum {
  private static final PlanCache CACHE = new PlanCache(PlanCache.DEFAULT_CAPACITY);

  /**
   * The thread count of {@link #defaults()}; see {@link RunOptions#DEFAULT_THREADS}.
   */
  public static final int DEFAULT_THREADS = RunOptions.DEFAULT_THREADS;

  private ConvEinsum() {}

  /**
   * Parses an expression and binds it to operand shapes and options.
   *
   * @param expression e.g. {@code "bshw,tshw->bthw|hw"}
   * @param options kind and per-index padding, stride, dilation (null means
   *     {@link ConvOptions#DEFAULT})
   * @param shapes one shape per operand
   * @return the bound expression
   * @throws ConvEinsumException for an invalid expression or shapes that do not fit it
   */
  public static BoundExpression bind(String expression, ConvOptions options,
      List<long[]> shapes) {
    ConvEinsumException.requireNonNull(expression, "the expression");
    ConvEinsumException.requireNonNull(shapes, "the list of shapes");
    for (int k = 0; k < shapes.size(); k++) {
      ConvEinsumException.requireNonNull(shapes.get(k), "the shape of operand " + k);
    }
    return BoundExpression.bind(Expression.parse(expression),
        options == null ? ConvOptions.DEFAULT : options, shapes);
  }

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
    return einsum(expression, options, RunOptions.DEFAULT, operands);
  }

  /**
   * Evaluates an expression with run options (engine, threads).
   *
   * @param expression e.g. {@code "bshw,tshw->bthw|hw"}
   * @param options kind and per-index padding, stride, dilation
   * @param run engine, threads, profiling (null means {@link RunOptions#DEFAULT})
   * @param operands one tensor per input term
   * @return the result, float64 if any operand is float64, else float32
   */
  public static Tensor einsum(String expression, ConvOptions options, RunOptions run,
      Tensor... operands) {
    List<Tensor> ops = operandList(operands);
    return compile(expression, options, shapes(ops)).execute(ops, null, run).output();
  }

  /**
   * Computes vector-Jacobian products: the gradient of {@code <gradOutput, result>} with respect
   * to the chosen operands, with {@link RunOptions#DEFAULT}.
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
    return vjp(expression, options, RunOptions.DEFAULT, operands, gradOutput, wrt);
  }

  /**
   * Computes vector-Jacobian products with run options: the engine, the threads and what the
   * backward pass keeps ({@link Checkpoint#RECOMPUTE} trades compute for memory; both modes
   * give the same gradients).
   *
   * @param expression the expression
   * @param options its options
   * @param run engine, threads, checkpoint mode (null means {@link RunOptions#DEFAULT})
   * @param operands the operands
   * @param gradOutput a tensor of the result's shape (required)
   * @param wrt operand positions to differentiate (none means all)
   * @return one gradient per position of {@code wrt} (per operand when it is empty)
   * @throws ConvEinsumException for invalid input, a missing {@code gradOutput} or {@code wrt}
   */
  public static List<Tensor> vjp(String expression, ConvOptions options, RunOptions run,
      List<Tensor> operands, Tensor gradOutput, int... wrt) {
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
    List<Tensor> all = plan.execute(operands, gradOutput, run).gradients();
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
    return plan(bind(expression, options, shapes), planOptions);
  }

  /**
   * Plans a bound expression: the path its optimizer finds, cached.
   *
   * @param bound the expression bound to shapes
   * @param planOptions optimizer name, training cost, trainable operands, memory limit; null
   *     means {@link PlanOptions#DEFAULT}
   * @return the plan report
   * @throws ConvEinsumException for an unknown optimizer, a trainable position out of range, or a
   *     memory limit no path fits
   */
  public static PlanInfo plan(BoundExpression bound, PlanOptions planOptions) {
    ConvEinsumException.requireNonNull(bound, "the bound expression");
    return CACHE.plan(bound, planOptions == null ? PlanOptions.DEFAULT : planOptions);
  }

  /**
   * Describes a given path (for instance one the user wrote) as a plan, costed like a found one;
   * the optimizer it reports is {@code given}.
   *
   * @param bound the expression bound to shapes
   * @param path the path
   * @param planOptions training cost and trainable operands (the optimizer name is not used);
   *     null means {@link PlanOptions#DEFAULT}
   * @return the plan report
   * @throws ConvEinsumException for a path that does not fit the expression
   */
  public static PlanInfo plan(BoundExpression bound, Path path, PlanOptions planOptions) {
    ConvEinsumException.requireNonNull(bound, "the bound expression");
    ConvEinsumException.requireNonNull(path, "the path");
    return Planner.describe(bound, path, planOptions, "given");
  }

  /**
   * Compiles a plan. Gradients are computed for the plan's trainable operands
   * ({@link PlanInfo#trainable()}: those of its plan options when it was planned for training,
   * else all). A plan that came from {@link #plan(BoundExpression, PlanOptions)} is compiled once
   * and cached with it.
   *
   * @param plan the plan
   * @return a reusable, thread-safe compiled plan
   * @throws ConvEinsumException when a buffer of the plan is too large to index
   */
  public static CompiledPlan compile(PlanInfo plan) {
    ConvEinsumException.requireNonNull(plan, "the plan");
    return CACHE.compile(plan);
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
    BoundExpression bound = bind(expression, options, shapes);
    PlanOptions planOptions = PlanOptions.DEFAULT;
    if (trainable != null) {
      if (trainable.length != bound.operandCount()) {
        throw new ConvEinsumException("trainable flags for " + trainable.length
            + " operands; the expression has " + bound.operandCount());
      }
      Set<Integer> set = new HashSet<>();
      for (int k = 0; k < trainable.length; k++) {
        if (trainable[k]) {
          set.add(k);
        }
      }
      planOptions = planOptions.withTrain(set);
    }
    return compile(plan(bound, planOptions));
  }

  /**
   * Lowers a plan to its forward instructions as plain values, for a backend built on another
   * tensor library (the DJL backend runs these): every data movement and atomic convolution the
   * plan's steps need, with the convolution semantics resolved.
   *
   * @param plan the plan
   * @return the portable forward program
   * @throws ConvEinsumException when a buffer of the plan is too large to index
   */
  public static ForwardProgram forwardProgram(PlanInfo plan) {
    ConvEinsumException.requireNonNull(plan, "the plan");
    return ForwardLowering.lower(plan.bound(), plan.path());
  }

  /** Returns the names of the path optimizers {@link PlanOptions#optimizer()} accepts, sorted. */
  public static List<String> optimizers() {
    return Optimizers.names();
  }

  /**
   * Returns the default execution options: the best engine, {@value #DEFAULT_THREADS} threads
   * (results do not depend on the machine), STORE.
   */
  public static RunOptions defaults() {
    return RunOptions.DEFAULT;
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
