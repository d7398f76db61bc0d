package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;

/**
 * Per-channel normalisation of 8-bit pixels: {@code (p / 255 - mean[c]) / std[c]}.
 *
 * @param mean the mean of each channel, in [0, 1] units
 * @param std the standard deviation of each channel, positive
 */
public record Normalization(double[] mean, double[] std) {
  /** Fashion-MNIST's training-set mean and standard deviation. */
  public static final Normalization FASHION_MNIST =
      new Normalization(new double[] {0.2860}, new double[] {0.3530});
  /** CIFAR-10's training-set per-channel mean and standard deviation (R, G, B). */
  public static final Normalization CIFAR10 = new Normalization(
      new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.2470, 0.2435, 0.2616});

  /** Validates and copies. */
  public Normalization {
    mean = mean.clone();
    std = std.clone();
    if (mean.length != std.length || mean.length == 0) {
      throw new ConvEinsumException("normalization: mean and std need one value per channel");
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw new ConvEinsumException("normalization: std must be positive, got " + s);
      }
    }
  }

  /** Returns the number of channels. */
  public int channels() {
    return mean.length;
  }

  /** Returns the per-channel means (a copy). */
  @Override
  public double[] mean() {
    return mean.clone();
  }

  /** Returns the per-channel standard deviations (a copy). */
  @Override
  public double[] std() {
    return std.clone();
  }
}
