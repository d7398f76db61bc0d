package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
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
    int nr = 2 * Math.max(kern.floatLanes(), 1);
    // the transforms run on the Vector API ({@link ConvWinogradVecFloat}) with the vector kernels
    boolean vec = kern.floatLanes() > 1;
    int rowsPer = ConvTiling.winogradRows(pl, s, nr, par.threads());
    int blocks = (units + rowsPer - 1) / rowsPer;
    int tc = pl.t * pl.c;
    float[] u = new float[pl.g * 16 * tc];
    par.forEach(pl.g * pl.t, gt -> {
      int gg = gt / pl.t;
      int tt = gt % pl.t;
      float[] gw = new float[12];
      for (int cc = 0; cc < pl.c; cc++) {
        filterF(wt, wtOff + (gt * pl.c + cc) * 9, gw, u, gg * 16 * tc + tt * pl.c + cc, tc);
      }
    });
    // tiles of a block, rounded up to whole GEMM tiles (the extra columns are zeros, dropped)
    int maxN = (rowsPer * s + nr - 1) / nr * nr;
    // each U[k] packed once for all blocks (null where the kernels read A in place)
    float[][][] packed = new float[pl.g * 16][][];
    par.forEach(pl.g * 16, gk -> packed[gk] =
        kern.sgemmPackA(pl.t, maxN, pl.c, u, (gk / 16) * 16 * tc + (gk % 16) * tc, pl.c, 1, maxN));
    // transforms run over chunks of channels, each loop over all their tiles
    int cb = (int) Math.max(1, Math.min(pl.c, ConvTiling.WINOGRAD_CHUNK / maxN));
    int tb = (int) Math.max(1, Math.min(pl.t, ConvTiling.WINOGRAD_CHUNK / maxN));
    int psz = cb * maxN + 1;
    long vSize = 16L * pl.c * maxN;
    long mSize = 16L * pl.t * maxN;
    par.forEach(pl.g * blocks, task -> {
      int gg = task / blocks;
      int u0 = (task % blocks) * rowsPer;
      int u1 = Math.min(units, u0 + rowsPer);
      int n = ((u1 - u0) * s + nr - 1) / nr * nr;
      // separate arrays, so that the compiler sees that the transforms' loops read and write
      // different memory and vectorises them
      float[] p = ConvScratch.floats(ConvScratch.WINO_P, 8L * psz);
      float[] q = ConvScratch.floats(ConvScratch.WINO_Q, Math.max(16L * psz, 8L * tb * maxN));
      float[] v = ConvScratch.floats(ConvScratch.WINO_V, vSize);
      float[] mm = ConvScratch.floats(ConvScratch.WINO_M, mSize);
      float[] o = ConvScratch.floats(ConvScratch.WINO_O, 4L * tb * maxN);
      for (int c0 = 0; c0 < pl.c; c0 += cb) {
        int cn = Math.min(cb, pl.c - c0);
        Arrays.fill(p, 0, 8 * psz, 0f);
        for (int ci = 0; ci < cn; ci++) {
          for (int uu = u0; uu < u1; ) {
            int e = uu / th;
            int ia = uu % th;
            int ib = Math.min(th, ia + (u1 - uu));
            padF(pl, x, xOff + ((gg * pl.b + e) * pl.c + c0 + ci) * pl.inPlane, ia, ib, s, p, psz,
                ci * n + (uu - u0) * s);
            uu += ib - ia;
          }
        }
        inputF(vec, p, q, psz, cn * n, s, v, c0 * n, pl.c * n);
      }
      int uBase = gg * 16 * tc;
      for (int k = 0; k < 16; k++) {
        float[][] pk = packed[gg * 16 + k];
        if (pk != null) {
          kern.sgemmPackedA(pl.t, n, pl.c, pk, v, k * pl.c * n, n, 1, mm, k * pl.t * n, n, false);
        } else {
          kern.sgemm(pl.t, n, pl.c, u, uBase + k * tc, pl.c, 1, v, k * pl.c * n, n, 1,
              mm, k * pl.t * n, n, false);
        }
      }
      for (int t0 = 0; t0 < pl.t; t0 += tb) {
        int tn = Math.min(tb, pl.t - t0);
        outputF(vec, mm, t0 * n, pl.t * n, tn * n, q, o);
        for (int ti = 0; ti < tn; ti++) {
          for (int uu = u0; uu < u1; ) {
            int e = uu / th;
            int ia = uu % th;
            int ib = Math.min(th, ia + (u1 - uu));
            storeTilesF(pl, o, ti * n + (uu - u0) * s, tn * n, ia, ib, s, y,
                yOff + ((gg * pl.b + e) * pl.t + t0 + ti) * pl.outPlane, accumulate);
            uu += ib - ia;
          }
        }
      }
    });
  }

  /**
   * Runs the form once on a small problem ({@link VectorSupport}'s warm-up), so that the first
   * real call finds its transforms compiled.
   */
  static void warmUp(CpuKernels kern) {
    ConvDim d = new ConvDim(9, 3, 9, 1, 1, 1, false, 0);
    ConvProblem p = ConvProblem.of(1, 2, 8, 8, d, d);
    float[] x = new float[2 * 8 * 81];
    float[] w = new float[8 * 8 * 9];
    Arrays.fill(x, 1);
    Arrays.fill(w, 1);
    ConvFloat.convolve(kern, p, x, 0, w, 0, new float[2 * 8 * 81], 0, false, Algorithm.WINOGRAD,
        Parallelism.serial());
  }

  /**
   * U[k*tc] = (G w G^T)[k] for the 3x3 filter at w[wOff..wOff+9), k row-major over 4x4; gw is
   * scratch of 12.
   */
  static void filterF(float[] w, int wOff, float[] gw, float[] u, int uOff, int tc) {
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
   * Scatters padded rows {@code 2*ia .. 2*ib+1} of the input plane at xBase into the parity
   * sub-planes: {@code p[((r&1)*2 + (col&1))*2 + half][psz]} at {@code off + row*s + col/2}, where
   * sub-row {@code R = r/2} is row {@code R - ia} of the low half (R &lt; ib) and row {@code R - ia -
   * 1} of the high half (R &gt; ia): tile row i then reads padded rows 2i, 2i+1 from the low half
   * and 2i+2, 2i+3 from the high half at the same index. Each input row is scattered once; the
   * high half's rows but the last are copied from the low half. The planes must be zero
   * beforehand.
   */
  static void padF(ConvLayout pl, float[] x, int xBase, int ia, int ib, int s, float[] p, int psz, int off) {
    int lo = pl.lastLo;
    int hi = pl.lastHi;
    if (hi <= lo) {
      return;
    }
    int[] rowMap = pl.map[0];
    int inW = pl.in[1];
    int src0 = xBase + pl.map[1][lo] - lo;
    int evenLo = lo + (lo & 1);
    int oddLo = lo + 1 - (lo & 1);
    for (int r = 2 * ia; r < 2 * ib + 2 && r < pl.win[0]; r++) {
      int xr = rowMap[r];
      if (xr < 0) {
        continue;
      }
      int src = src0 + xr * inW;
      // sub-rows ia..ib-1 go to the low half; the last, ib, to the high half's last row
      int big = r >> 1;
      int half = big < ib ? 0 : 1;
      int even = ((r & 1) * 4 + half) * psz + off + (big - ia - half) * s;
      int odd = even + 2 * psz;
      for (int col = evenLo; col < hi; col += 2) {
        p[even + (col >> 1)] = x[src + col];
      }
      for (int col = oddLo; col < hi; col += 2) {
        p[odd + (col >> 1)] = x[src + col];
      }
    }
    // the other rows of the high half are those of the low half, one sub-row on
    int rest = (ib - ia - 1) * s;
    for (int plane = 0; plane < 4 && rest > 0; plane++) {
      int low = ((plane >> 1) * 4 + (plane & 1) * 2) * psz + off;
      System.arraycopy(p, low + s, p, low + psz, rest);
    }
  }

  /**
   * The input transform {@code B^T d B} of len = channels x tiles from the sub-planes of {@link
   * #padF} (scratch q[16][psz]): V[k] at {@code v[vOff + k*vStride]}, k = 4*a + b. Each loop
   * writes one array run, so that the compiler vectorises it.
   */
  static void inputF(
      boolean vec, float[] p, float[] q, int psz, int len, int s, float[] v, int vOff, int vStride) {
    // columns: q[pr][half][b] from the even (E) and odd (O) columns of padded rows of parity pr
    for (int ph = 0; ph < 4; ph++) {
      int pr = ph >> 1;
      int half = ph & 1;
      int ev = (pr * 4 + half) * psz;
      int od = ev + 2 * psz;
      int q0 = ph * 4 * psz;
      diffF(vec, p, ev, ev + 1, q, q0, len);
      sumF(vec, p, od, ev + 1, q, q0 + psz, len);
      diffF(vec, p, ev + 1, od, q, q0 + 2 * psz, len);
      diffF(vec, p, od, od + 1, q, q0 + 3 * psz, len);
    }
    // rows: padded rows 2i (even, low), 2i+1 (odd, low), 2i+2 (even, high), 2i+3 (odd, high)
    for (int b = 0; b < 4; b++) {
      int a0 = b * psz;
      int a2 = a0 + 4 * psz;
      int b1 = a0 + 8 * psz;
      int b3 = a0 + 12 * psz;
      int v0 = vOff + b * vStride;
      diffF(vec, q, a0, a2, v, v0, len);
      sumF(vec, q, b1, a2, v, v0 + 4 * vStride, len);
      diffF(vec, q, a2, b1, v, v0 + 8 * vStride, len);
      diffF(vec, q, b1, b3, v, v0 + 12 * vStride, len);
    }
  }

  /**
   * The output transform {@code A^T M A} of n tiles of one output channel: M[k] at {@code mOff +
   * k*mStride}; writes the four outputs (00, 01, 10, 11) of each tile to o at {0,1,2,3}*n
   * (scratch r[8][n]).
   */
  static void outputF(boolean vec, float[] mm, int mOff, int mStride, int n, float[] r, float[] o) {
    for (int a = 0; a < 4; a++) {
      int m0 = mOff + 4 * a * mStride;
      sum3F(vec, mm, m0, m0 + mStride, m0 + 2 * mStride, r, 2 * a * n, n);
      diff3F(vec, mm, m0 + mStride, m0 + 2 * mStride, m0 + 3 * mStride, r, (2 * a + 1) * n, n);
    }
    sum3F(vec, r, 0, 2 * n, 4 * n, o, 0, n);
    sum3F(vec, r, n, 3 * n, 5 * n, o, n, n);
    diff3F(vec, r, 2 * n, 4 * n, 6 * n, o, 2 * n, n);
    diff3F(vec, r, 3 * n, 5 * n, 7 * n, o, 3 * n, n);
  }

  /** {@code d[dOff + m] = a[i + m] - a[j + m]} for m &lt; len. */
  private static void diffF(boolean vec, float[] a, int i, int j, float[] d, int dOff, int len) {
    if (vec) {
      ConvWinogradVecFloat.diff(a, i, j, d, dOff, len);
      return;
    }
    for (int m = 0; m < len; m++) {
      d[dOff + m] = a[i + m] - a[j + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] + a[j + m]} for m &lt; len. */
  private static void sumF(boolean vec, float[] a, int i, int j, float[] d, int dOff, int len) {
    if (vec) {
      ConvWinogradVecFloat.sum(a, i, j, d, dOff, len);
      return;
    }
    for (int m = 0; m < len; m++) {
      d[dOff + m] = a[i + m] + a[j + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] + a[j + m] + a[k + m]} for m &lt; len. */
  private static void sum3F(
      boolean vec, float[] a, int i, int j, int k, float[] d, int dOff, int len) {
    if (vec) {
      ConvWinogradVecFloat.sum3(a, i, j, k, d, dOff, len);
      return;
    }
    for (int m = 0; m < len; m++) {
      d[dOff + m] = a[i + m] + a[j + m] + a[k + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] - a[j + m] - a[k + m]} for m &lt; len. */
  private static void diff3F(
      boolean vec, float[] a, int i, int j, int k, float[] d, int dOff, int len) {
    if (vec) {
      ConvWinogradVecFloat.diff3(a, i, j, k, d, dOff, len);
      return;
    }
    for (int m = 0; m < len; m++) {
      d[dOff + m] = a[i + m] - a[j + m] - a[k + m];
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
