package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.cpu.ConvTiling.Im2colChunks;

/**
 * The float32 im2col convolution with an explicit patch matrix (cut into chunks of output rows,
 * each multiplied by one GEMM), and the shifted-dot-product form for long 1-D filters. The
 * in-place forms are in {@link ConvImplicitFloat}.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvIm2colFloat {
  private ConvIm2colFloat() {}

  /**
   * 1-D im2col without the patch matrix, for long filters, short outputs and few output channels
   * (weight gradients): with the filter zero-padded to the input window, {@code W'[t, c*win + u] =
   * W[t, c, j]} at {@code u = j*dilation}, output {@code o} of one batch entry is the dot product
   * of W' with the padded input planes laid end to end, read from {@code o*stride} on. So Y is one
   * small GEMM per batch entry whose A rows overlap ({@code aRs = stride}), at the price of {@code
   * win/k} extra multiply-adds on zeros instead of an {@code out}-times copy of the input.
   */
  static void shiftedF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int[] rowSrc = pl.paddedRowSources();
    int win = pl.winPlane;
    int k = pl.k[0];
    int dil = pl.dims[0].dilation();
    int stride = pl.dims[0].stride();
    int lenOut = pl.out[0];
    int depth = pl.c * win;
    // zero-padded filter, flip applied; built in parallel, one (g, t) per task, so that the loop
    // runs compiled even when this method is called rarely
    float[] wp = new float[pl.g * pl.t * depth];
    boolean flip = pl.dims[0].flip();
    par.forEach(pl.g * pl.t, gt -> {
      for (int cc = 0; cc < pl.c; cc++) {
        int q = gt * pl.c + cc;
        for (int j = 0; j < k; j++) {
          wp[q * win + j * dil] = wt[wtOff + q * k + (flip ? k - 1 - j : j)];
        }
      }
    });
    par.forEach(pl.g * pl.b, gb -> {
      int gg = gb / pl.b;
      float[] p = new float[depth + (lenOut - 1) * stride];
      for (int cc = 0; cc < pl.c; cc++) {
        ConvFloat.padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * win);
      }
      float[] z = new float[lenOut * pl.t];
      kern.sgemm(lenOut, pl.t, depth, p, 0, stride, 1, wp, gg * pl.t * depth, 1, depth, z, 0, pl.t, false);
      for (int tt = 0; tt < pl.t; tt++) {
        int yRow = yOff + (gb * pl.t + tt) * lenOut;
        for (int o = 0; o < lenOut; o++) {
          float v = z[o * pl.t + tt];
          y[yRow + o] = accumulate ? y[yRow + o] + v : v;
        }
      }
    });
  }

  /**
   * Writes the patch-matrix entries of channel cc of one padded plane p, output rows [r0, r1),
   * into col (a separate method, called per plane and channel, so that it is compiled early).
   */
  private static void gatherF(
      ConvLayout pl, int[] rowStarts, int[] taps, float[] p, float[] col, boolean byTap, int cc, int r0,
      int r1, int rowShift, int cols, int depth) {
    int n = pl.n;
    int lenOut = pl.out[n - 1];
    int sLast = pl.dims[n - 1].stride();
    int kLast = pl.k[n - 1];
    int dLast = pl.dims[n - 1].dilation();
    if (byTap) {
      for (int r = r0; r < r1; r++) {
        int colBase = (r + rowShift) * lenOut;
        for (int o = 0; o < lenOut; o++) {
          int dst = (colBase + o) * depth + cc * pl.kPlane;
          int src0 = rowStarts[r] + o * sLast;
          for (int q = 0; q < pl.kPlane; q += kLast) {
            int src = src0 + taps[q];
            if (dLast == 1) {
              System.arraycopy(p, src, col, dst + q, kLast);
            } else {
              for (int j = 0; j < kLast; j++) {
                col[dst + q + j] = p[src + j * dLast];
              }
            }
          }
        }
      }
      return;
    }
    for (int q = 0; q < pl.kPlane; q++) {
      int colRow = (cc * pl.kPlane + q) * cols;
      for (int r = r0; r < r1; r++) {
        int src = rowStarts[r] + taps[q];
        int dst = colRow + (r + rowShift) * lenOut;
        if (sLast == 1) {
          System.arraycopy(p, src, col, dst, lenOut);
        } else {
          for (int o = 0; o < lenOut; o++) {
            col[dst + o] = p[src + o * sLast];
          }
        }
      }
    }
  }

  /** im2col with the patch matrix built chunk by chunk and multiplied by one GEMM per chunk. */
  static void im2colF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int n = pl.n;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int lenOut = pl.out[n - 1];
    int sLast = pl.dims[n - 1].stride();
    int kLast = pl.k[n - 1];
    int dLast = pl.dims[n - 1].dilation();
    int depth = pl.c * pl.kPlane;
    int rowsPP = rowStarts.length;
    // The patch matrix of one group covers the output rows (all dims but the last) of all its
    // batch entries, R = b*rowsPP + r; it is cut into chunks of whole rows, each built and
    // multiplied by one task, so that several short planes share one GEMM. byTap lays it out
    // transposed, [column][c, tap], which copies runs of kLast instead of lenOut: better when the
    // "filter" is longer than the output (weight gradients).
    boolean byTap = kLast > lenOut;
    Im2colChunks ch = Im2colChunks.of(pl, depth, rowsPP, lenOut, par.threads());
    int rowsPerChunk = ch.rowsPerChunk();
    int nChunks = ch.chunks();
    par.forEach(pl.g * nChunks, task -> {
      int gg = task / nChunks;
      int rr0 = (task % nChunks) * rowsPerChunk;
      int rr1 = Math.min(pl.b * rowsPP, rr0 + rowsPerChunk);
      int cols = (rr1 - rr0) * lenOut;
      float[] p = new float[pl.winPlane];
      float[] col = new float[depth * cols];
      int b0 = rr0 / rowsPP;
      int b1 = (rr1 - 1) / rowsPP;
      for (int bb = b0; bb <= b1; bb++) {
        int r0 = Math.max(rr0 - bb * rowsPP, 0);
        int r1 = Math.min(rr1 - bb * rowsPP, rowsPP);
        int gb = gg * pl.b + bb;
        for (int cc = 0; cc < pl.c; cc++) {
          ConvFloat.padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, 0);
          gatherF(pl, rowStarts, taps, p, col, byTap, cc, r0, r1, bb * rowsPP - rr0, cols, depth);
        }
      }
      int bRs = byTap ? 1 : cols;
      int bCs = byTap ? depth : 1;
      int wBase = wtOff + gg * pl.t * depth;
      if (b0 == b1) {
        // one batch entry: multiply straight into its rows of Y
        kern.sgemm(pl.t, cols, depth, wt, wBase, depth, 1, col, 0, bRs, bCs,
            y, yOff + (gg * pl.b + b0) * pl.t * pl.outPlane + (rr0 - b0 * rowsPP) * lenOut, pl.outPlane,
            accumulate);
        return;
      }
      float[] z = new float[pl.t * cols];
      kern.sgemm(pl.t, cols, depth, wt, wBase, depth, 1, col, 0, bRs, bCs, z, 0, cols, false);
      for (int bb = b0; bb <= b1; bb++) {
        int r0 = Math.max(rr0 - bb * rowsPP, 0);
        int r1 = Math.min(rr1 - bb * rowsPP, rowsPP);
        int len = (r1 - r0) * lenOut;
        int zc = (bb * rowsPP + r0 - rr0) * lenOut;
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = yOff + ((gg * pl.b + bb) * pl.t + tt) * pl.outPlane + r0 * lenOut;
          int zRow = tt * cols + zc;
          ConvFloat.storeF(z, zRow, y, yRow, len, accumulate);
        }
      }
    });
  }
}
