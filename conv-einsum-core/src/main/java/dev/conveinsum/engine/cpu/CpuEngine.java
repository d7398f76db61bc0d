package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.DepthwiseProblem;
import dev.conveinsum.engine.Engine;

/**
 * The fast CPU engine: batched GEMM when a step convolves nothing, else {@link ConvKernel}'s
 * im2col + GEMM, direct or FFT algorithm chosen per call by cost. Pure Java on the Vector API,
 * with a scalar fallback when {@code jdk.incubator.vector} is not enabled.
 */
public final class CpuEngine implements Engine {

  /** Creates the engine (public for {@link java.util.ServiceLoader}). */
  public CpuEngine() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public void conv(ConvProblem p, double[] x, double[] f, double[] y, int threads) {
    if (p.dims().isEmpty()) {
      gemm(p, x, f, y, Parallelism.of(threads));
      return;
    }
    ConvKernel.convolve(p, x, 0, f, 0, y, 0, false, ConvKernel.Algorithm.AUTO,
        Parallelism.of(threads));
  }

  @Override
  public void conv(ConvProblem p, float[] x, float[] f, float[] y, int threads) {
    if (p.dims().isEmpty()) {
      gemm(p, x, f, y, Parallelism.of(threads));
      return;
    }
    ConvKernel.convolve(p, x, 0, f, 0, y, 0, false, ConvKernel.Algorithm.AUTO,
        Parallelism.of(threads));
  }

  @Override
  public void depthwise(DepthwiseProblem p, double[] x, double[] f, double[] y, int threads) {
    DepthwiseKernels.depthwise(p, x, f, y, Parallelism.of(threads));
  }

  @Override
  public void depthwise(DepthwiseProblem p, float[] x, float[] f, float[] y, int threads) {
    DepthwiseKernels.depthwise(p, x, f, y, Parallelism.of(threads));
  }

  @Override
  public void depthwiseFilterGradient(DepthwiseProblem p, double[] dy, double[] x, double[] df,
      int threads) {
    DepthwiseKernels.filterGradient(p, dy, x, df, Parallelism.of(threads));
  }

  @Override
  public void depthwiseFilterGradient(DepthwiseProblem p, float[] dy, float[] x, float[] df,
      int threads) {
    DepthwiseKernels.filterGradient(p, dy, x, df, Parallelism.of(threads));
  }

  /**
   * {@code Y[g] = X[g] F[g]^T} with the problem's layout flags mapped onto GEMM transposes:
   * Y stored transposed is computed as {@code F[g] X[g]^T}. A shared F with X and Y in the plain
   * layout folds the groups into the rows of one product.
   */
  private static void gemm(ConvProblem p, Object x, Object f, Object y, Parallelism par) {
    int g = p.groups();
    int b = p.batch();
    int t = p.outChannels();
    int c = p.inChannels();
    if (p.fShared() && !p.xTransposed() && !p.yTransposed()) {
      call(1, g * b, t, c, x, 0, false, f, 0, !p.fTransposed(), y, 0, par);
      return;
    }
    if (!p.fShared()) {
      if (p.yTransposed()) {
        call(g, t, b, c, f, 0, p.fTransposed(), x, 0, !p.xTransposed(), y, 0, par);
      } else {
        call(g, b, t, c, x, 0, p.xTransposed(), f, 0, !p.fTransposed(), y, 0, par);
      }
      return;
    }
    long fSize = (long) t * c;
    if (g >= par.threads()) {
      // one single-threaded product per group, the groups spread over the threads, all reading
      // the one F (no per-call copies of it)
      Parallelism serial = Parallelism.serial();
      par.forEach(g, k -> {
        int xo = k * b * c;
        int yo = k * b * t;
        if (p.yTransposed()) {
          call(1, t, b, c, f, 0, p.fTransposed(), x, xo, !p.xTransposed(), y, yo, serial);
        } else {
          call(1, b, t, c, x, xo, p.xTransposed(), f, 0, !p.fTransposed(), y, yo, serial);
        }
      });
      return;
    }
    if (g <= 64 && fSize * g <= (1 << 22)) {
      // A small shared F is cheaper to repeat per group than to call one GEMM per group: the
      // batched call then spreads the groups over the threads.
      Object fg = repeat(f, (int) fSize, g);
      if (p.yTransposed()) {
        call(g, t, b, c, fg, 0, p.fTransposed(), x, 0, !p.xTransposed(), y, 0, par);
      } else {
        call(g, b, t, c, x, 0, p.xTransposed(), fg, 0, !p.fTransposed(), y, 0, par);
      }
      return;
    }
    for (int k = 0; k < g; k++) {
      int xo = k * b * c;
      int yo = k * b * t;
      if (p.yTransposed()) {
        call(1, t, b, c, f, 0, p.fTransposed(), x, xo, !p.xTransposed(), y, yo, par);
      } else {
        call(1, b, t, c, x, xo, p.xTransposed(), f, 0, !p.fTransposed(), y, yo, par);
      }
    }
  }

  private static Object repeat(Object f, int size, int times) {
    Object out = f instanceof double[] ? new double[size * times] : new float[size * times];
    for (int k = 0; k < times; k++) {
      System.arraycopy(f, 0, out, k * size, size);
    }
    return out;
  }

  private static void call(int batch, int m, int n, int k, Object a, int aOff, boolean ta,
      Object bm, int bOff, boolean tb, Object cm, int cOff, Parallelism par) {
    if (a instanceof double[] ad) {
      Gemm.dgemm(batch, m, n, k, ad, aOff, ta, (double[]) bm, bOff, tb, (double[]) cm, cOff,
          false, par);
    } else {
      Gemm.sgemm(batch, m, n, k, (float[]) a, aOff, ta, (float[]) bm, bOff, tb, (float[]) cm,
          cOff, false, par);
    }
  }
}
