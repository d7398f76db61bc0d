package dev.conveinsum.plan.search;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.PathCost;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of path optimizers, by name: {@code optimal} (alias {@code dp}), {@code branch},
 * {@code greedy}, {@code random-greedy}, {@code naive} and {@code auto}.
 *
 * <p>{@code auto} uses {@code optimal} up to {@value #AUTO_OPTIMAL_LIMIT} operands and
 * {@code random-greedy} (whose first trial is plain greedy, so it is never worse than greedy)
 * above. {@code naive} returns the left-to-right path and fails when it breaks the memory limit.
 */
public final class Optimizers {
  /** {@code auto} searches exactly up to this many operands. */
  public static final int AUTO_OPTIMAL_LIMIT = 14;
  /** The number of runs {@code random-greedy} keeps the best of. */
  public static final int RANDOM_GREEDY_TRIALS = 32;

  private static final Map<String, PathOptimizer> REGISTRY = new TreeMap<>();

  static {
    DynamicProgramming optimal = new DynamicProgramming("optimal");
    register(optimal);
    register(new DynamicProgramming("dp"));
    register(new BranchAndBound());
    register(new Greedy("greedy", 1));
    register(new Greedy("random-greedy", RANDOM_GREEDY_TRIALS));
    register(new Naive());
    register(new Auto());
  }

  private Optimizers() {}

  private static void register(PathOptimizer o) {
    REGISTRY.put(o.name(), o);
  }

  /**
   * Returns the optimizer of a name, case-insensitive.
   *
   * @param name e.g. {@code optimal}, {@code greedy}
   * @return the optimizer
   * @throws ConvEinsumException listing the valid names when the name is unknown
   */
  public static PathOptimizer get(String name) {
    PathOptimizer o = name == null ? null : REGISTRY.get(name.trim().toLowerCase(Locale.ROOT));
    if (o == null) {
      throw new ConvEinsumException("unknown optimizer '" + name + "'; valid names: "
          + String.join(", ", names()));
    }
    return o;
  }

  /** Returns the registered names, sorted. */
  public static List<String> names() {
    return List.copyOf(REGISTRY.keySet());
  }

  /**
   * Returns a {@code random-greedy} optimizer with another number of trials.
   *
   * @param trials how many greedy runs to keep the best of (at least 1)
   * @return the optimizer
   */
  public static PathOptimizer randomGreedy(int trials) {
    return new Greedy("random-greedy", trials);
  }

  /** The left-to-right path. */
  private static final class Naive implements PathOptimizer {
    @Override
    public String name() {
      return "naive";
    }

    @Override
    public Path optimize(CostModel model, PlanOptions options) {
      Path p = Path.naive(model.operandCount());
      if (options.memoryLimit().isPresent()) {
        PathCost c = model.evaluate(p.pairs());
        if (c.largestIntermediate() > options.limit()) {
          Search.Bottleneck b = Search.bottleneck(model);
          throw new ConvEinsumException("the naive path's largest intermediate has "
              + c.largestIntermediate() + " elements, over the memory limit of "
              + options.limit() + " elements (the smallest " + (b.exact() ? "achievable" : "found")
              + " largest intermediate is " + b.largest() + " elements; try another optimizer)");
        }
      }
      return p;
    }
  }

  /** Exact when small, randomised greedy when large. */
  private static final class Auto implements PathOptimizer {
    @Override
    public String name() {
      return "auto";
    }

    @Override
    public Path optimize(CostModel model, PlanOptions options) {
      return get(model.operandCount() <= AUTO_OPTIMAL_LIMIT ? "optimal" : "random-greedy")
          .optimize(model, options);
    }
  }
}
