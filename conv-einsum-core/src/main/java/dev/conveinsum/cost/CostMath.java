package dev.conveinsum.cost;

/**
 * Saturating arithmetic for costs: FLOP counts and element counts of large random networks can
 * exceed {@code Long.MAX_VALUE}, so every product and sum clamps there instead of overflowing.
 * A saturated figure ({@link #SATURATED}) means "at least this much" and compares as the largest.
 */
public final class CostMath {
  /** The value a saturated cost takes. */
  public static final long SATURATED = Long.MAX_VALUE;

  private CostMath() {}

  /**
   * Returns {@code a * b}, or {@link #SATURATED} when the product overflows.
   *
   * @param a a non-negative factor
   * @param b a non-negative factor
   * @return the saturated product
   */
  public static long multiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if (hi != 0 || lo < 0) {
      return SATURATED;
    }
    return lo;
  }

  /**
   * Returns {@code a + b}, or {@link #SATURATED} when the sum overflows.
   *
   * @param a a non-negative term
   * @param b a non-negative term
   * @return the saturated sum
   */
  public static long add(long a, long b) {
    long s = a + b;
    return s < 0 ? SATURATED : s;
  }

  /** Returns whether a figure has saturated. */
  public static boolean saturated(long value) {
    return value == SATURATED;
  }

  /** Formats a figure, writing {@code >=9.2e18} for a saturated one. */
  public static String format(long value) {
    return value == SATURATED ? ">=9.2e18" : Long.toString(value);
  }
}
