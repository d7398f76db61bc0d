package dev.conveinsum.djl.block;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.djl.DjlEinsum;
import dev.conveinsum.djl.DjlPlan;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One expression's compiled DJL plans, one per list of operand shapes: a block's contraction is
 * planned (with the training cost) the first time it sees an input shape and reused afterwards.
 */
final class PlanCache {
  private final String expression;
  private final ConvOptions options;
  private final PlanOptions planOptions;
  private final ConcurrentHashMap<List<Long>, DjlPlan> plans = new ConcurrentHashMap<>();

  /**
   * Creates the cache.
   *
   * @param expression the expression
   * @param options its convolution options
   * @param path the optimizer's name ({@code optimal}, {@code naive}, ...); plans minimise the
   *     training FLOPs (forward and every operand's gradient)
   */
  PlanCache(String expression, ConvOptions options, String path) {
    this.expression = expression;
    this.options = options;
    this.planOptions = PlanOptions.optimizer(path).withTrain(null);
  }

  String path() {
    return planOptions.optimizer();
  }

  /** Returns the plan for these operands' shapes, compiling it on first use. */
  DjlPlan plan(NDArray... operands) {
    List<long[]> shapes = new ArrayList<>(operands.length);
    List<Long> key = new ArrayList<>();
    for (NDArray a : operands) {
      long[] s = a.getShape().getShape();
      shapes.add(s);
      key.add((long) s.length);
      for (long d : s) {
        key.add(d);
      }
    }
    return plans.computeIfAbsent(key,
        k -> DjlEinsum.compile(expression, options, shapes, planOptions));
  }

  /** Returns how many shapes have been planned. */
  int size() {
    return plans.size();
  }

  /** Returns the output shape for operands of these shapes, without planning. */
  long[] outputShape(List<long[]> shapes) {
    return ConvEinsum.bind(expression, options, shapes).outputShape();
  }

  static long[] longs(Shape s) {
    return Arrays.copyOf(s.getShape(), s.dimension());
  }
}
