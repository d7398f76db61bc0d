package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TensorialLayerTest {

  static LayerSpec spec(Decomposition d, int channels, int stride, int... ranks) {
    LayerSpec.Builder b = LayerSpec.builder().setInChannels(channels).setOutChannels(channels)
        .setKernelSize(3).setDecomposition(d).optStride(stride);
    return d == Decomposition.DENSE ? b.build() : b.optRanks(ranks).build();
  }

  static Stream<Arguments> layers() {
    List<Arguments> out = new ArrayList<>();
    for (Decomposition d : Decomposition.values()) {
      out.add(Arguments.of(d, 1));
      out.add(Arguments.of(d, 2));
    }
    return out.stream();
  }

  /** The tensorial layer equals the dense layer with the rebuilt kernel, forward and backward. */
  @ParameterizedTest(name = "{0} stride {1}")
  @MethodSource("layers")
  void equalsDenseLayerWithRebuiltKernel(Decomposition d, int stride) {
    LayerSpec s = spec(d, 8, stride, 2);
    TensorialLayer layer = TensorialLayer.random(s, 7);
    LayerSpec denseSpec = spec(Decomposition.DENSE, 8, stride);
    TensorialLayer dense = TensorialLayer.of(denseSpec, List.of(layer.reconstruct()));
    Tensor x = Tensor.random(DType.FLOAT64, 3, 1, 8, 5, 5);
    Tensor y = layer.forward(x);
    Tensor yd = dense.forward(x);
    // the default (fast) evaluator agrees with the reference evaluator on both layers
    Tensor yr = layer.withEvaluator(ReferenceLayerEvaluator.create()).forward(x);
    assertTrue(y.maxAbsDifference(yr) < 1e-12 * (1 + Dense.norm(yr)), d + " fast vs reference");
    Tensor ydr = dense.withEvaluator(ReferenceLayerEvaluator.create()).forward(x);
    assertTrue(yd.maxAbsDifference(ydr) < 1e-12 * (1 + Dense.norm(ydr)), d + " dense fast");
    assertArrayEquals(new long[] {1, 8, stride == 1 ? 5 : 3, stride == 1 ? 5 : 3}, y.shape());
    assertArrayEquals(yd.shape(), y.shape());
    assertTrue(y.maxAbsDifference(yd) < 1e-12 * (1 + Dense.norm(yd)), d + " forward");
    Tensor g = Tensor.random(DType.FLOAT64, 4, y.shape());
    LayerGradients lg = layer.backward(x, g);
    LayerGradients dg = dense.backward(x, g);
    assertTrue(lg.input().maxAbsDifference(dg.input()) < 1e-12 * (1 + Dense.norm(dg.input())),
        d + " input gradient");
    assertEquals(s.factorShapes().size(), lg.factors().size());
    // factor gradients: <grad, direction> equals the directional derivative of <g, y>
    List<Tensor> dir = new ArrayList<>();
    List<Tensor> plus = new ArrayList<>();
    List<Tensor> minus = new ArrayList<>();
    double predicted = 0;
    double eps = 1e-4;
    for (int i = 0; i < layer.factors().size(); i++) {
      Tensor f = layer.factors().get(i);
      Tensor v = Tensor.random(DType.FLOAT64, 10 + i, f.shape());
      dir.add(v);
      predicted += dot(lg.factors().get(i), v);
      plus.add(axpy(f, eps, v));
      minus.add(axpy(f, -eps, v));
      assertArrayEquals(f.shape(), lg.factors().get(i).shape());
    }
    double fd = (dot(g, layer.withFactors(plus).forward(x))
        - dot(g, layer.withFactors(minus).forward(x))) / (2 * eps);
    assertEquals(predicted, fd, 1e-6 * (1 + Math.abs(fd)), d + " factor gradients");
  }

  @ParameterizedTest
  @EnumSource(value = Decomposition.class, names = "DENSE", mode = EnumSource.Mode.EXCLUDE)
  void heInitialisationVariance(Decomposition d) {
    int s = 16;
    LayerSpec spec = LayerSpec.builder().setInChannels(s).setOutChannels(16).setKernelSize(3)
        .setDecomposition(d).optCompressionRate(0.3).build();
    double target = 2.0 / (s * 9);
    double sum2 = 0;
    double sum = 0;
    long n = 0;
    int seeds = 400;
    for (int seed = 0; seed < seeds; seed++) {
      Tensor w = TensorialLayer.random(spec, seed).reconstruct();
      for (int i = 0; i < w.size(); i++) {
        double v = w.getFlat(i);
        sum += v;
        sum2 += v * v;
      }
      n += w.size();
    }
    double var = sum2 / n;
    assertEquals(1.0, var / target, 0.12, d + " " + spec);
    assertEquals(0.0, sum / n, 0.05 * Math.sqrt(target), d + " mean");
  }

  @Test
  void denseInitialisationIsHe() {
    LayerSpec spec = spec(Decomposition.DENSE, 32, 1);
    Tensor w = TensorialLayer.random(spec, 1).reconstruct();
    double s2 = 0;
    for (int i = 0; i < w.size(); i++) {
      s2 += w.getFlat(i) * w.getFlat(i);
    }
    assertEquals(1.0, s2 / w.size() / (2.0 / (32 * 9)), 0.05);
  }

  @Test
  void layerOutputVarianceMatchesHeDenseLayer() {
    // a 1x1-spatial check of the output variance through the evaluator: y = sum W x over s, taps
    LayerSpec spec = LayerSpec.builder().setInChannels(8).setOutChannels(8).setKernelSize(3)
        .setDecomposition(Decomposition.TT).optRanks(3).build();
    double target = 2.0; // He: Var(y) = 2 * E[x^2] with E[x^2] = 1 below
    double sum2 = 0;
    long n = 0;
    for (int seed = 0; seed < 40; seed++) {
      Tensor x = gaussian(100 + seed, 1, 8, 3, 3);
      Tensor y = TensorialLayer.random(spec, seed).forward(x);
      // the centre output sees every tap of the 3x3 input
      for (int t = 0; t < 8; t++) {
        double v = y.get(0, t, 1, 1);
        sum2 += v * v;
        n++;
      }
    }
    assertEquals(1.0, sum2 / n / target, 0.3);
  }

  @Test
  void rejectsWrongShapes() {
    LayerSpec s = spec(Decomposition.CP, 8, 1, 2);
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> TensorialLayer.of(s, List.of(Tensor.zeros(DType.FLOAT64, 2, 8))));
    assertEquals("conv_einsum: layer CP has 4 factors, got 1", e.getMessage());
    TensorialLayer layer = TensorialLayer.random(s, 1);
    e = assertThrows(ConvEinsumException.class,
        () -> layer.forward(Tensor.zeros(DType.FLOAT64, 1, 4, 5, 5)));
    assertEquals("conv_einsum: the layer's input must have shape [B, 8, H, W], got [1, 4, 5, 5]",
        e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> TensorialLayer.fromDense(s, Tensor.zeros(DType.FLOAT64, 8, 8, 5, 5)));
    assertTrue(e.getMessage().contains("[T, S, k, k] = [8, 8, 3, 3]"), e.getMessage());
  }

  static Tensor gaussian(long seed, long... shape) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double[] d = new double[(int) Tensor.elementCount(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextGaussian();
    }
    return Tensor.wrap(d, shape);
  }

  static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += a.getFlat(i) * b.getFlat(i);
    }
    return s;
  }

  static Tensor axpy(Tensor x, double a, Tensor v) {
    double[] d = x.toDoubleArray();
    for (int i = 0; i < d.length; i++) {
      d[i] += a * v.getFlat(i);
    }
    return Tensor.wrap(d, x.shape());
  }
}
