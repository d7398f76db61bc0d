package dev.conveinsum.plan;

import dev.conveinsum.ConvEinsumException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * How to plan a contraction.
 *
 * @param optimizer the optimizer's name (see {@link dev.conveinsum.ConvEinsum#optimizers()}); default {@code auto}
 * @param train minimise training FLOPs (forward plus the gradient of every operand that needs
 *     one) instead of forward FLOPs
 * @param trainable 0-based positions of the inputs that need gradients, or null for all
 * @param memoryLimit the largest intermediate allowed, in elements, or empty for none
 * @param alwaysConsiderOuter let the dynamic-programming optimizer consider every outer product,
 *     not only those that can pay off (slower on large networks)
 * @param seed the seed of randomised optimizers
 * @param timeBudget how long an optimizer may search, or null for {@link #DEFAULT_TIME_BUDGET}:
 *     when it runs out, {@code random-greedy} keeps the best of the runs done, {@code branch}
 *     the best complete path found and {@code optimal} greedy's path (a greedy run itself always
 *     completes; it takes milliseconds even for thousands of operands). Exact search is
 *     exponential (14 operands that all share an index take seconds), hence a default; near the
 *     budget the result can depend on the machine's speed, so pass a longer one (e.g. {@code
 *     Duration.ofDays(1)}) where an exact answer matters more than time
 */
public record PlanOptions(String optimizer, boolean train, Set<Integer> trainable,
    OptionalLong memoryLimit, boolean alwaysConsiderOuter, long seed, Duration timeBudget) {

  /** The time budget of an optimizer when none is given. */
  public static final Duration DEFAULT_TIME_BUDGET = Duration.ofMillis(500);

  /**
   * The defaults: {@code auto}, forward FLOPs, all trainable, no memory limit, seed 0, the
   * default time budget.
   */
  public static final PlanOptions DEFAULT =
      new PlanOptions("auto", false, null, OptionalLong.empty(), false, 0, null);

  /**
   * Creates options without a time budget.
   *
   * @param optimizer the optimizer's name
   * @param train minimise training FLOPs
   * @param trainable the inputs that need gradients, or null for all
   * @param memoryLimit the largest intermediate allowed, in elements, or empty
   * @param alwaysConsiderOuter consider every outer product
   * @param seed the seed of randomised optimizers
   */
  public PlanOptions(String optimizer, boolean train, Set<Integer> trainable,
      OptionalLong memoryLimit, boolean alwaysConsiderOuter, long seed) {
    this(optimizer, train, trainable, memoryLimit, alwaysConsiderOuter, seed, null);
  }

  /** Validates and copies: a memory limit must be at least 1 element, a budget positive. */
  public PlanOptions {
    if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero())) {
      throw new ConvEinsumException("the time budget must be positive, got " + timeBudget);
    }
    if (optimizer == null || optimizer.isBlank()) {
      optimizer = "auto";
    }
    optimizer = optimizer.trim();
    if (trainable != null) {
      trainable = Set.copyOf(new TreeSet<>(trainable));
    }
    if (memoryLimit == null) {
      memoryLimit = OptionalLong.empty();
    }
    if (memoryLimit.isPresent() && memoryLimit.getAsLong() < 1) {
      throw new ConvEinsumException("the memory limit must be at least 1 element, got "
          + memoryLimit.getAsLong());
    }
  }

  /** Returns the defaults with another optimizer. */
  public static PlanOptions optimizer(String name) {
    return DEFAULT.withOptimizer(name);
  }

  /** Returns a copy with another optimizer. */
  public PlanOptions withOptimizer(String name) {
    return new PlanOptions(name, train, trainable, memoryLimit, alwaysConsiderOuter, seed,
        timeBudget);
  }

  /** Returns a copy that minimises training FLOPs with the given trainable inputs (null: all). */
  public PlanOptions withTrain(Set<Integer> trainableInputs) {
    return new PlanOptions(optimizer, true, trainableInputs, memoryLimit, alwaysConsiderOuter,
        seed, timeBudget);
  }

  /** Returns a copy with a memory limit in elements. */
  public PlanOptions withMemoryLimit(long elements) {
    return new PlanOptions(optimizer, train, trainable, OptionalLong.of(elements),
        alwaysConsiderOuter, seed, timeBudget);
  }

  /** Returns a copy with the always-consider-outer-products switch set. */
  public PlanOptions withAlwaysConsiderOuter(boolean always) {
    return new PlanOptions(optimizer, train, trainable, memoryLimit, always, seed, timeBudget);
  }

  /** Returns a copy with another seed. */
  public PlanOptions withSeed(long newSeed) {
    return new PlanOptions(optimizer, train, trainable, memoryLimit, alwaysConsiderOuter,
        newSeed, timeBudget);
  }

  /**
   * Returns a copy with a time budget.
   *
   * @param budget how long the optimizer may search (positive), or null for no limit
   * @return the copy
   */
  public PlanOptions withTimeBudget(Duration budget) {
    return new PlanOptions(optimizer, train, trainable, memoryLimit, alwaysConsiderOuter, seed,
        budget);
  }

  /** Returns the memory limit, or {@code Long.MAX_VALUE} for none. */
  public long limit() {
    return memoryLimit.orElse(Long.MAX_VALUE);
  }
}
