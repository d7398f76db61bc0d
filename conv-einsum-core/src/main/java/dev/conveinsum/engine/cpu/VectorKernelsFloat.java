package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;
import static dev.conveinsum.engine.cpu.VectorShapes.MR;
import static dev.conveinsum.engine.cpu.VectorShapes.NRF;
import static dev.conveinsum.engine.cpu.VectorShapes.SMALL_MNK;
import static dev.conveinsum.engine.cpu.VectorShapes.roundUp;

import jdk.incubator.vector.VectorMask;

/**
 * The float32 entry points of {@link VectorKernels}: GEMM (strided B, A packed per call or once), row
 * correlations and segment dot products, each handing the work to the vector loops of
 * {@link VectorGemmFloat}, {@link VectorRowsFloat} and {@link VectorDotsFloat}, or to {@link
 * ScalarKernels} where vectors do not pay.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
abstract class VectorKernelsFloat implements CpuKernels {

  @Override
  public int floatLanes() {
    return FL;
  }

  @Override
  public void sgemm(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0 || (long) m * n * k < SMALL_MNK) {
      ScalarKernels.INSTANCE.sgemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (aCs == 1 && bRs == 1 && k >= 2 * FL && 3L * m * n < (long) roundUp(m, MR) * roundUp(n, NRF)) {
      // Few rows and columns with a long contiguous inner dimension (e.g. weight gradients): the
      // register tiles would be mostly padding, so take vectorised dot products instead.
      VectorRowsFloat.dotsF(m, n, k, a, aOff, aRs, b, bOff, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (n <= NRF / 2 && m > 2 * n) {
      // Few columns (e.g. a matrix-vector product): the 2-vector-wide tiles would be mostly
      // padding, so compute C^T = B^T A^T (M becomes the vectorised dimension) and transpose back.
      float[] ct = new float[n * m];
      sgemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, ct, 0, m, false);
      for (int i = 0; i < m; i++) {
        int row = cOff + i * ldc;
        for (int j = 0; j < n; j++) {
          c[row + j] = accumulate ? c[row + j] + ct[j * m + i] : ct[j * m + i];
        }
      }
      return;
    }
    VectorGemmFloat.blockedF(m, n, k, a, aOff, aRs, aCs, null, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
  }

  /** Whether {@link #sgemm} runs the product as the packed, blocked one. */
  private static boolean takesBlockedF(int m, int n, int k, int aCs, int bRs) {
    return m > 0 && n > 0 && k > 0 && (long) m * n * k >= SMALL_MNK
        && !(aCs == 1 && bRs == 1 && k >= 2 * FL && 3L * m * n < (long) roundUp(m, MR) * roundUp(n, NRF))
        && !(n <= NRF / 2 && m > 2 * n);
  }

  @Override
  public float[][] sgemmPackA(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, int bRs) {
    return takesBlockedF(m, n, k, aCs, bRs) ? VectorGemmFloat.packAll(m, k, a, aOff, aRs, aCs) : null;
  }

  @Override
  public void sgemmPackedA(
      int m, int n, int k, float[][] packedA,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    VectorGemmFloat.blockedF(m, n, k, null, 0, 0, 0, packedA, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
  }

  @Override
  public void convTiles(
      int m, int k, float[] at, int aOff, float[] p, int pOff, int[] rows, int lanes,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      float[] y, int yOff, int ldy, boolean accumulate) {
    if (lanes != FL) {
      throw new IllegalArgumentException("vectors of " + lanes + " lanes, the kernels have " + FL);
    }
    VectorConvMicroFloat.tiles(m, k, at, aOff, p, pOff, rows, vecP, vecY, laneY, v0, v1, y, yOff, ldy, accumulate);
  }

  @Override
  public void corrRow(
      float[] y, int yOff, int len,
      float[] p, int pOff, int pStep, int stride, int dilation,
      float[] w, int wOff, int taps1, int taps2) {
    if (stride != 1 || len < FL) {
      ScalarKernels.INSTANCE.corrRow(y, yOff, len, p, pOff, pStep, stride, dilation, w, wOff, taps1, taps2);
      return;
    }
    int o = 0;
    for (; o + 4 * FL <= len; o += 4 * FL) {
      VectorRowsFloat.corr4F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
    }
    if (o + 2 * FL <= len) {
      VectorRowsFloat.corr2F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += 2 * FL;
    }
    if (o + FL <= len) {
      VectorRowsFloat.corr1F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += FL;
    }
    if (o < len) {
      // overlapping last vector would double-count; finish the tail in scalar code
      ScalarKernels.INSTANCE.corrRow(y, yOff + o, len - o, p, pOff + o, pStep, 1, dilation, w, wOff, taps1, taps2);
    }
  }

  @Override
  public void corrTaps(
      float[] y, int yOff, int len,
      float[] p, int pOff, int cStride, int channels, int[] shift,
      float[] w, int wOff, int taps, float[] tmp) {
    int o = 0;
    for (; o + 2 * FL <= len; o += 2 * FL) {
      VectorRowsFloat.taps2F(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    for (; o + FL <= len; o += FL) {
      VectorRowsFloat.taps1F(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    if (o < len) {
      VectorRowsFloat.taps1F(tmp, 0, p, pOff + o, cStride, channels, shift, w, wOff, taps);
      System.arraycopy(tmp, 0, y, yOff + o, len - o);
    }
  }

  @Override
  public void sdotSegments(
      int m, int n, int len,
      float[] a, int[] aRows, int[] aSeg,
      float[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      float[] acc, int accOff, int ldAcc) {
    if (m <= 0 || n <= 0 || s1 <= s0 || len <= 0) {
      return;
    }
    int full = FS.loopBound(len);
    // lanes past the segment in its partial last vector (built once per call: slow on JDK 17)
    VectorMask<Float> past = full < len ? FS.indexInRange(full, len).not() : null;
    int aMax = 0;
    int bMax = 0;
    for (int s = s0; s < s1; s++) {
      aMax = Math.max(aMax, aSeg[s]);
      bMax = Math.max(bMax, bSeg[s]);
    }
    // one flat loop over (segment, vector) pairs in the block kernel: C2 keeps its 16
    // accumulators in registers there (a nested loop made it box them, 20x slower)
    int perSeg = full / FL;
    int steps = (s1 - s0) * perSeg;
    int[] aq = new int[steps];
    int[] bq = new int[steps];
    for (int s = s0, t = 0; s < s1; s++) {
      for (int q = 0; q < full; q += FL, t++) {
        aq[t] = aSeg[s] + q;
        bq[t] = bSeg[s] + q;
      }
    }
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int a0 = aRows[i];
      int a1 = aRows[i + 1];
      int a2 = aRows[i + 2];
      int a3 = aRows[i + 3];
      boolean aSafe = Math.max(Math.max(a0, a1), Math.max(a2, a3)) + aMax + full + FL <= a.length;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = bRows[j] + bShift;
        int b1 = bRows[j + 1] + bShift;
        int b2 = bRows[j + 2] + bShift;
        int b3 = bRows[j + 3] + bShift;
        int ci = accOff + i * ldAcc + j;
        if (full > 0) {
          VectorDotsFloat.dot44F(steps, a, a0, a1, a2, a3, aq, b, b0, b1, b2, b3, bq, acc, ci, ldAcc);
        }
        if (full < len) {
          // the partial last vector of each segment: whole vectors with the lanes past the
          // segment zeroed where the arrays hold them, else scalars
          if (aSafe && Math.max(Math.max(b0, b1), Math.max(b2, b3)) + bMax + full + FL <= b.length) {
            VectorDotsFloat.dot44TailF(full, past, a, a0, a1, a2, a3, aSeg, b, b0, b1, b2, b3, bSeg, s0, s1, acc, ci, ldAcc);
          } else {
            for (int r = 0; r < 4; r++) {
              for (int c = 0; c < 4; c++) {
                acc[ci + r * ldAcc + c] += VectorDotsFloat.dotScalarF(full, len, a, aRows[i + r], aSeg, b, bRows[j + c] + bShift, bSeg, s0, s1);
              }
            }
          }
        }
      }
      for (; j < n; j++) {
        for (int r = 0; r < 4; r++) {
          acc[accOff + (i + r) * ldAcc + j] += VectorDotsFloat.dot11F(len, a, aRows[i + r], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
        }
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < n; j++) {
        acc[accOff + i * ldAcc + j] += VectorDotsFloat.dot11F(len, a, aRows[i], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
      }
    }
  }
}
