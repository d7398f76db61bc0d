package dev.conveinsum.plan.search;

import dev.conveinsum.plan.PlanOptions;
import java.time.Duration;

/**
 * The end of an optimizer's time budget ({@link PlanOptions#timeBudget()}, by default {@link
 * PlanOptions#DEFAULT_TIME_BUDGET}). Checks read {@link System#nanoTime()}, so loops call
 * {@link #expired()} every so many iterations rather than on each.
 */
final class Deadline {
  private final long start;
  private final long nanos;

  private Deadline(long start, long nanos) {
    this.start = start;
    this.nanos = nanos;
  }

  /** Starts the budget of the options now. */
  static Deadline of(PlanOptions options) {
    Duration b = options.timeBudget();
    if (b == null) {
      b = PlanOptions.DEFAULT_TIME_BUDGET;
    }
    // elapsed time as a difference of nanoTime readings, which never overflows for ~292 years
    long nanos = b.compareTo(Duration.ofDays(365 * 200)) > 0 ? Long.MAX_VALUE : b.toNanos();
    return new Deadline(System.nanoTime(), nanos);
  }

  /** Returns whether the budget has run out. */
  boolean expired() {
    return System.nanoTime() - start >= nanos;
  }

  /** Thrown inside an exact search to unwind when the budget runs out. */
  static final class Expired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Expired() {
      super("time budget expired", null, false, false);
    }
  }
}
