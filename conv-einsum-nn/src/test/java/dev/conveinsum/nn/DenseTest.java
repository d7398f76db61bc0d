package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenseTest {

  @Test
  void randomizedRangeFinderRecoversALowRankSubspace() {
    int rows = 1030;
    int cols = 1040; // over 2^20 entries: the randomized path
    int rank = 5;
    Tensor a = TensorialLayerTest.gaussian(1, rows, rank);
    Tensor b = TensorialLayerTest.gaussian(2, rank, cols);
    double[] m = Dense.data(Dense.einsum(List.of(new Dense.Op(a, List.of("i", "r")),
        new Dense.Op(b, List.of("r", "j"))), List.of("i", "j")));
    double[] u = Dense.leftSingular(m, rows, cols, rank);
    // || M - U U^T M || / || M ||
    double[] ut = Dense.data(Dense.permute(Tensor.wrap(u, rows, rank), 1, 0));
    double[] utm = Dense.multiply(ut, m, rank, rows, cols);
    double[] proj = Dense.multiply(u, utm, rows, rank, cols);
    double err = Dense.relativeError(Tensor.wrap(proj, rows, cols), Tensor.wrap(m, rows, cols));
    assertTrue(err < 1e-10, "projection error " + err);
    // columns are orthonormal
    double[] g = Dense.multiply(ut, u, rank, rows, rank);
    for (int i = 0; i < rank; i++) {
      for (int j = 0; j < rank; j++) {
        assertEquals(i == j ? 1 : 0, g[i * rank + j], 1e-10);
      }
    }
  }

  @Test
  void einsumAndPermuteAgreeWithLoops() {
    Tensor x = TensorialLayerTest.gaussian(3, 2, 3, 4);
    Tensor p = Dense.permute(x, 2, 0, 1);
    assertArrayEquals(new long[] {4, 2, 3}, p.shape());
    assertEquals(x.get(1, 2, 3), p.get(3, 1, 2), 0);
    Tensor y = TensorialLayerTest.gaussian(4, 3, 5);
    // batch a, contract b, sum out c of x alone
    Tensor z = Dense.einsum(List.of(new Dense.Op(x, List.of("a", "b", "c")),
        new Dense.Op(y, List.of("b", "d"))), List.of("d", "a"));
    for (int d = 0; d < 5; d++) {
      for (int a = 0; a < 2; a++) {
        double s = 0;
        for (int b = 0; b < 3; b++) {
          for (int c = 0; c < 4; c++) {
            s += x.get(a, b, c) * y.get(b, d);
          }
        }
        assertEquals(s, z.get(d, a), 1e-12);
      }
    }
  }
}
