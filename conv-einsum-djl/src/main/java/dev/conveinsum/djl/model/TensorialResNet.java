package dev.conveinsum.djl.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.conveinsum.djl.block.TensorialConv2d;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import java.util.List;

/**
 * A residual network whose 3x3 convolutions after the stem are {@link TensorialConv2d}s, as
 * {@link ResNets} builds it.
 *
 * @param block the DJL block: input {@code [B, C, H, W]}, output {@code [B, classes]} logits
 * @param arch the architecture
 * @param decomposition the decomposition of the tensorial convolutions
 * @param rate the compression rate they were built for (1 for DENSE)
 * @param path their path optimizer
 * @param convs the tensorial convolutions, in forward order
 */
public record TensorialResNet(Block block, ResNetArch arch, Decomposition decomposition,
    double rate, String path, List<TensorialConv2d> convs) {

  /** Copies the list. */
  public TensorialResNet {
    convs = List.copyOf(convs);
  }

  /**
   * Returns the number of trainable parameters (batch norm's running statistics excluded), once
   * the block is initialised.
   */
  public long parameters() {
    long n = 0;
    for (Parameter p : block.getParameters().values()) {
      if (p.requiresGradient()) {
        n += p.getArray().size();
      }
    }
    return n;
  }

  /**
   * Returns the trainable parameters the same network would have with dense 3x3 convolutions,
   * once the block is initialised.
   */
  public long denseParameters() {
    long n = parameters();
    for (TensorialConv2d c : convs) {
      LayerSpec s = c.spec();
      n += s.denseParameters() - s.parameters();
    }
    return n;
  }
}
