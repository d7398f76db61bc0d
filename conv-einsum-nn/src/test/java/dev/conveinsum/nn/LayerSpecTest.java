package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class LayerSpecTest {

  static LayerSpec.Builder base(Decomposition d, int s, int t) {
    return LayerSpec.builder().setInChannels(s).setOutChannels(t).setKernelSize(3)
        .setDecomposition(d);
  }

  @Test
  void paperChannelFactorizations() {
    assertEquals(List.of(4, 4, 4), LayerSpec.factorChannels(64, 3));
    assertEquals(List.of(4, 4, 8), LayerSpec.factorChannels(128, 3));
    assertEquals(List.of(4, 8, 8), LayerSpec.factorChannels(256, 3));
    assertEquals(List.of(8, 8, 8), LayerSpec.factorChannels(512, 3));
    assertEquals(List.of(7, 1, 1), LayerSpec.factorChannels(7, 3));
    assertEquals(List.of(2, 3, 1), LayerSpec.factorChannels(6, 3));
    assertEquals(List.of(2, 2, 3), LayerSpec.factorChannels(12, 3));
    assertEquals(List.of(1), LayerSpec.factorChannels(1, 1));
    assertEquals(List.of(4, 4, 4, 4), LayerSpec.factorChannels(256, 4));
    assertEquals(List.of(3, 4, 4), LayerSpec.factorChannels(48, 3));
  }

  @Test
  void primeChannelCountIsNoted() {
    LayerSpec s = base(Decomposition.RCP, 7, 64).optRanks(2).build();
    assertEquals(List.of(7, 1, 1), s.inFactors());
    assertTrue(s.notes().contains("in channels 7 cannot be split into 3 factors > 1; factored"
        + " as 7x1x1 (7 is prime)"), s.notes());
    assertEquals("", base(Decomposition.RCP, 64, 64).optRanks(2).build().notes());
  }

  @Test
  void expressionsAndShapesFollowThePaper() {
    assertEquals("bshw,rt,rs,rh,rw->bthw|hw",
        base(Decomposition.CP, 64, 64).optRanks(2).build().expression());
    assertEquals("bshw,tshw->bthw|hw", base(Decomposition.DENSE, 4, 4).build().expression());
    assertEquals("bshw,pt,qs,pqhw->bthw|hw",
        base(Decomposition.TK, 4, 4).optRanks(2).build().expression());
    assertEquals("bijkhw,pxi,qyj,uzk,vhw,vpqu->bxyzhw|hw",
        base(Decomposition.RTK, 64, 64).optRanks(3).build().expression());
    assertEquals("bijkhw,apxi,pqyj,quzk,uahw->bxyzhw|hw",
        base(Decomposition.RTR, 64, 64).optRanks(3).build().expression());
    LayerSpec tk = base(Decomposition.TK, 5, 7).optRanks(2, 3).build();
    assertEquals(List.of("[2, 7]", "[3, 5]", "[2, 3, 3, 3]"), shapes(tk.factorShapes()));
    assertEquals(2 * 7 + 3 * 5 + 2 * 3 * 9, tk.parameters());
    assertEquals("pt,qs,pqhw->tshw", tk.kernelExpression());
    LayerSpec rtt = base(Decomposition.RTT, 128, 64).optRanks(2, 3, 4).build();
    assertEquals("[128, 4, 4, 8, 16, 16]", Arrays.toString(rtt.inputShape(128, 16, 16)));
    assertEquals(List.of("[2, 4, 4]", "[2, 3, 4, 4]", "[3, 4, 4, 8]", "[4, 3, 3]"),
        shapes(rtt.factorShapes()));
    assertEquals("[128, 64, 8, 8]", Arrays.toString(base(Decomposition.CP, 4, 64).optRanks(2)
        .optStride(2).build().outputShape(128, 16, 16)));
  }

  @ParameterizedTest
  @EnumSource(Decomposition.class)
  void higherOrdersUseNamedIndicesAndBind(Decomposition d) {
    LayerSpec.Builder b = base(d, 16, 32);
    if (d.isReshaped()) {
      b.optOrder(4);
    }
    LayerSpec s = d == Decomposition.DENSE ? b.build() : b.optRanks(2).build();
    List<long[]> shapes = new ArrayList<>();
    shapes.add(s.inputShape(2, 6, 6));
    shapes.addAll(s.factorShapes());
    BoundExpression bound = BoundExpression.bind(Expression.parse(s.expression()), s.options(),
        shapes);
    long[] out = bound.outputShape();
    assertEquals(2, out[0]);
    long t = 1;
    for (int i = 1; i < out.length - 2; i++) {
      t *= out[i];
    }
    assertEquals(32, t);
    if (d.isReshaped()) {
      assertTrue(s.expression().contains("(s4)"), s.expression());
    }
  }

  static Stream<Arguments> grid() {
    int[] channels = {16, 24, 48, 64, 100, 256, 512};
    double[] rates = {0.01, 0.03, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0};
    List<Arguments> out = new ArrayList<>();
    int i = 0;
    for (Decomposition d : BenchList.TENSORIAL) {
      for (int s : channels) {
        for (double c : rates) {
          // subsample: every other combination, alternating T = S and T = 2S
          if ((i++ % 2) == 0) {
            out.add(Arguments.of(d, s, (i % 4 == 1) ? s : Math.min(512, 2 * s), c));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}->{2} rate {3}")
  @MethodSource("grid")
  void largestEqualRankWithinTheRate(Decomposition d, int s, int t, double rate) {
    long dense = (long) s * t * 9;
    LayerSpec spec;
    try {
      spec = base(d, s, t).optCompressionRate(rate).build();
    } catch (ConvEinsumException e) {
      long p1 = base(d, s, t).optRanks(1).build().parameters();
      assertTrue(p1 > rate * dense, "rank 1 fits but the rate was refused: " + e.getMessage());
      assertTrue(e.getMessage().contains("smallest achievable rate is"), e.getMessage());
      return;
    }
    long sum = 0;
    for (long[] shape : spec.factorShapes()) {
      sum += Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }
    assertEquals(sum, spec.parameters());
    assertEquals(dense, spec.denseParameters());
    assertEquals((double) sum / dense, spec.compression(), 1e-15);
    assertTrue(spec.compression() <= rate + 1e-12, spec.toString());
    int r = spec.equalRank();
    assertTrue(r >= 1, spec.toString());
    LayerSpec next = base(d, s, t).optRanks(r + 1).build();
    assertTrue(next.compression() > rate, "rank " + (r + 1) + " also fits: " + next);
  }

  @Test
  void impossibleRequestsSayWhatIsAchievable() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> base(Decomposition.TR, 64, 64).optCompressionRate(0.001).build());
    assertEquals("conv_einsum: layer spec: TR 64->64 k3 cannot reach compression rate 0.001;"
        + " rank 1 already has 134 of 36864 dense parameters, so the smallest achievable rate"
        + " is 0.00363498", e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> base(Decomposition.CP, 0, 64).optRanks(1).build());
    assertEquals("conv_einsum: layer spec: in channels must be >= 1, got 0", e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> base(Decomposition.TT, 8, 8).optRanks(1, 2).build());
    assertTrue(e.getMessage().contains("TT of order 1 has 3 ranks; give 1 (all equal) or 3"),
        e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> base(Decomposition.CP, 8, 8).build());
    assertTrue(e.getMessage().contains("give ranks"), e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> base(Decomposition.CP, 8, 8).optOrder(3).optRanks(2).build());
    assertTrue(e.getMessage().contains("only for reshaped"), e.getMessage());
  }

  @Test
  void optionsDefaultToSameCrossCorrelation() {
    LayerSpec s = base(Decomposition.CP, 8, 8).optRanks(2).optStride(2).optDilation(2)
        .optPadding(Padding.explicit(1, 1)).build();
    assertEquals("{kind=CROSS_CORRELATION, conv={h={padding=[1, 1], stride=2, dilation=2},"
        + " w={padding=[1, 1], stride=2, dilation=2}}}", BenchEntry.options(s).toString());
    assertEquals(Padding.SAME, base(Decomposition.CP, 8, 8).optRanks(2).build().padding());
    assertEquals(s, s.toBuilder().build());
  }

  private static List<String> shapes(List<long[]> l) {
    return l.stream().map(Arrays::toString).toList();
  }
}
