package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;

/**
 * How a convolution index is cropped (SPEC section 3): one of the named modes, or explicit zero
 * padding {@code (left, right)}.
 *
 * @param mode the mode
 * @param left zero padding before the signal, for {@link Mode#EXPLICIT} only (else 0)
 * @param right zero padding after the signal, for {@link Mode#EXPLICIT} only (else 0)
 */
public record Padding(Mode mode, int left, int right) {

  /** Padding modes. */
  public enum Mode {
    /** Length of the longest (dilated) operand, centred; the paper's {@code max_zeros}. */
    MAX,
    /** Length of the signal (the first operand holding the index), centred as MAX. */
    SAME,
    /** The whole linear convolution. */
    FULL,
    /** Only positions where every operand overlaps entirely. */
    VALID,
    /** Wrap around with period max length (circular convolution). */
    CIRCULAR,
    /** Explicit zero padding (left, right) of the signal; two operands only. */
    EXPLICIT
  }

  /** The default, {@code MAX}. */
  public static final Padding MAX = new Padding(Mode.MAX, 0, 0);
  /** {@code SAME}. */
  public static final Padding SAME = new Padding(Mode.SAME, 0, 0);
  /** {@code FULL}. */
  public static final Padding FULL = new Padding(Mode.FULL, 0, 0);
  /** {@code VALID}. */
  public static final Padding VALID = new Padding(Mode.VALID, 0, 0);
  /** {@code CIRCULAR}. */
  public static final Padding CIRCULAR = new Padding(Mode.CIRCULAR, 0, 0);

  /** Checks that only explicit padding carries amounts, and that they are not negative. */
  public Padding {
    if (mode == null) {
      throw new ConvEinsumException("padding mode is missing");
    }
    if (mode != Mode.EXPLICIT && (left != 0 || right != 0)) {
      throw new ConvEinsumException("padding " + mode + " takes no amounts");
    }
    if (left < 0 || right < 0) {
      throw new ConvEinsumException("explicit padding must be two integers >= 0, got ["
          + left + ", " + right + "]");
    }
  }

  /** Returns explicit zero padding. */
  public static Padding explicit(int left, int right) {
    return new Padding(Mode.EXPLICIT, left, right);
  }

  /**
   * Returns the named mode, case-insensitive.
   *
   * @throws ConvEinsumException listing the valid names when the name is unknown
   */
  public static Padding named(String name) {
    ConvEinsumException.requireNonNull(name, "the padding mode");
    for (Mode m : Mode.values()) {
      if (m != Mode.EXPLICIT && m.name().equalsIgnoreCase(name.trim())) {
        return new Padding(m, 0, 0);
      }
    }
    throw new ConvEinsumException("unknown padding mode '" + name
        + "'; use MAX, SAME, FULL, VALID, CIRCULAR or [left, right]");
  }

  /** Returns {@code MAX}, {@code SAME}, ... or {@code [l, r]}. */
  @Override
  public String toString() {
    return mode == Mode.EXPLICIT ? "[" + left + ", " + right + "]" : mode.name();
  }
}
