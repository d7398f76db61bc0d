package dev.conveinsum.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.block.TensorialConv2d;
import dev.conveinsum.nn.Decomposition;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds tensorial residual networks: He et al.'s CIFAR ResNet-20/32 (16/32/64 channels) and
 * ResNet-18/34 with a 3x3 stem (64-512 channels), where every 3x3 convolution after the stem is a
 * {@link TensorialConv2d} of one decomposition and compression rate (or dense).
 *
 * <p>Layout (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016): a 3x3 stem
 * convolution (DJL's {@code Conv2d}, no bias) with batch norm and ReLU; stages of basic blocks
 * {@code relu(bn(conv(relu(bn(conv(x))))) + shortcut(x))}, the first block of every stage but
 * the first halving the resolution with stride 2; global average pooling and a linear
 * classifier. Tensorial convolutions have no bias (batch norm follows each). Batch norm, ReLU,
 * pooling and the classifier are DJL's own blocks.
 */
public final class ResNets {
  private ResNets() {}

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link TensorialResNet}s. */
  public static final class Builder {
    private ResNetArch arch;
    private int inChannels;
    private int classes = 10;
    private Decomposition decomposition = Decomposition.DENSE;
    private double rate = 1;
    private String path = "optimal";
    private long seed;

    private Builder() {}

    /** Sets the architecture (required). */
    public Builder setArch(ResNetArch a) {
      this.arch = a;
      return this;
    }

    /** Sets the image channels: 1 (Fashion-MNIST) or 3 (CIFAR-10) (required). */
    public Builder setInChannels(int c) {
      this.inChannels = c;
      return this;
    }

    /** Sets the number of classes (default 10). */
    public Builder optClasses(int n) {
      this.classes = n;
      return this;
    }

    /** Sets the decomposition of the 3x3 convolutions after the stem (default DENSE). */
    public Builder optDecomposition(Decomposition d) {
      this.decomposition = d;
      return this;
    }

    /** Sets the compression rate in (0, 1] of every tensorial convolution (default 1). */
    public Builder optCompressionRate(double r) {
      this.rate = r;
      return this;
    }

    /** Sets the path optimizer of the tensorial convolutions (default {@code optimal}). */
    public Builder optPath(String p) {
      this.path = p;
      return this;
    }

    /** Sets the seed of the tensorial convolutions' initial factors (default 0). */
    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * Validates and builds the (uninitialised) network.
     *
     * @throws ConvEinsumException for a missing architecture, a channel or class count below 1,
     *     a compression rate outside (0, 1], or a rate some layer cannot reach
     */
    public TensorialResNet build() {
      if (arch == null) {
        throw new ConvEinsumException("resnet: the architecture is not set");
      }
      if (inChannels < 1 || classes < 1) {
        throw new ConvEinsumException("resnet: input channels and classes must be >= 1, got "
            + inChannels + " and " + classes);
      }
      if (!(rate > 0 && rate <= 1)) {
        throw new ConvEinsumException("compression rate must be in (0, 1], got " + rate);
      }
      if (decomposition == null) {
        throw new ConvEinsumException("resnet: the decomposition is not set");
      }
      SplittableRandom seeds = new SplittableRandom(seed);
      List<TensorialConv2d> convs = new ArrayList<>();
      List<Integer> widths = arch.widths();
      SequentialBlock net = new SequentialBlock();
      net.add(Conv2d.builder().setFilters(widths.get(0)).setKernelShape(new Shape(3, 3))
              .optPadding(new Shape(1, 1)).optBias(false).build())
          .add(BatchNorm.builder().build())
          .add(Activation.reluBlock());
      int in = widths.get(0);
      for (int stage = 0; stage < widths.size(); stage++) {
        int out = widths.get(stage);
        for (int b = 0; b < arch.blocks().get(stage); b++) {
          int stride = stage > 0 && b == 0 ? 2 : 1;
          TensorialConv2d c1 = conv(in, out, stride, seeds.nextLong());
          TensorialConv2d c2 = conv(out, out, 1, seeds.nextLong());
          convs.add(c1);
          convs.add(c2);
          SequentialBlock main = new SequentialBlock().add(c1).add(BatchNorm.builder().build())
              .add(Activation.reluBlock()).add(c2).add(BatchNorm.builder().build());
          Block shortcut = shortcut(in, out, stride);
          net.add(new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow()
              .add(list.get(1).singletonOrThrow())), List.of(main, shortcut)));
          net.add(Activation.reluBlock());
          in = out;
        }
      }
      net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
          .add(Linear.builder().setUnits(classes).build());
      return new TensorialResNet(net, arch, decomposition,
          decomposition == Decomposition.DENSE ? 1 : rate, path, convs);
    }

    private TensorialConv2d conv(int in, int out, int stride, long convSeed) {
      return TensorialConv2d.builder()
          .setSpec(TensorialConv2d.spec(in, out, 3, stride, 1, decomposition, rate))
          .optBias(false).optPath(path).optSeed(convSeed).build();
    }

    private Block shortcut(int in, int out, int stride) {
      if (in == out && stride == 1) {
        return Blocks.identityBlock();
      }
      if (arch.identityShortcuts()) {
        // option A: keep every stride-th pixel, zero-pad the new channels on both sides
        int padLow = (out - in) / 2;
        int padHigh = out - in - padLow;
        String sub = "..., ::" + stride + ", ::" + stride;
        return new LambdaBlock(list -> {
          NDArray x = list.singletonOrThrow().get(new NDIndex(sub));
          return new NDList(x.pad(new Shape(0, 0, 0, 0, padLow, padHigh), 0));
        }, "shortcutA");
      }
      return new SequentialBlock()
          .add(Conv2d.builder().setFilters(out).setKernelShape(new Shape(1, 1))
              .optStride(new Shape(stride, stride)).optBias(false).build())
          .add(BatchNorm.builder().build());
    }
  }
}
