package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvChooser.Form;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(2x2, 3x3) form ({@link ConvWinogradFloat} and its float64 twin) against the
 * loop oracle: odd and even output sizes, 1x1 planes, VALID, SAME and asymmetric padding, flip
 * and not, channel counts that are not multiples of the vector width, groups, accumulation,
 * several threads and blocks that span batch entries; and where the chooser takes it.
 *
 * <p>Tolerance: each output is {@code A^T [sum_c U_c . V_c] A}; V sums 4 inputs per element
 * (coefficients of absolute sum at most 4), U at most 2.25 times the largest filter element, and
 * the output transform sums 9 elements of M, so the transformed terms are bounded by about
 * {@code 81 * C * 9 * max|x| * max|w|}, against {@code 9 * C * max|x| * max|w|} for the direct
 * sum. The rounding error is a small multiple of the unit roundoff times that bound; the test
 * allows 4 of them ({@code 4 * 81 * 9 * C * eps * max|x| * max|w|}), far below the O(1) errors
 * of a wrong tap, tile or edge.
 */
class ConvWinogradTest {

  private static ConvDim dim(int in, int padLeft, int padRight, boolean flip) {
    return new ConvDim(in, 3, in + padLeft + padRight - 2, 1, 1, padLeft, flip, 0);
  }

  @Test
  void randomProblemsMatchTheOracle() {
    Random r = new Random(1414);
    boolean sawOddH = false;
    boolean sawEvenH = false;
    for (int i = 0; i < 70; i++) {
      int h = 1 + r.nextInt(13);
      int w = 1 + r.nextInt(13);
      int[] ph = pads(r, h);
      int[] pw = pads(r, w);
      ConvDim dh = dim(h, ph[0], ph[1], r.nextBoolean());
      ConvDim dw = dim(w, pw[0], pw[1], r.nextBoolean());
      int g = 1 + r.nextInt(2);
      int b = 1 + r.nextInt(3);
      int t = 1 + r.nextInt(21);
      int c = 1 + r.nextInt(21);
      ConvProblem p = ConvProblem.of(g, b, t, c, dh, dw);
      sawOddH |= dh.outLength() % 2 == 1;
      sawEvenH |= dh.outLength() % 2 == 0;
      int threads = 1 + r.nextInt(3);
      boolean acc = r.nextInt(4) == 0;
      check(p, r, threads, acc);
    }
    assertTrue(sawOddH && sawEvenH);
  }

  /** Padding with output 1x1 (a single partial tile) and 1x1 inputs. */
  @Test
  void tinyPlanes() {
    Random r = new Random(5);
    check(ConvProblem.of(1, 2, 3, 5, dim(1, 1, 1, false), dim(1, 1, 1, true)), r, 1, false);
    check(ConvProblem.of(1, 1, 17, 18, dim(3, 0, 0, true), dim(3, 0, 0, false)), r, 2, false);
    check(ConvProblem.of(2, 3, 4, 3, dim(2, 1, 0, false), dim(1, 2, 0, false)), r, 3, true);
  }

  /** The bars workloads' shapes (with a smaller batch): DENSE 56x56 64 channels, RCP 16x16 128. */
  @Test
  void barsShapes() {
    Random r = new Random(9);
    check(ConvProblem.of(1, 2, 64, 64, dim(56, 1, 1, false), dim(56, 1, 1, false)), r, 2, false);
    check(ConvProblem.of(1, 3, 128, 128, dim(16, 1, 1, true), dim(16, 1, 1, true)), r, 3, false);
    check(ConvProblem.of(1, 5, 28, 28, dim(16, 1, 1, false), dim(16, 1, 1, false)), r, 2, true);
  }

  private static int[] pads(Random r, int n) {
    while (true) {
      int lo = r.nextInt(3);
      int hi = r.nextInt(3);
      if (n + lo + hi - 2 >= 1) {
        return new int[] {lo, hi};
      }
    }
  }

  private static void check(ConvProblem p, Random r, int threads, boolean acc) {
    int c = p.inChannels();
    double[] xd = new double[(int) p.inputSize()];
    double[] wd = new double[(int) p.filterSize()];
    double[] y0 = new double[(int) p.outputSize()];
    for (int i = 0; i < xd.length; i++) {
      xd[i] = r.nextDouble() * 2 - 1;
    }
    for (int i = 0; i < wd.length; i++) {
      wd[i] = r.nextDouble() * 2 - 1;
    }
    for (int i = 0; i < y0.length; i++) {
      y0[i] = acc ? r.nextDouble() * 2 - 1 : Double.NaN;
    }
    float[] xf = new float[xd.length];
    float[] wf = new float[wd.length];
    float[] yf0 = new float[y0.length];
    for (int i = 0; i < xd.length; i++) {
      xf[i] = (float) xd[i];
      xd[i] = xf[i];
    }
    for (int i = 0; i < wd.length; i++) {
      wf[i] = (float) wd[i];
      wd[i] = wf[i];
    }
    for (int i = 0; i < y0.length; i++) {
      yf0[i] = (float) y0[i];
      y0[i] = acc ? yf0[i] : y0[i];
    }
    double[] want = y0.clone();
    ConvKernel.reference(p, xd, 0, wd, 0, want, 0, acc);
    double bound = 81.0 * 9 * c;
    for (CpuKernels kern : new CpuKernels[] {VectorSupport.kernels(), VectorSupport.scalarKernels()}) {
      double[] yd = y0.clone();
      ConvDouble.convolve(kern, p, xd, 0, wd, 0, yd, 0, acc, Algorithm.WINOGRAD, Parallelism.of(threads));
      float[] yf = yf0.clone();
      ConvFloat.convolve(kern, p, xf, 0, wf, 0, yf, 0, acc, Algorithm.WINOGRAD, Parallelism.of(threads));
      double tol64 = 4 * bound * Math.ulp(1.0) / 2;
      double tol32 = 4 * bound * Math.ulp(1.0f) / 2;
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], yd[i], tol64, "float64 " + i + " " + p + " " + kern.name());
        assertEquals(want[i], yf[i], tol32, "float32 " + i + " " + p + " " + kern.name());
      }
    }
  }

  /** The chooser takes Winograd for the DENSE and RCP conv steps, not for few channels. */
  @Test
  void chooserTakesItForManyChannelsOnly() {
    ConvDim s56 = dim(56, 1, 1, false);
    ConvDim s16 = dim(16, 1, 1, false);
    assertEquals(Form.WINOGRAD, ConvChooser.form(ConvProblem.of(1, 32, 64, 64, s56, s56)));
    assertEquals(Form.WINOGRAD, ConvChooser.form(ConvProblem.of(1, 32, 128, 128, s16, s16)));
    // TK (28 channels at 16x16) measured 1.5x slower in Winograd form than implicit im2col
    assertEquals(Form.IMPLICIT, ConvChooser.form(ConvProblem.of(1, 32, 28, 28, s16, s16)));
    assertNotEquals(Form.WINOGRAD, ConvChooser.form(ConvProblem.of(1, 32, 2, 3, s16, s16)));
    assertNotEquals(Form.WINOGRAD, ConvChooser.form(ConvProblem.of(64, 1, 1, 1, s16, s16)));
    // not applicable: stride 2, 5x5, periodic, 1-D
    ConvDim s2 = new ConvDim(16, 3, 8, 2, 1, 1, false, 0);
    assertFalse(new ConvLayout(ConvProblem.of(1, 2, 64, 64, s2, s2)).winograd());
    ConvDim k5 = new ConvDim(16, 5, 16, 1, 1, 2, false, 0);
    assertFalse(new ConvLayout(ConvProblem.of(1, 2, 64, 64, k5, k5)).winograd());
    ConvDim per = new ConvDim(16, 3, 16, 1, 1, 1, false, 16);
    assertFalse(new ConvLayout(ConvProblem.of(1, 2, 64, 64, per, per)).winograd());
    assertFalse(new ConvLayout(ConvProblem.of(1, 2, 64, 64, s16)).winograd());
    assertThrows(IllegalArgumentException.class, () -> ConvKernel.convolve(
        ConvProblem.of(1, 1, 1, 1, s2, s2), new float[256], 0, new float[9], 0, new float[64], 0, false,
        Algorithm.WINOGRAD, Parallelism.serial()));
  }
}
