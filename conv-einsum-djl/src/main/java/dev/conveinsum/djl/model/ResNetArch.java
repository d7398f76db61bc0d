package dev.conveinsum.djl.model;

import dev.conveinsum.ConvEinsumException;
import java.util.List;
import java.util.Locale;

/**
 * The residual networks {@link ResNets} builds, all of basic blocks (two 3x3 convolutions) after a
 * 3x3 stem, as trained on CIFAR-10.
 */
public enum ResNetArch {
  /** He et al. (2016) CIFAR ResNet-20: 3 stages of 3 blocks, 16/32/64 channels, 0.27 M weights. */
  RESNET20(List.of(3, 3, 3), List.of(16, 32, 64), true),
  /** He et al. (2016) CIFAR ResNet-32: 3 stages of 5 blocks, 16/32/64 channels. */
  RESNET32(List.of(5, 5, 5), List.of(16, 32, 64), true),
  /** ResNet-18 with a 3x3 stem (no max pooling): stages of 2, 2, 2, 2 blocks, 64-512 channels. */
  RESNET18(List.of(2, 2, 2, 2), List.of(64, 128, 256, 512), false),
  /** ResNet-34 with a 3x3 stem (no max pooling): stages of 3, 4, 6, 3 blocks, 64-512 channels. */
  RESNET34(List.of(3, 4, 6, 3), List.of(64, 128, 256, 512), false);

  private final List<Integer> blocks;
  private final List<Integer> widths;
  private final boolean identityShortcuts;

  ResNetArch(List<Integer> blocks, List<Integer> widths, boolean identityShortcuts) {
    this.blocks = blocks;
    this.widths = widths;
    this.identityShortcuts = identityShortcuts;
  }

  /** Returns the number of basic blocks per stage. */
  public List<Integer> blocks() {
    return blocks;
  }

  /** Returns the channels of each stage; the stem has the first stage's. */
  public List<Integer> widths() {
    return widths;
  }

  /**
   * Returns whether downsampling shortcuts are parameter-free (He et al.'s option A for the
   * CIFAR networks: subsample and pad the channels with zeros) rather than a 1x1 convolution with
   * batch norm (option B, for ResNet-18/34).
   */
  public boolean identityShortcuts() {
    return identityShortcuts;
  }

  /** Returns the lower-case name, e.g. {@code resnet20}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code resnet20}, {@code resnet32}, {@code resnet18} or {@code resnet34} (any case).
   *
   * @throws ConvEinsumException for any other name, listing the valid ones
   */
  public static ResNetArch parse(String name) {
    for (ResNetArch a : values()) {
      if (a.id().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return a;
      }
    }
    throw new ConvEinsumException("unknown model '" + name + "'; use one of resnet20, resnet32,"
        + " resnet18, resnet34");
  }
}
