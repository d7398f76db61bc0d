package dev.conveinsum.djl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.nn.Decomposition;
import org.junit.jupiter.api.Test;

class ResNetsTest {
  private static TensorialResNet init(NDManager m, ResNetArch a, int c, Decomposition d,
      double rate, int size) {
    TensorialResNet net = ResNets.builder().setArch(a).setInChannels(c).optDecomposition(d)
        .optCompressionRate(rate).optSeed(1).build();
    net.block().initialize(m, DataType.FLOAT32, new Shape(2, c, size, size));
    return net;
  }

  @Test
  void denseResNet20HasHesParameterCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      // counted by hand: convs 3*16*9 + 6*16*16*9 + (16*32 + 5*32*32 + 32*64 + 5*64*64)*9,
      // batch norm 2 * (7*16 + 6*32 + 6*64), classifier 64*10 + 10
      long convs = 3 * 16 * 9 + 6 * 16 * 16 * 9 + (16 * 32 + 5 * 32 * 32 + 32 * 64
          + 5 * 64 * 64) * 9;
      long want = convs + 2 * (7 * 16 + 6 * 32 + 6 * 64) + 64 * 10 + 10;
      assertEquals(269_722, want);
      TensorialResNet net = init(m, ResNetArch.RESNET20, 3, Decomposition.DENSE, 1, 32);
      assertEquals(want, net.parameters());
      assertEquals(want, net.denseParameters());
      assertEquals(18, net.convs().size());
      NDArray y = net.block().forward(new ParameterStore(m, false),
          new NDList(m.randomNormal(new Shape(2, 3, 32, 32))), false).singletonOrThrow();
      assertEquals(new Shape(2, 10), y.getShape());
    }
  }

  @Test
  void cpResNet20OnFashionMnistCountsAsByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      TensorialResNet net = init(m, ResNetArch.RESNET20, 1, Decomposition.CP, 0.1, 28);
      // CP rank R per layer: largest R with R (T + S + 3 + 3) <= 0.1 T S 9:
      // 16->16: R 6 (228), 16->32: R 8 (432), 32->32: R 13 (910), 32->64: R 18 (1836),
      // 64->64: R 27 (3618)
      long cp = 6 * 228 + 432 + 5 * 910 + 1836 + 5 * 3618;
      long rest = 1 * 16 * 9 + 2 * (7 * 16 + 6 * 32 + 6 * 64) + 650;
      assertEquals(cp + rest, net.parameters());
      assertEquals(269_722 - 2 * 16 * 9, net.denseParameters());
      NDArray y = net.block().forward(new ParameterStore(m, false),
          new NDList(m.randomNormal(new Shape(2, 1, 28, 28))), true).singletonOrThrow();
      assertEquals(new Shape(2, 10), y.getShape());
    }
  }

  @Test
  void resNet18And34MatchTheKnownCifarCounts() {
    // the widely quoted counts of the CIFAR ResNet-18/34 (3x3 stem, 1x1 projection shortcuts,
    // 10 classes): 11,173,962 and 21,282,122
    try (NDManager m = NDManager.newBaseManager()) {
      TensorialResNet r18 = init(m, ResNetArch.RESNET18, 3, Decomposition.DENSE, 1, 32);
      assertEquals(11_173_962, r18.parameters());
      NDArray y = r18.block().forward(new ParameterStore(m, false),
          new NDList(m.randomNormal(new Shape(1, 3, 32, 32))), false).singletonOrThrow();
      assertEquals(new Shape(1, 10), y.getShape());
    }
    try (NDManager m = NDManager.newBaseManager()) {
      TensorialResNet r34 = init(m, ResNetArch.RESNET34, 3, Decomposition.DENSE, 1, 32);
      assertEquals(21_282_122, r34.parameters());
      assertEquals(32, r34.convs().size());
    }
  }

  @Test
  void everyDecompositionBuildsAndRuns() {
    assertEquals(30, ResNets.builder().setArch(ResNetArch.RESNET32).setInChannels(1).build()
        .convs().size());
    for (Decomposition d : Decomposition.values()) {
      try (NDManager m = NDManager.newBaseManager()) {
        TensorialResNet net = init(m, ResNetArch.RESNET20, 1, d, 0.1, 8);
        assertEquals(18, net.convs().size());
        assertTrue(net.parameters() < net.denseParameters() || d == Decomposition.DENSE, d
            + " compresses");
        NDArray y = net.block().forward(new ParameterStore(m, false),
            new NDList(m.randomNormal(new Shape(2, 1, 8, 8))), true).singletonOrThrow();
        assertEquals(new Shape(2, 10), y.getShape());
      }
    }
  }

  @Test
  void badArchitectureAndRateAreClearErrors() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> ResNetArch.parse("resnet50"));
    assertTrue(e.getMessage().endsWith("unknown model 'resnet50'; use one of resnet20, resnet32,"
        + " resnet18, resnet34"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> ResNets.builder()
        .setArch(ResNetArch.RESNET20).setInChannels(1).optDecomposition(Decomposition.CP)
        .optCompressionRate(1.5).build());
    assertTrue(e.getMessage().endsWith("compression rate must be in (0, 1], got 1.5"),
        e.getMessage());
  }
}
