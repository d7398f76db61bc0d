package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import java.util.Arrays;

/**
 * Winograd F(2x2, 3x3) convolution for 2-D, 3x3, stride-1, dilation-1 problems without a period
 * ({@link ConvLayout#winograd}): each 2x2 block of outputs (a tile) needs 16 products per channel
 * pair instead of 36, as in NNPACK, cuDNN and oneDNN.
 *
 * <p>{@code Y = A^T [(G w G^T) . (B^T d B)] A} per tile, with d the 4x4 input window of the tile.
 * The filter is transformed once per call into {@code U[g][16][T][C]}. Blocks of whole tile rows
 * (of one or more batch entries, sized so that V and M stay in L2, {@link
 * ConvTiling#winogradRows}) are then transformed to {@code V[16][C][tiles]}, multiplied as 16
 * GEMMs {@code M[k] = U[k] V[k]} on the engine's kernels ({@link CpuKernels#sgemm}) and
 * transformed back into Y. To keep every transform a unit-stride loop over the tiles, a block's
 * padded input is stored as four parity sub-planes {@code P[r&1][u&1][r/2][u/2]} with one tile
 * column more than the output has ({@code s = ceil(out_w/2) + 1}): input element (a, b) of tile
 * m is then {@code P[a&1][b&1][m + (a/2)*s + b/2]}. The extra tile of each row is computed and
 * dropped (1/s of the products); outputs past an odd output size are dropped too.
 *
 * <p>Error: the transforms add and subtract up to 4 (input) and 9 (output) terms and halve the
 * filter, so float32 results differ from the direct sum by a few more ulps of the largest terms
 * than im2col's, as is known for F(2x2, 3x3).
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvWinogradFloat {
  private ConvWinogradFloat() {}

  /** The convolution of {@link ConvFloat#convolve} in Winograd form; wt in tap space (flipped). */
  static void winogradF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int th = (pl.out[0] + 1) / 2;
    int s = (pl.out[1] + 1) / 2 + 1;
    int units = pl.b * th;
    int rowsPer = ConvTiling.winogradRows(pl, s, par.threads());
    int blocks = (units + rowsPer - 1) / rowsPer;
    int tc = pl.t * pl.c;
    float[] u = new float[pl.g * 16 * tc];
    par.forEach(pl.g * pl.t, gt -> {
      int gg = gt / pl.t;
      int tt = gt % pl.t;
      for (int cc = 0; cc < pl.c; cc++) {
        filterF(wt, wtOff + (gt * pl.c + cc) * 9, u, gg * 16 * tc + tt * pl.c + cc, tc);
      }
    });
    int maxN = rowsPer * s;
    int sub = (rowsPer + 1) * s + 1;
    long vSize = 16L * pl.c * maxN;
    long mSize = 16L * pl.t * maxN;
    par.forEach(pl.g * blocks, task -> {
      int gg = task / blocks;
      int u0 = (task % blocks) * rowsPer;
      int u1 = Math.min(units, u0 + rowsPer);
      int n = (u1 - u0) * s;
      // scratch: P[4][sub], Q[8][sub], V[16][C][n], M[16][T][n], O[4][n]
      float[] buf = ConvScratch.floats(ConvScratch.WINOGRAD, 12L * sub + vSize + mSize + 4L * maxN);
      int qBase = 4 * sub;
      int vBase = 12 * sub;
      int mBase = (int) (vBase + vSize);
      int oBase = (int) (mBase + mSize);
      for (int cc = 0; cc < pl.c; cc++) {
        for (int uu = u0; uu < u1; ) {
          int e = uu / th;
          int ia = uu % th;
          int ib = Math.min(th, ia + (u1 - uu));
          int rows = ib - ia;
          padF(pl, x, xOff + ((gg * pl.b + e) * pl.c + cc) * pl.inPlane, ia, rows, s, buf, sub);
          inputF(buf, sub, qBase, rows, s, vBase + cc * n + (uu - u0) * s, pl.c * n);
          uu += rows;
        }
      }
      int uBase = gg * 16 * tc;
      for (int k = 0; k < 16; k++) {
        kern.sgemm(pl.t, n, pl.c, u, uBase + k * tc, pl.c, 1, buf, vBase + k * pl.c * n, n, 1,
            buf, mBase + k * pl.t * n, n, false);
      }
      for (int tt = 0; tt < pl.t; tt++) {
        outputF(buf, mBase + tt * n, pl.t * n, n, oBase);
        for (int uu = u0; uu < u1; ) {
          int e = uu / th;
          int ia = uu % th;
          int ib = Math.min(th, ia + (u1 - uu));
          storeTilesF(pl, buf, oBase + (uu - u0) * s, n, ia, ib, s, y,
              yOff + ((gg * pl.b + e) * pl.t + tt) * pl.outPlane, accumulate);
          uu += ib - ia;
        }
      }
    });
  }

  /** U[k*tc] = (G w G^T)[k] for the 3x3 filter at w[wOff..wOff+9), k row-major over 4x4. */
  static void filterF(float[] w, int wOff, float[] u, int uOff, int tc) {
    float[] gw = new float[12];
    for (int j = 0; j < 3; j++) {
      float w0 = w[wOff + j];
      float w1 = w[wOff + 3 + j];
      float w2 = w[wOff + 6 + j];
      gw[j] = w0;
      gw[3 + j] = (w0 + w1 + w2) / 2;
      gw[6 + j] = (w0 - w1 + w2) / 2;
      gw[9 + j] = w2;
    }
    for (int a = 0; a < 4; a++) {
      float w0 = gw[3 * a];
      float w1 = gw[3 * a + 1];
      float w2 = gw[3 * a + 2];
      u[uOff + (4 * a) * tc] = w0;
      u[uOff + (4 * a + 1) * tc] = (w0 + w1 + w2) / 2;
      u[uOff + (4 * a + 2) * tc] = (w0 - w1 + w2) / 2;
      u[uOff + (4 * a + 3) * tc] = w2;
    }
  }

  /**
   * Writes padded rows {@code 2*ia .. 2*(ia+rows)+1} of the input plane at xBase into the four
   * parity sub-planes {@code p[(r&1)*2 + (col&1)][sub]}, row {@code r/2 - ia}, column {@code col/2}
   * (zeros outside the input, and one zero of slack after each sub-plane).
   */
  static void padF(ConvLayout pl, float[] x, int xBase, int ia, int rows, int s, float[] p, int sub) {
    Arrays.fill(p, 0, 4 * sub, 0f);
    int lo = pl.lastLo;
    int hi = pl.lastHi;
    if (hi <= lo) {
      return;
    }
    int[] rowMap = pl.map[0];
    int inW = pl.in[1];
    int col0 = pl.map[1][lo];
    int evenLo = lo + (lo & 1);
    int oddLo = lo + 1 - (lo & 1);
    for (int r = 2 * ia; r < 2 * (ia + rows) + 2 && r < pl.win[0]; r++) {
      int xr = rowMap[r];
      if (xr < 0) {
        continue;
      }
      int src = xBase + xr * inW + col0 - lo;
      int dst = (r & 1) * 2 * sub + (r / 2 - ia) * s;
      for (int v = evenLo; v < hi; v += 2) {
        p[dst + (v >> 1)] = x[src + v];
      }
      dst += sub;
      for (int v = oddLo; v < hi; v += 2) {
        p[dst + (v >> 1)] = x[src + v];
      }
    }
  }

  /**
   * The input transform {@code B^T d B} of {@code rows * s} tiles from the sub-planes at p[0, 4*sub)
   * (scratch Q at qBase, 8 sub-planes): V[k] at {@code vOff + k*vStride}, k = 4*a + b.
   */
  static void inputF(float[] p, int sub, int qBase, int rows, int s, int vOff, int vStride) {
    int len = (rows + 1) * s;
    // columns: q[pr][b][m] from the even (E) and odd (O) columns of padded row parity pr
    for (int pr = 0; pr < 2; pr++) {
      int ev = pr * 2 * sub;
      int od = ev + sub;
      int q = qBase + pr * 4 * sub;
      for (int m = 0; m < len; m++) {
        float e0 = p[ev + m];
        float e1 = p[ev + m + 1];
        float o0 = p[od + m];
        float o1 = p[od + m + 1];
        p[q + m] = e0 - e1;
        p[q + sub + m] = o0 + e1;
        p[q + 2 * sub + m] = e1 - o0;
        p[q + 3 * sub + m] = o0 - o1;
      }
    }
    // rows: tile row i reads padded rows 2i (even, m), 2i+1 (odd, m), 2i+2 (even, m+s), 2i+3
    int nt = rows * s;
    for (int b = 0; b < 4; b++) {
      int qa = qBase + b * sub;
      int qb = qa + 4 * sub;
      int v0 = vOff + b * vStride;
      int v1 = v0 + 4 * vStride;
      int v2 = v1 + 4 * vStride;
      int v3 = v2 + 4 * vStride;
      for (int m = 0; m < nt; m++) {
        float a0 = p[qa + m];
        float a2 = p[qa + m + s];
        float b1 = p[qb + m];
        float b3 = p[qb + m + s];
        p[v0 + m] = a0 - a2;
        p[v1 + m] = b1 + a2;
        p[v2 + m] = a2 - b1;
        p[v3 + m] = b1 - b3;
      }
    }
  }

  /**
   * The output transform {@code A^T M A} of n tiles of one output channel: M[k] at {@code mOff +
   * k*mStride}; writes the four outputs (00, 01, 10, 11) of each tile to o at oBase + {0,1,2,3}*n.
   */
  static void outputF(float[] p, int mOff, int mStride, int n, int oBase) {
    int o01 = oBase + n;
    int o10 = o01 + n;
    int o11 = o10 + n;
    for (int m = 0; m < n; m++) {
      int q = mOff + m;
      float m00 = p[q];
      float m01 = p[q + mStride];
      float m02 = p[q + 2 * mStride];
      float m03 = p[q + 3 * mStride];
      float m10 = p[q + 4 * mStride];
      float m11 = p[q + 5 * mStride];
      float m12 = p[q + 6 * mStride];
      float m13 = p[q + 7 * mStride];
      float m20 = p[q + 8 * mStride];
      float m21 = p[q + 9 * mStride];
      float m22 = p[q + 10 * mStride];
      float m23 = p[q + 11 * mStride];
      float m30 = p[q + 12 * mStride];
      float m31 = p[q + 13 * mStride];
      float m32 = p[q + 14 * mStride];
      float m33 = p[q + 15 * mStride];
      float r00 = m00 + m01 + m02;
      float r01 = m01 - m02 - m03;
      float r10 = m10 + m11 + m12;
      float r11 = m11 - m12 - m13;
      float r20 = m20 + m21 + m22;
      float r21 = m21 - m22 - m23;
      float r30 = m30 + m31 + m32;
      float r31 = m31 - m32 - m33;
      p[oBase + m] = r00 + r10 + r20;
      p[o01 + m] = r01 + r11 + r21;
      p[o10 + m] = r10 - r20 - r30;
      p[o11 + m] = r11 - r21 - r31;
    }
  }

  /**
   * Stores the outputs of tile rows [ia, ib) of one output plane (yRow) from o (tile m of row i
   * at {@code (i - ia)*s + column}, the four outputs n apart), dropping those past the plane.
   */
  static void storeTilesF(
      ConvLayout pl, float[] o, int oOff, int n, int ia, int ib, int s, float[] y, int yRow,
      boolean accumulate) {
    int oh = pl.out[0];
    int ow = pl.out[1];
    int full = ow / 2;
    for (int i = ia; i < ib; i++) {
      int src = oOff + (i - ia) * s;
      for (int dr = 0; dr < 2 && 2 * i + dr < oh; dr++) {
        int a = src + 2 * dr * n;
        int dst = yRow + (2 * i + dr) * ow;
        if (accumulate) {
          for (int j = 0; j < full; j++) {
            y[dst + 2 * j] += o[a + j];
            y[dst + 2 * j + 1] += o[a + n + j];
          }
          if (full * 2 < ow) {
            y[dst + 2 * full] += o[a + full];
          }
        } else {
          for (int j = 0; j < full; j++) {
            y[dst + 2 * j] = o[a + j];
            y[dst + 2 * j + 1] = o[a + n + j];
          }
          if (full * 2 < ow) {
            y[dst + 2 * full] = o[a + full];
          }
        }
      }
    }
  }
}
