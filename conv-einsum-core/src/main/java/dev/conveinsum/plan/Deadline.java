package dev.conveinsum.plan;

import java.time.Duration;

/**
 * The end of an optimizer's time budget ({@link PlanOptions#timeBudget()}, by default
 * {@link PlanOptions#DEFAULT_TIME_BUDGET}). Checks read {@link System#nanoTime()}, so loops call {@link #expired()} every so
 * many iterations rather than on each.
 */
final class Deadline {
  private final long end;
  private final boolean bounded;

  private Deadline(long end, boolean bounded) {
    this.end = end;
    this.bounded = bounded;
  }

  /** Starts the budget of the options now. */
  static Deadline of(PlanOptions options) {
    Duration b = options.timeBudget();
    if (b == null) {
      b = PlanOptions.DEFAULT_TIME_BUDGET;
    }
    long nanos = b.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE : b.toNanos();
    long now = System.nanoTime();
    return new Deadline(nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos, true);
  }

  /** Returns whether the budget has run out. */
  boolean expired() {
    return bounded && System.nanoTime() - end >= 0;
  }

  /** Thrown inside an exact search to unwind when the budget runs out. */
  static final class Expired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Expired() {
      super("time budget expired", null, false, false);
    }
  }
}
