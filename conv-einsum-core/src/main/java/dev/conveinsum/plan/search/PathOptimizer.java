package dev.conveinsum.plan.search;

import dev.conveinsum.cost.CostModel;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;

/**
 * Finds a contraction path for an expression under the cost model of SPEC section 4.
 *
 * <p>Implementations minimise forward FLOPs, or training FLOPs when {@link PlanOptions#train()}
 * is set, and keep every intermediate within {@link PlanOptions#memoryLimit()}. They are
 * stateless and thread-safe; {@link Optimizers#get(String)} finds them by name.
 */
public interface PathOptimizer {

  /** Returns the registered name, e.g. {@code optimal}. */
  String name();

  /**
   * Finds a path.
   *
   * @param model the cost model of the expression (its trainable set included)
   * @param options objective, memory limit, outer-product switch and seed
   * @return a valid path whose largest intermediate fits the memory limit
   * @throws dev.conveinsum.ConvEinsumException when no path fits the memory limit; the message
   *     names the limit and the smallest largest-intermediate that can be achieved
   */
  Path optimize(CostModel model, PlanOptions options);
}
