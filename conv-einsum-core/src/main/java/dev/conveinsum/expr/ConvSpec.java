package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;

/**
 * The options of one convolution index: padding, stride and dilation.
 *
 * @param padding the padding mode (default {@code MAX})
 * @param stride keep every stride-th output position (default 1)
 * @param dilation spacing between filter taps (default 1)
 */
public record ConvSpec(Padding padding, int stride, int dilation) {

  /** The defaults: MAX, stride 1, dilation 1. */
  public static final ConvSpec DEFAULT = new ConvSpec(Padding.MAX, 1, 1);

  /** Checks that stride and dilation are at least 1. */
  public ConvSpec {
    if (padding == null) {
      padding = Padding.MAX;
    }
    if (stride < 1) {
      throw new ConvEinsumException("stride must be an integer >= 1, got " + stride);
    }
    if (dilation < 1) {
      throw new ConvEinsumException("dilation must be an integer >= 1, got " + dilation);
    }
  }

  /** Returns a copy with another padding. */
  public ConvSpec withPadding(Padding p) {
    return new ConvSpec(p, stride, dilation);
  }

  /** Returns a copy with another stride. */
  public ConvSpec withStride(int s) {
    return new ConvSpec(padding, s, dilation);
  }

  /** Returns a copy with another dilation. */
  public ConvSpec withDilation(int d) {
    return new ConvSpec(padding, stride, d);
  }
}
