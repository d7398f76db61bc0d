package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conveinsum.concurrent.Parallelism;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GemmTest {

  private static final int[] SIZES = {1, 2, 3, 7, 8, 9, 13, 16, 17, 31, 32, 33, 37, 64, 65, 97, 130};

  /** Naive triple loop in double precision. */
  static double[] naive(int g, int m, int n, int k, double[] a, boolean ta, double[] b, boolean tb, double[] c0, boolean acc) {
    double[] c = new double[g * m * n];
    for (int q = 0; q < g; q++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = acc ? c0[q * m * n + i * n + j] : 0;
          for (int p = 0; p < k; p++) {
            double av = ta ? a[q * m * k + p * m + i] : a[q * m * k + i * k + p];
            double bv = tb ? b[q * k * n + j * k + p] : b[q * k * n + p * n + j];
            s += av * bv;
          }
          c[q * m * n + i * n + j] = s;
        }
      }
    }
    return c;
  }

  static double[] random(Random r, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble() * 2 - 1;
    }
    return x;
  }

  static float[] toFloat(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }

  static void assertClose(double[] want, double[] got, int off, double tol, String msg) {
    for (int i = 0; i < want.length; i++) {
      double w = want[i];
      double d = Math.abs(got[off + i] - w);
      if (!(d <= tol * (1 + Math.abs(w)))) {
        throw new AssertionError(msg + ": index " + i + " want " + w + " got " + got[off + i]);
      }
    }
  }

  static void assertClose(double[] want, float[] got, int off, double tol, String msg) {
    assertClose(want, toDouble(got), off, tol, msg);
  }

  private void runRandom(CpuKernels kern, long seed, int cases, int maxDim) {
    Random r = new Random(seed);
    for (int t = 0; t < cases; t++) {
      int m = r.nextBoolean() ? SIZES[r.nextInt(SIZES.length)] : 1 + r.nextInt(maxDim);
      int n = r.nextBoolean() ? SIZES[r.nextInt(SIZES.length)] : 1 + r.nextInt(maxDim);
      int k = r.nextBoolean() ? SIZES[r.nextInt(SIZES.length)] : 1 + r.nextInt(maxDim);
      int g = 1 + r.nextInt(3);
      boolean ta = r.nextBoolean();
      boolean tb = r.nextBoolean();
      boolean acc = r.nextBoolean();
      int threads = 1 + r.nextInt(2);
      int aOff = r.nextInt(5);
      int bOff = r.nextInt(5);
      int cOff = r.nextInt(5);
      double[] a = random(r, g * m * k);
      double[] b = random(r, g * k * n);
      double[] c0 = random(r, g * m * n);
      double[] want = naive(g, m, n, k, a, ta, b, tb, c0, acc);
      String msg = String.format("seed=%d case=%d g=%d m=%d n=%d k=%d ta=%b tb=%b acc=%b threads=%d %s",
          seed, t, g, m, n, k, ta, tb, acc, threads, kern.name());

      double[] ad = pad(a, aOff);
      double[] bd = pad(b, bOff);
      double[] cd = pad(c0, cOff);
      if (!acc) {
        java.util.Arrays.fill(cd, cOff, cOff + c0.length, Double.NaN); // must be ignored
      }
      GemmDouble.dgemm(kern, g, m, n, k, ad, aOff, ta, bd, bOff, tb, cd, cOff, acc, Parallelism.of(threads));
      assertClose(want, cd, cOff, 1e-9, "double " + msg);
      assertEquals(-7.0, cd[cd.length - 1], "guard after C overwritten: " + msg);

      float[] af = toFloat(ad);
      float[] bf = toFloat(bd);
      float[] cf = toFloat(pad(c0, cOff));
      // reference in double from the float-rounded inputs
      double[] wantF = naive(g, m, n, k, toDouble(slice(af, aOff, a.length)), ta,
          toDouble(slice(bf, bOff, b.length)), tb, toDouble(slice(cf, cOff, c0.length)), acc);
      GemmFloat.sgemm(kern, g, m, n, k, af, aOff, ta, bf, bOff, tb, cf, cOff, acc, Parallelism.of(threads));
      assertClose(wantF, cf, cOff, 1e-4, "float " + msg);
      assertEquals(-7f, cf[cf.length - 1], "guard after C overwritten: " + msg);
    }
  }

  /** Copies x at offset off into a larger array with a -7 guard element at the end. */
  static double[] pad(double[] x, int off) {
    double[] p = new double[off + x.length + 1];
    java.util.Arrays.fill(p, -7);
    System.arraycopy(x, 0, p, off, x.length);
    return p;
  }

  static float[] slice(float[] x, int off, int len) {
    return java.util.Arrays.copyOfRange(x, off, off + len);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void activeKernelsMatchNaiveLoop(long seed) {
    runRandom(VectorSupport.kernels(), seed, 60, 140);
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12})
  void scalarFallbackMatchesNaiveLoop(long seed) {
    runRandom(VectorSupport.scalarKernels(), seed, 40, 140);
  }

  /**
   * Every row count whose last panel is short (m mod 8 or m mod 6 from 1 to 7, the 4-row tail
   * tile included, e.g. the 28 channels of a TK layer), with whole and partial column tiles,
   * depths of 1, one block and two blocks, B in place and packed (transposed), A packed per call
   * and packed once beforehand, C overwritten (NaN-filled) or accumulated: float32 and float64 against the naive loop.
   */
  @Test
  void shortLastPanelsMatchNaiveLoop() {
    Random r = new Random(28);
    int[] ms = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 20, 28, 29, 30, 60};
    int[][] nks = {{32, 1}, {64, 28}, {45, 300}, {96, 56}};
    for (int m : ms) {
      for (int[] nk : nks) {
        int n = nk[0];
        int k = nk[1];
        boolean tb = (m + n) % 3 == 0;
        boolean acc = (m + k) % 2 == 0;
        double[] a = random(r, m * k);
        double[] b = random(r, k * n);
        double[] c0 = random(r, m * n);
        String msg = m + "x" + n + "x" + k + " tb=" + tb + " acc=" + acc;
        double[] cd = c0.clone();
        if (!acc) {
          java.util.Arrays.fill(cd, Double.NaN);
        }
        Gemm.dgemm(1, m, n, k, a, 0, false, b, 0, tb, cd, 0, acc, Parallelism.serial());
        assertClose(naive(1, m, n, k, a, false, b, tb, c0, acc), cd, 0, 1e-9, "double " + msg);
        float[] af = toFloat(a);
        float[] bf = toFloat(b);
        float[] cf = toFloat(c0);
        double[] wantF = naive(1, m, n, k, toDouble(af), false, toDouble(bf), tb, toDouble(cf), acc);
        if (!acc) {
          java.util.Arrays.fill(cf, Float.NaN);
        }
        Gemm.sgemm(1, m, n, k, af, 0, false, bf, 0, tb, cf, 0, acc, Parallelism.serial());
        assertClose(wantF, cf, 0, 1e-4, "float " + msg);
        // A packed once beforehand (the shared-weight products of 1x1 steps), C overwritten
        double[] cs = new double[m * n];
        java.util.Arrays.fill(cs, Double.NaN);
        GemmDouble.dgemmSharedA(VectorSupport.kernels(), 1, m, n, k, a, 0, false, b, 0, tb, cs, 0,
            Parallelism.serial());
        assertClose(naive(1, m, n, k, a, false, b, tb, c0, false), cs, 0, 1e-9,
            "double shared A " + msg);
        float[] csf = new float[m * n];
        java.util.Arrays.fill(csf, Float.NaN);
        GemmFloat.sgemmSharedA(VectorSupport.kernels(), 1, m, n, k, af, 0, false, bf, 0, tb, csf,
            0, Parallelism.serial());
        assertClose(naive(1, m, n, k, toDouble(af), false, toDouble(bf), tb, c0, false),
            csf, 0, 1e-4, "float shared A " + msg);
      }
    }
  }

  @Test
  void largeShapesCrossBlockBoundaries() {
    // K > KC (256), N > NC (512 floats / 256 doubles), M > 32 so B is packed, a skinny M <= 32,
    // and M > N so two threads split the rows instead of the columns.
    Random r = new Random(99);
    int[][] shapes = {{70, 530, 300}, {20, 600, 270}, {9, 1100, 5}, {300, 40, 100}};
    for (int[] s : shapes) {
      for (boolean tb : new boolean[] {false, true}) {
        int m = s[0], n = s[1], k = s[2];
        double[] a = random(r, m * k);
        double[] b = random(r, k * n);
        double[] want = naive(1, m, n, k, a, false, b, tb, null, false);
        double[] c = new double[m * n];
        Gemm.dgemm(1, m, n, k, a, 0, false, b, 0, tb, c, 0, false, Parallelism.of(2));
        assertClose(want, c, 0, 1e-9, "double " + m + "x" + n + "x" + k + " tb=" + tb);
        float[] cf = new float[m * n];
        Gemm.sgemm(1, m, n, k, toFloat(a), 0, false, toFloat(b), 0, tb, cf, 0, false, Parallelism.of(2));
        double[] wantF = naive(1, m, n, k, toDouble(toFloat(a)), false, toDouble(toFloat(b)), tb, null, false);
        assertClose(wantF, cf, 0, 1e-4, "float " + m + "x" + n + "x" + k + " tb=" + tb);
      }
    }
  }

  @Test
  void workloadShapesMatchNaiveLoop() {
    // the tensorial-layer GEMMs (scaled down): tall-skinny, huge K with tiny M and N (dot
    // products), and many tiny batched products; F is stored transposed as in CpuEngine
    Random r = new Random(7);
    int[][] shapes = {{1, 1000, 40, 32}, {1, 700, 24, 70}, {1, 20, 9, 3000}, {1, 7, 3, 5000},
        {1, 1, 3, 8192}, {1, 5, 15, 999}, {1, 56, 33, 1200}, {140, 64, 9, 1}, {140, 16, 16, 1},
        {140, 16, 1, 16}, {13, 3, 5, 700}, {1, 256, 70, 140}};
    for (int[] s : shapes) {
      for (int threads = 1; threads <= 2; threads++) {
        for (boolean acc : new boolean[] {false, true}) {
          int g = s[0], m = s[1], n = s[2], k = s[3];
          double[] a = random(r, g * m * k);
          double[] b = random(r, g * k * n);
          double[] c0 = random(r, g * m * n);
          String msg = g + "x" + m + "x" + n + "x" + k + " threads=" + threads + " acc=" + acc;
          double[] want = naive(g, m, n, k, a, false, b, true, c0, acc);
          double[] c = c0.clone();
          Gemm.dgemm(g, m, n, k, a, 0, false, b, 0, true, c, 0, acc, Parallelism.of(threads));
          assertClose(want, c, 0, 1e-9, "double " + msg);
          float[] cf = toFloat(c0);
          double[] wantF = naive(g, m, n, k, toDouble(toFloat(a)), false, toDouble(toFloat(b)), true,
              toDouble(cf), acc);
          Gemm.sgemm(g, m, n, k, toFloat(a), 0, false, toFloat(b), 0, true, cf, 0, acc, Parallelism.of(threads));
          assertClose(wantF, cf, 0, 1e-4, "float " + msg);
        }
      }
    }
  }

  @Test
  void productsSharingOneAPackItOnceWithTheResultsOfOneProductEach() {
    // {batch, m, n, k, transA, transB}: the 1x1 steps of the CP/TK/TR layers (Y[T,B] = F X, F
    // shared, plain or transposed), K past one depth block, and shapes the kernels do not pack
    // A for (tiny, and few columns: computed transposed)
    int[][] shapes = {{5, 56, 40, 128, 0, 0}, {4, 128, 33, 56, 1, 0}, {3, 25, 100, 64, 0, 0},
        {3, 70, 20, 270, 0, 1}, {2, 7, 9, 3, 0, 0}, {3, 40, 3, 64, 1, 0}};
    Random r = new Random(41);
    for (int[] s : shapes) {
      int g = s[0], m = s[1], n = s[2], k = s[3];
      boolean ta = s[4] == 1, tb = s[5] == 1;
      double[] a = random(r, m * k);
      double[] b = random(r, g * k * n);
      float[] af = toFloat(a);
      float[] bf = toFloat(b);
      double[] aBig = new double[g * m * k];
      double[] aAbs = new double[g * m * k];
      double[] bAbs = new double[b.length];
      for (int q = 0; q < g; q++) {
        for (int e = 0; e < m * k; e++) {
          aBig[q * m * k + e] = af[e];
          aAbs[q * m * k + e] = Math.abs(af[e]);
        }
      }
      for (int e = 0; e < b.length; e++) {
        bAbs[e] = Math.abs(bf[e]);
      }
      // float64 loop oracle on the float inputs; float32 error bound 2 K eps sum |a| |b|
      double[] want = naive(g, m, n, k, aBig, ta, toDouble(bf), tb, null, false);
      double[] bound = naive(g, m, n, k, aAbs, ta, bAbs, tb, null, false);
      for (int threads = 1; threads <= 2; threads++) {
        String msg = g + "x" + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " threads=" + threads;
        float[] c = new float[g * m * n];
        java.util.Arrays.fill(c, Float.NaN); // overwritten, never read
        GemmFloat.sgemmSharedA(VectorSupport.kernels(), g, m, n, k, af, 0, ta, bf, 0, tb, c, 0,
            Parallelism.of(threads));
        for (int e = 0; e < c.length; e++) {
          double tol = 2.0 * k * Math.ulp(1.0f) / 2 * bound[e] + 1e-30;
          if (!(Math.abs(c[e] - want[e]) <= tol)) {
            throw new AssertionError(msg + ": index " + e + " want " + want[e] + " got " + c[e]);
          }
        }
        for (int q = 0; q < g; q++) {
          float[] one = new float[m * n];
          Gemm.sgemm(1, m, n, k, af, 0, ta, bf, q * k * n, tb, one, 0, false, Parallelism.serial());
          for (int e = 0; e < m * n; e++) {
            assertEquals(Float.floatToIntBits(one[e]), Float.floatToIntBits(c[q * m * n + e]),
                msg + ": product " + q + " index " + e + " differs from its own GEMM");
          }
        }
        double[] cd = new double[g * m * n];
        GemmDouble.dgemmSharedA(VectorSupport.kernels(), g, m, n, k, a, 0, ta, b, 0, tb, cd, 0,
            Parallelism.of(threads));
        double[] wantD = naive(g, m, n, k, repeat(a, g), ta, b, tb, null, false);
        assertClose(wantD, cd, 0, 1e-12, "double " + msg);
      }
    }
  }

  private static double[] repeat(double[] x, int times) {
    double[] out = new double[x.length * times];
    for (int q = 0; q < times; q++) {
      System.arraycopy(x, 0, out, q * x.length, x.length);
    }
    return out;
  }

  @Test
  void zeroInnerDimensionClearsOrKeepsC() {
    float[] c = {1, 2, 3, 4};
    Gemm.sgemm(1, 2, 2, 0, new float[0], 0, false, new float[0], 0, false, c, 0, true);
    assertEquals(1f, c[0]);
    Gemm.sgemm(1, 2, 2, 0, new float[0], 0, false, new float[0], 0, false, c, 0, false);
    assertEquals(0f, c[3]);
  }

  @Test
  void rejectsOutOfBoundsArrays() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> Gemm.sgemm(2, 3, 3, 3, new float[17], 0, false, new float[18], 0, false, new float[18], 0, false));
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.dgemm(1, -1, 3, 3, new double[9], 0, false, new double[9], 0, false, new double[9], 0, false));
  }
}
