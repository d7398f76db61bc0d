package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.DOT_KC;
import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The float32 row kernels on the Vector API: correlation of output rows with 2-D tap blocks
 * ({@code corrRow}), short rows over all channels and taps at once ({@code corrTaps}), and the
 * vectorised dot products of skinny GEMMs with a long inner dimension.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorRowsFloat {
  private VectorRowsFloat() {}

  /** 4 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  static void corr4F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    FloatVector a1 = FloatVector.fromArray(FS, y, yo + FL);
    FloatVector a2 = FloatVector.fromArray(FS, y, yo + 2 * FL);
    FloatVector a3 = FloatVector.fromArray(FS, y, yo + 3 * FL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, pi + FL).fma(wv, a1);
      a2 = FloatVector.fromArray(FS, p, pi + 2 * FL).fma(wv, a2);
      a3 = FloatVector.fromArray(FS, p, pi + 3 * FL).fma(wv, a3);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
    a2.intoArray(y, yo + 2 * FL);
    a3.intoArray(y, yo + 3 * FL);
  }

  /** 2 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  static void corr2F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    FloatVector a1 = FloatVector.fromArray(FS, y, yo + FL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, pi + FL).fma(wv, a1);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
  }

  /** 1 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  static void corr1F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
  }

  /**
   * C (=|+=) A B with rows of A and columns of B contiguous, as dot products, 4 columns at a time,
   * over blocks of DOT_KC of the inner dimension so that the rows and columns stay in cache.
   */
  static void dotsF(
      int m, int n, int k, float[] a, int aOff, int aRs, float[] b, int bOff, int bCs,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int pc = 0; pc < k; pc += DOT_KC) {
      int kc = Math.min(DOT_KC, k - pc);
      boolean acc = accumulate || pc > 0;
      for (int i = 0; i < m; i++) {
        dotRowF(n, kc, a, aOff + i * aRs + pc, b, bOff + pc, bCs, c, cOff + i * ldc, acc);
      }
    }
  }

  private static void dotRowF(
      int n, int k, float[] a, int ai, float[] b, int bOff, int bCs, float[] c, int row, boolean accumulate) {
    int kv = k / FL * FL;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      int b0 = bOff + j * bCs;
      int b1 = b0 + bCs;
      int b2 = b1 + bCs;
      int b3 = b2 + bCs;
      FloatVector s0 = FloatVector.zero(FS);
      FloatVector s1 = FloatVector.zero(FS);
      FloatVector s2 = FloatVector.zero(FS);
      FloatVector s3 = FloatVector.zero(FS);
      for (int p = 0; p < kv; p += FL) {
        FloatVector av = FloatVector.fromArray(FS, a, ai + p);
        s0 = av.fma(FloatVector.fromArray(FS, b, b0 + p), s0);
        s1 = av.fma(FloatVector.fromArray(FS, b, b1 + p), s1);
        s2 = av.fma(FloatVector.fromArray(FS, b, b2 + p), s2);
        s3 = av.fma(FloatVector.fromArray(FS, b, b3 + p), s3);
      }
      float r0 = s0.reduceLanes(VectorOperators.ADD);
      float r1 = s1.reduceLanes(VectorOperators.ADD);
      float r2 = s2.reduceLanes(VectorOperators.ADD);
      float r3 = s3.reduceLanes(VectorOperators.ADD);
      for (int p = kv; p < k; p++) {
        float av = a[ai + p];
        r0 += av * b[b0 + p];
        r1 += av * b[b1 + p];
        r2 += av * b[b2 + p];
        r3 += av * b[b3 + p];
      }
      if (accumulate) {
        c[row + j] += r0;
        c[row + j + 1] += r1;
        c[row + j + 2] += r2;
        c[row + j + 3] += r3;
      } else {
        c[row + j] = r0;
        c[row + j + 1] = r1;
        c[row + j + 2] = r2;
        c[row + j + 3] = r3;
      }
    }
    for (; j < n; j++) {
      int b0 = bOff + j * bCs;
      FloatVector s0 = FloatVector.zero(FS);
      FloatVector s1 = FloatVector.zero(FS);
      int p = 0;
      for (; p + 2 * FL <= kv; p += 2 * FL) {
        s0 = FloatVector.fromArray(FS, a, ai + p).fma(FloatVector.fromArray(FS, b, b0 + p), s0);
        s1 = FloatVector.fromArray(FS, a, ai + p + FL).fma(FloatVector.fromArray(FS, b, b0 + p + FL), s1);
      }
      if (p < kv) {
        s0 = FloatVector.fromArray(FS, a, ai + p).fma(FloatVector.fromArray(FS, b, b0 + p), s0);
      }
      float r0 = s0.add(s1).reduceLanes(VectorOperators.ADD);
      for (p = kv; p < k; p++) {
        r0 += a[ai + p] * b[b0 + p];
      }
      c[row + j] = accumulate ? c[row + j] + r0 : r0;
    }
  }

  /** Two output vectors at y[yo..]; one flat loop over (channel, tap), see corr4F. */
  static void taps2F(float[] y, int yo, float[] p, int po, int cStride, int channels,
      int[] shift, float[] w, int wOff, int taps) {
    FloatVector a0 = FloatVector.zero(FS);
    FloatVector a1 = FloatVector.zero(FS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int i = row + shift[j];
      a0 = FloatVector.fromArray(FS, p, i).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, i + FL).fma(wv, a1);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
  }

  /** One output vector at y[yo..]. */
  static void taps1F(float[] y, int yo, float[] p, int po, int cStride, int channels,
      int[] shift, float[] w, int wOff, int taps) {
    FloatVector a0 = FloatVector.zero(FS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      a0 = FloatVector.fromArray(FS, p, row + shift[j]).fma(wv, a0);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
  }
}
