package dev.conveinsum.djl;

import ai.djl.ndarray.NDArray;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles conv_einsum expressions for DJL: the same parser, planner and step lowering as the
 * JVM engine, with every pairwise step run as DJL {@link NDArray} operations (so DJL's autograd
 * gives the gradients, and the arrays may live on any device DJL's PyTorch engine has).
 *
 * <pre>{@code
 * DjlPlan plan = DjlEinsum.compile("bshw,rt,rs,rh,rw->bthw|hw", ConvOptions.DEFAULT,
 *     List.of(xShape, aShape, bShape, cShape, dShape), PlanOptions.DEFAULT);
 * NDArray y = plan.apply(x, a, b, c, d);
 * }</pre>
 */
public final class DjlEinsum {
  private DjlEinsum() {}

  /**
   * Plans with the given plan options (optimizer name, {@code "naive"} and {@code "optimal"}
   * included; training cost; trainable set) and lowers every pairwise step to NDArray
   * operations.
   *
   * @param expression e.g. {@code "bshw,tshw->bthw|hw"}
   * @param options kind and per-index padding, stride, dilation (null for the defaults)
   * @param shapes one shape per operand
   * @param planOptions optimizer, training cost, trainable operands, memory limit (null for the
   *     defaults)
   * @return a reusable, thread-safe plan
   * @throws ConvEinsumException for an invalid expression, shapes that do not fit it, or an
   *     unknown optimizer
   */
  public static DjlPlan compile(String expression, ConvOptions options, List<long[]> shapes,
      PlanOptions planOptions) {
    return forPlan(ConvEinsum.plan(ConvEinsum.bind(expression, options, shapes), planOptions));
  }

  /**
   * Lowers a plan (from {@link ConvEinsum#plan}) to NDArray operations.
   *
   * @param info the plan
   * @return a reusable, thread-safe plan
   */
  public static DjlPlan forPlan(PlanInfo info) {
    return new DjlPlan(info, ConvEinsum.forwardProgram(info));
  }

  /**
   * One-shot convenience: plans with the default optimizer and evaluates.
   *
   * @param expression the expression
   * @param options its options (null for the defaults)
   * @param operands one array per input term
   * @return the result, attached to the manager of the first operand
   * @throws ConvEinsumException for an invalid expression or mismatched operands
   */
  public static NDArray einsum(String expression, ConvOptions options, NDArray... operands) {
    if (operands.length == 0) {
      throw new ConvEinsumException("conv_einsum needs at least one operand");
    }
    List<long[]> shapes = new ArrayList<>();
    for (NDArray a : operands) {
      shapes.add(a.getShape().getShape());
    }
    return compile(expression, options, shapes, PlanOptions.DEFAULT).apply(operands);
  }
}
