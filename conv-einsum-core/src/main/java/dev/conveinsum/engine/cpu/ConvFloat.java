package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
import java.util.Arrays;
import java.util.Objects;

/**
 * Runs one float32 convolution of {@link ConvKernel}: checks the arrays, applies the flip to the
 * filter, and hands the work to the algorithm {@link ConvChooser} picks (or the caller forces):
 * {@link ConvDirectFloat}, {@link ConvIm2colFloat} or {@link ConvFftFloat}. Also the padding of
 * input planes that all of them share.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvFloat {
  private ConvFloat() {}

  /**
   * Evaluates the convolution on the given kernels (see {@link ConvKernel}); AUTO asks {@link
   * ConvChooser}, and the form {@link ConvChooser#form} names is the one that runs.
   */
  static void convolve(
      CpuKernels kern, ConvProblem shape, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
      boolean accumulate, Algorithm algorithm, Parallelism par) {
    Objects.requireNonNull(algorithm, "algorithm");
    ConvLayout pl = new ConvLayout(shape);
    pl.check(x.length, xOff, w.length, wOff, y.length, yOff);
    if (algorithm == Algorithm.FFT && pl.n > 3) {
      throw new IllegalArgumentException("FFT convolution supports at most 3 dimensions, got " + pl.n);
    }
    if (algorithm == Algorithm.WINOGRAD && !pl.winograd()) {
      throw new IllegalArgumentException(
          "Winograd convolution needs 2 dimensions, a 3x3 filter, stride and dilation 1, no period");
    }
    if (pl.emptyOutput()) {
      return;
    }
    if (pl.c == 0 || pl.kPlane == 0) {
      if (!accumulate) {
        Arrays.fill(y, yOff, yOff + pl.g * pl.b * pl.t * pl.outPlane, 0f);
      }
      return;
    }
    Algorithm algo = algorithm == Algorithm.AUTO ? ConvChooser.choose(pl, shape) : algorithm;
    ConvChooser.Form form = ConvChooser.form(pl, algo, accumulate);
    if (form == ConvChooser.Form.SHIFTED) {
      // reads the stored filter itself, flip included
      ConvIm2colFloat.shiftedF(kern, pl, x, xOff, w, wOff, y, yOff, accumulate, par);
      return;
    }
    // filter in tap space (flip applied): wt[(g,t,c) * kPlane + j]
    float[] wt;
    int wtOff;
    if (pl.anyFlip) {
      // one (g, t) per task: the loop then runs compiled even when convolve is called rarely
      float[] wf = new float[pl.g * pl.t * pl.c * pl.kPlane];
      par.forEach(pl.g * pl.t, gt -> {
        for (int q = gt * pl.c; q < (gt + 1) * pl.c; q++) {
          int src = wOff + q * pl.kPlane;
          int dst = q * pl.kPlane;
          for (int j = 0; j < pl.kPlane; j++) {
            wf[dst + j] = w[src + pl.tapToStored[j]];
          }
        }
      });
      wt = wf;
      wtOff = 0;
    } else {
      wt = w;
      wtOff = wOff;
    }
    switch (form) {
      case DIRECT -> ConvDirectFloat.directF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case SHORT_ROWS -> ConvDirectFloat.rowsDirectF(kern, pl, x, xOff, wt, wtOff, y, yOff, par);
      case FUSED_ROWS ->
          ConvDirectFloat.fusedDirectF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case PATCH_MATRIX ->
          ConvIm2colFloat.im2colF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case IMPLICIT ->
          ConvImplicitFloat.implicitF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case SEGMENT_DOTS ->
          ConvImplicitFloat.segmentDotsF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case FFT -> ConvFftFloat.fftF(pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case WINOGRAD ->
          ConvWinogradFloat.winogradF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      default -> throw new AssertionError(form);
    }
  }

  /** Writes the padded, period-wrapped input plane of X at xBase into p[pOff, pOff + winPlane). */
  static void padF(ConvLayout pl, int[] rowSrc, float[] x, int xBase, float[] p, int pOff) {
    int len = pl.win[pl.n - 1];
    int lo = pl.lastLo;
    if (lo >= 0) {
      // no period in the last dimension: zero the plane once, then copy one contiguous run of
      // input per row that is not all padding
      int hi = pl.lastHi;
      Arrays.fill(p, pOff, pOff + rowSrc.length * len, 0f);
      if (hi > lo) {
        int src0 = xBase + pl.map[pl.n - 1][lo];
        int run = hi - lo;
        for (int r = 0; r < rowSrc.length; r++) {
          int src = rowSrc[r];
          if (src >= 0) {
            System.arraycopy(x, src0 + src, p, pOff + r * len + lo, run);
          }
        }
      }
      return;
    }
    int[] lastMap = pl.map[pl.n - 1];
    for (int r = 0; r < rowSrc.length; r++) {
      int dst = pOff + r * len;
      int src = rowSrc[r];
      if (src < 0) {
        Arrays.fill(p, dst, dst + len, 0f);
      } else {
        int xs = xBase + src;
        for (int u = 0; u < len; u++) {
          int m = lastMap[u];
          p[dst + u] = m >= 0 ? x[xs + m] : 0f;
        }
      }
    }
  }

  /** y[yOff, yOff+len) (=|+=) z[zOff, zOff+len). */
  static void storeF(float[] z, int zOff, float[] y, int yOff, int len, boolean accumulate) {
    if (accumulate) {
      for (int i = 0; i < len; i++) {
        y[yOff + i] += z[zOff + i];
      }
    } else {
      System.arraycopy(z, zOff, y, yOff, len);
    }
  }
}
