package dev.conveinsum.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.conveinsum.tensor.Tensor;

/** Element-wise comparison |got - want| <= tol * (1 + |want|), shapes equal. */
public final class Tolerance {
  /** Tolerance for float64 evaluation. */
  public static final double FLOAT64 = 1e-9;
  /** Tolerance for float32 evaluation. */
  public static final double FLOAT32 = 1e-4;

  private Tolerance() {}

  public static void assertClose(Tensor want, Tensor got, double tol, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    for (int i = 0; i < want.size(); i++) {
      double w = want.getFlat(i);
      double g = got.getFlat(i);
      if (!(Math.abs(g - w) <= tol * (1 + Math.abs(w)))) {
        fail(what + ": element " + i + " is " + g + ", want " + w + " (tol " + tol + ")");
      }
    }
  }
}
