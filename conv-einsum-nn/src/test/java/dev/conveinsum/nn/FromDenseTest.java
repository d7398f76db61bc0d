package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FromDenseTest {

  /** Equal ranks to try, the last one full (exact) for 8 -> 8 channels, 3x3 (8 = 2x2x2). */
  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of(Decomposition.DENSE, new int[] {0}),
        // CP: exact once R >= 8 * 9 (all modes but the largest)
        Arguments.of(Decomposition.CP, new int[] {1, 4, 12, 72}),
        // RCP modes (4, 4, 4, 9): exact at 4 * 4 * 4
        Arguments.of(Decomposition.RCP, new int[] {1, 4, 12, 64}),
        Arguments.of(Decomposition.TK, new int[] {1, 2, 4, 6, 8}),
        Arguments.of(Decomposition.RTK, new int[] {1, 2, 4, 9}),
        // TT ranks t | h w s: 8, 24, 8
        Arguments.of(Decomposition.TT, new int[] {1, 2, 4, 8, 16, 24}),
        // RTT modes (4, 4, 4, 9): ranks 4, 16, 9
        Arguments.of(Decomposition.RTT, new int[] {1, 2, 4, 8, 16}),
        Arguments.of(Decomposition.TR, new int[] {1, 2, 4, 8, 24}),
        Arguments.of(Decomposition.RTR, new int[] {1, 2, 4, 16}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  void errorFallsWithRankAndVanishesAtFullRank(Decomposition d, int[] ranks) {
    Tensor w = TensorialLayerTest.gaussian(42, 8, 8, 3, 3);
    double[] err = new double[ranks.length];
    for (int i = 0; i < ranks.length; i++) {
      LayerSpec.Builder b = LayerSpec.builder().setInChannels(8).setOutChannels(8)
          .setKernelSize(3).setDecomposition(d);
      LayerSpec spec = d == Decomposition.DENSE ? b.build() : b.optRanks(ranks[i]).build();
      err[i] = TensorialLayer.fromDense(spec, w).relativeError(w);
    }
    String msg = d + " errors " + Arrays.toString(err);
    for (int i = 1; i < err.length; i++) {
      assertTrue(err[i] <= err[i - 1] + 1e-9, msg);
    }
    if (err.length > 1) {
      assertTrue(err[err.length - 2] < err[0], msg);
      assertTrue(err[0] > 0.1, msg);
    }
    assertTrue(err[err.length - 1] < 1e-8, msg);
  }

  @Test
  void unequalRanksAndLowRankKernelsAreRecovered() {
    // a kernel of Tucker ranks (2, 3) is recovered exactly by TK at ranks (2, 3)
    LayerSpec tk = LayerSpec.builder().setInChannels(6).setOutChannels(5).setKernelSize(3)
        .setDecomposition(Decomposition.TK).optRanks(2, 3).build();
    Tensor w = TensorialLayer.random(tk, 3).reconstruct();
    assertTrue(TensorialLayer.fromDense(tk, w).relativeError(w) < 1e-10);
    // a rank-3 CP kernel is recovered by ALS at rank 3
    LayerSpec cp = LayerSpec.builder().setInChannels(6).setOutChannels(5).setKernelSize(3)
        .setDecomposition(Decomposition.CP).optRanks(3).build();
    Tensor c = TensorialLayer.random(cp, 5).reconstruct();
    double e = TensorialLayer.fromDense(cp, c,
        new DecomposeOptions(2000, 1e-16, 1)).relativeError(c);
    assertTrue(e < 1e-4, "CP ALS error " + e);
    // a TT kernel is recovered by TT-SVD at its ranks
    LayerSpec tt = LayerSpec.builder().setInChannels(6).setOutChannels(5).setKernelSize(3)
        .setDecomposition(Decomposition.TT).optRanks(2, 3, 2).build();
    Tensor t = TensorialLayer.random(tt, 9).reconstruct();
    assertTrue(TensorialLayer.fromDense(tt, t).relativeError(t) < 1e-10);
  }
}
