package dev.conveinsum.djl.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerGradients;
import dev.conveinsum.nn.LayerSpec;
import dev.conveinsum.nn.TensorialLayer;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The blocks against the JVM engine (the oracle), in float64. */
class TensorialConv2dTest {
  static NDArray nd(NDManager m, Tensor t) {
    return m.create(t.toDoubleArray(), new Shape(t.shape()));
  }

  static void assertNear(Tensor want, NDArray got, String what) {
    double[] w = want.toDoubleArray();
    double[] g = got.toType(DataType.FLOAT64, false).toDoubleArray();
    assertEquals(w.length, g.length, what + " size");
    double scale = 0;
    for (double v : w) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 1e-9 * Math.max(1, scale), what + " entry " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Decomposition.class)
  void forwardAndGradientsMatchTheJvmEngine(Decomposition d) {
    int stride = d.ordinal() % 2 == 0 ? 1 : 2;
    LayerSpec spec = TensorialConv2d.spec(8, 8, 3, stride, 1, d, 0.5);
    TensorialLayer layer = TensorialLayer.random(spec, 40 + d.ordinal());
    Tensor x = Tensor.random(DType.FLOAT64, 1, 2, 8, 7, 6);
    long[] ys = spec.outputShape(2, 7, 6);
    Tensor g = Tensor.random(DType.FLOAT64, 2, ys);
    double[] bias = {0.5, -1, 2, 0.25, -0.75, 1.5, 0, 3};
    TensorialConv2d block = TensorialConv2d.builder().setSpec(spec)
        .optInitialFactors(layer.factors()).build();
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT64, new Shape(2, 8, 7, 6));
      block.bias().getArray().set(DoubleBuffer.wrap(bias));
      NDArray xd = nd(m, x);
      xd.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = block.forward(new ParameterStore(m, false), new NDList(xd), true)
            .singletonOrThrow();
        gc.backward(y.mul(nd(m, g)).sum());
      }
      assertArrayEquals(ys, y.getShape().getShape());
      assertArrayEquals(ys, block.getOutputShapes(new Shape[] {new Shape(2, 8, 7, 6)})[0]
          .getShape());
      // oracle: the JVM engine's forward plus the bias, and its vjp
      Tensor want = layer.forward(x);
      double[] wy = want.toDoubleArray();
      int plane = (int) (ys[2] * ys[3]);
      for (int i = 0; i < wy.length; i++) {
        wy[i] += bias[(i / plane) % 8];
      }
      assertNear(Tensor.wrap(wy, ys), y, d + " output");
      LayerGradients grads = layer.backward(x, g);
      assertNear(grads.input(), xd.getGradient(), d + " input gradient");
      List<Parameter> fs = block.factors();
      for (int i = 0; i < fs.size(); i++) {
        assertNear(grads.factors().get(i), fs.get(i).getArray().getGradient(),
            d + " factor " + i + " gradient");
      }
      double[] gb = new double[8];
      double[] gv = g.toDoubleArray();
      for (int i = 0; i < gv.length; i++) {
        gb[(i / plane) % 8] += gv[i];
      }
      assertNear(Tensor.wrap(gb, 8), block.bias().getArray().getGradient(), d + " bias grad");
    }
  }

  @Test
  void fromDenseAtFullRankComputesTheDenseConvolution() {
    // Tucker-2 with ranks T and S is exact (truncated HOSVD keeps everything)
    LayerSpec spec = LayerSpec.builder().setInChannels(3).setOutChannels(4).setKernelSize(3)
        .setDecomposition(Decomposition.TK).optPadding(Padding.explicit(1, 1))
        .optKind(ConvKind.CROSS_CORRELATION).optRanks(4, 3).build();
    Tensor kernel = Tensor.random(DType.FLOAT64, 21, 4, 3, 3, 3);
    Tensor x = Tensor.random(DType.FLOAT64, 22, 2, 3, 5, 5);
    TensorialConv2d block = TensorialConv2d.builder().setSpec(spec).optBias(false)
        .optInitialFactors(TensorialLayer.fromDense(spec, kernel).factors()).build();
    LayerSpec dense = spec.toBuilder().setDecomposition(Decomposition.DENSE).optRanks()
        .build();
    Tensor want = ConvEinsum.einsum(dense.expression(), dense.options(), x, kernel);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT64, new Shape(2, 3, 5, 5));
      NDArray y = block.forward(new ParameterStore(m, false), new NDList(nd(m, x)), false)
          .singletonOrThrow();
      assertNear(want, y, "TK from the dense kernel");
    }
  }

  @Test
  void plansOncePerInputShape() {
    LayerSpec spec = TensorialConv2d.spec(4, 6, 3, 1, 1, Decomposition.CP, 0.5);
    TensorialConv2d block = TensorialConv2d.builder().setSpec(spec).optBias(false).optSeed(3)
        .build();
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(2, 4, 5, 5));
      ParameterStore ps = new ParameterStore(m, false);
      block.forward(ps, new NDList(m.randomNormal(new Shape(2, 4, 5, 5))), false);
      block.forward(ps, new NDList(m.randomNormal(new Shape(2, 4, 5, 5))), false);
      assertEquals(1, block.plannedShapes());
      NDArray y = block.forward(ps, new NDList(m.randomNormal(new Shape(3, 4, 5, 5))), false)
          .singletonOrThrow();
      assertEquals(2, block.plannedShapes());
      assertEquals(new Shape(3, 6, 5, 5), y.getShape());
      assertEquals(null, block.bias());
    }
  }

  @Test
  void sameSeedSameFactorsAndTheirVarianceIsHes() {
    LayerSpec spec = TensorialConv2d.spec(16, 16, 3, 1, 1, Decomposition.DENSE, 1);
    try (NDManager m = NDManager.newBaseManager()) {
      TensorialConv2d a = TensorialConv2d.builder().setSpec(spec).optSeed(5).build();
      TensorialConv2d b = TensorialConv2d.builder().setSpec(spec).optSeed(5).build();
      a.initialize(m, DataType.FLOAT32, new Shape(1, 16, 4, 4));
      b.initialize(m, DataType.FLOAT32, new Shape(1, 16, 4, 4));
      float[] wa = a.factors().get(0).getArray().toFloatArray();
      assertArrayEquals(wa, b.factors().get(0).getArray().toFloatArray());
      double var = 0;
      for (float v : wa) {
        var += v * v;
      }
      var /= wa.length;
      // He: 2 / (S k k) = 2 / 144; 2304 samples give a relative error of about 3 %
      assertEquals(2.0 / 144, var, 0.15 * 2.0 / 144);
    }
  }

  @Test
  void badInitialFactorsAndInputsAreClearErrors() {
    LayerSpec spec = TensorialConv2d.spec(4, 6, 3, 1, 1, Decomposition.CP, 0.5);
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> TensorialConv2d
        .builder().setSpec(spec).optInitialFactors(List.of(Tensor.zeros(DType.FLOAT64, 2, 2)))
        .build());
    assertTrue(e.getMessage().contains("factors"), e.getMessage());
    TensorialConv2d block = TensorialConv2d.builder().setSpec(spec).build();
    e = assertThrows(ConvEinsumException.class,
        () -> block.getOutputShapes(new Shape[] {new Shape(2, 5, 8, 8)}));
    assertTrue(e.getMessage().contains("takes input [B, 4, H, W], got (2, 5, 8, 8)"),
        e.getMessage());
  }

  @Test
  void convEinsumBlockMatchesTheJvmEngine() {
    String expr = "bshw,rs,trhw->bthw|hw";
    ConvSpec same = new ConvSpec(Padding.explicit(1, 1), 1, 1);
    ConvOptions opts = new ConvOptions(ConvKind.CROSS_CORRELATION, java.util.Map.of())
        .with("h", same).with("w", same);
    Tensor x = Tensor.random(DType.FLOAT64, 7, 2, 3, 5, 5);
    Tensor a = Tensor.random(DType.FLOAT64, 8, 4, 3);
    Tensor c = Tensor.random(DType.FLOAT64, 9, 5, 4, 3, 3);
    ConvEinsumBlock block = ConvEinsumBlock.builder().setExpression(expr).optOptions(opts)
        .addParameter("a", a.shape(), (m, s, t) -> nd(m, a).toType(t, false))
        .addParameter("c", c.shape(), (m, s, t) -> nd(m, c).toType(t, false)).build();
    Tensor want = ConvEinsum.einsum(expr, opts, x, a, c);
    Tensor g = Tensor.random(DType.FLOAT64, 10, want.shape());
    List<Tensor> grads = ConvEinsum.vjp(expr, opts, List.of(x, a, c), g);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT64, new Shape(x.shape()));
      NDArray xd = nd(m, x);
      xd.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = block.forward(new ParameterStore(m, false), new NDList(xd), true)
            .singletonOrThrow();
        gc.backward(y.mul(nd(m, g)).sum());
      }
      assertNear(want, y, "output");
      assertArrayEquals(want.shape(), block.getOutputShapes(
          new Shape[] {new Shape(x.shape())})[0].getShape());
      List<NDArray> got = new ArrayList<>();
      got.add(xd.getGradient());
      block.parameters().forEach(p -> got.add(p.getArray().getGradient()));
      for (int i = 0; i < 3; i++) {
        assertNear(grads.get(i), got.get(i), "gradient " + i);
      }
    }
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> ConvEinsumBlock.builder().setExpression(expr).build());
    assertTrue(e.getMessage().contains("has 3 operands but the block has 1 input(s) and 0"
        + " parameter(s)"), e.getMessage());
  }
}
