package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

/**
 * The summed 1x1 weight gradient's row dot products ({@link SumGroupsFloat#gemmDots}) over rows
 * of whole vectors: 4 x 6 register blocks ({@link VectorDotsFloat#dot46F}), the last 4 or 8
 * columns in 4 x 4 blocks. Loaded reflectively by {@link SumGroupsFloat} only when the Vector API
 * runs the kernels on AVX-512.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorSumDotsFloat implements SumGroupsFloat.Dots {

  @Override
  public boolean supported() {
    // 24 accumulators and 4 + 1 operand vectors need the 32 registers of AVX-512
    return FS.vectorBitSize() >= 512;
  }

  @Override
  public int lanes() {
    return FL;
  }

  @Override
  public void dots(int m, int n, int len, float[] a, int[] aRows, int[] aSeg, float[] b,
      int[] bRows, int[] bSeg, int s0, int s1, float[] acc, int accOff, int ldAcc) {
    if (m % 4 != 0 || n % 4 != 0 || len % FL != 0) {
      throw new IllegalArgumentException("blocks of 4 rows and columns and whole vectors: m "
          + m + ", n " + n + ", len " + len);
    }
    if (m == 0 || n == 0 || len == 0 || s1 <= s0) {
      return;
    }
    // one flat loop over (segment, vector) pairs in the block kernels (see sdotSegments)
    int steps = (s1 - s0) * (len / FL);
    int[] aq = new int[steps];
    int[] bq = new int[steps];
    for (int s = s0, t = 0; s < s1; s++) {
      for (int q = 0; q < len; q += FL, t++) {
        aq[t] = aSeg[s] + q;
        bq[t] = bSeg[s] + q;
      }
    }
    // n is a multiple of 4, so n mod 6 is 0, 2 or 4: 6-wide blocks leave 0, 4 or 8 columns
    int n6 = n % 6 == 2 ? n - 8 : n - n % 6;
    for (int i = 0; i < m; i += 4) {
      int a0 = aRows[i];
      int a1 = aRows[i + 1];
      int a2 = aRows[i + 2];
      int a3 = aRows[i + 3];
      int j = 0;
      for (; j < n6; j += 6) {
        VectorDotsFloat.dot46F(steps, a, a0, a1, a2, a3, aq, b, bRows[j], bRows[j + 1],
            bRows[j + 2], bRows[j + 3], bRows[j + 4], bRows[j + 5], bq, acc,
            accOff + i * ldAcc + j, ldAcc);
      }
      for (; j < n; j += 4) {
        VectorDotsFloat.dot44F(steps, a, a0, a1, a2, a3, aq, b, bRows[j], bRows[j + 1],
            bRows[j + 2], bRows[j + 3], bq, acc, accOff + i * ldAcc + j, ldAcc);
      }
    }
  }
}
