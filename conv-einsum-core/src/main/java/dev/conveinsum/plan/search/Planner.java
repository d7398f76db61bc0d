package dev.conveinsum.plan.search;

import dev.conveinsum.cost.CostModel;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;

/**
 * Plans contractions: runs the chosen optimizer under the cost model and describes the result.
 *
 * <p>Stateless: the process's one plan cache is the facade's ({@code dev.conveinsum.ConvEinsum}),
 * which calls this on a miss.
 */
public final class Planner {
  private Planner() {}

  /**
   * Plans with the default options ({@code auto}, forward FLOPs, no memory limit).
   *
   * @param bound the expression bound to shapes
   * @return the plan
   */
  public static PlanInfo plan(BoundExpression bound) {
    return plan(bound, PlanOptions.DEFAULT);
  }

  /**
   * Plans a contraction.
   *
   * @param bound the expression bound to shapes
   * @param options optimizer, objective, trainable inputs, memory limit, outer-product switch,
   *     seed (null for the defaults)
   * @return the plan
   * @throws dev.conveinsum.ConvEinsumException for an unknown optimizer, a trainable position
   *     out of range, or a memory limit no path fits
   */
  public static PlanInfo plan(BoundExpression bound, PlanOptions options) {
    PlanOptions o = options == null ? PlanOptions.DEFAULT : options;
    PathOptimizer optimizer = Optimizers.get(o.optimizer());
    CostModel model = new CostModel(bound, o.train() ? o.trainable() : null);
    Path path = optimizer.optimize(model, o);
    return PlanInfo.of(bound, optimizer.name(), path, o);
  }

  /**
   * Finds a path without describing it: the cost model and the optimizer alone (what the path
   * benchmarks time).
   *
   * @param bound the expression bound to shapes
   * @param options optimizer, objective, trainable inputs, memory limit (null for the defaults)
   * @return the path
   */
  public static Path path(BoundExpression bound, PlanOptions options) {
    PlanOptions o = options == null ? PlanOptions.DEFAULT : options;
    return Optimizers.get(o.optimizer())
        .optimize(new CostModel(bound, o.train() ? o.trainable() : null), o);
  }

  /**
   * Describes a given path under plan options, as {@link #plan(BoundExpression, PlanOptions)}
   * describes a found one.
   *
   * @param bound the expression bound to shapes
   * @param path the path (validated against the operand count)
   * @param options the plan options (training FLOPs, trainable inputs; null for the defaults)
   * @param name what to report as the optimizer, e.g. {@code given}
   * @return the plan
   */
  public static PlanInfo describe(BoundExpression bound, Path path, PlanOptions options,
      String name) {
    PlanOptions o = options == null ? PlanOptions.DEFAULT : options;
    return PlanInfo.of(bound, name, path, o);
  }
}
