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
   * Sums the groups' products without writing each: a GEMM with the contraction stored last in
   * both operands as dot products of rows read in place, the groups as further segments of each
   * row ({@link SumGroupsFloat}); a weight gradient's convolution as segment dot products summing
   * every group in the same accumulators, another one as one call per group adding into {@code
   * y}; any
   * other GEMM layout as {@link Engine}'s default (every product, then the sum).
   */
  @Override
  public void convSumGroups(ConvProblem p, double[] x, double[] f, double[] y, int threads) {
    if (SumGroupsDouble.dots(p)) {
      SumGroupsDouble.gemmDots(VectorSupport.kernels(), p, x, f, y, Parallelism.of(threads));
    } else if (!p.dims().isEmpty()) {
      SumGroupsDouble.conv(VectorSupport.kernels(), p, x, f, y, Parallelism.of(threads));
    } else {
      Engine.super.convSumGroups(p, x, f, y, threads);
    }
  }

  /** Float32 form of {@link #convSumGroups(ConvProblem, double[], double[], double[], int)}. */
  @Override
  public void convSumGroups(ConvProblem p, float[] x, float[] f, float[] y, int threads) {
    if (SumGroupsFloat.dots(p)) {
      SumGroupsFloat.gemmDots(VectorSupport.kernels(), p, x, f, y, Parallelism.of(threads));
    } else if (!p.dims().isEmpty()) {
      SumGroupsFloat.conv(VectorSupport.kernels(), p, x, f, y, Parallelism.of(threads));
    } else {
      Engine.super.convSumGroups(p, x, f, y, threads);
    }
  }

  /**
   * Describes the algorithm {@link #conv} runs for the problem, from the same decisions it takes
   * ({@link ConvChooser#form} for a convolution, {@link GemmForm#of} for a GEMM), and the kernels
   * ({@link VectorSupport#description()}).
   */
  @Override
  public String describe(ConvProblem p, int threads) {
    if (p.dims().isEmpty()) {
      GemmLayout l = GemmLayout.of(p);
      return "GEMM " + (l.aIsF() ? "Y^T = F X^T" : "Y = X F^T") + ", " + l.m() + " x " + l.n()
          + " x " + p.inChannels() + " per group, A " + (l.transA() ? "transposed" : "plain")
          + ", B " + (l.transB() ? "transposed" : "plain") + ": "
          + GemmForm.of(p, threads).text
          + (GemmForm.of(p, threads) == GemmForm.GROUP_PER_THREAD && l.aIsF()
              ? ", F packed once for all of them" : "")
          + "; " + VectorSupport.description();
    }
    return ConvChooser.form(p).text() + "; " + VectorSupport.description();
  }

  /**
   * Describes what {@link #convSumGroups} runs, from the decisions it takes: row dot products
   * ({@link SumGroupsFloat#dots}), the summed convolution's form ({@link
   * SumGroupsFloat#summedForm}), or the default's product per group and sum.
   */
  @Override
  public String describeSumGroups(ConvProblem p, int threads) {
    if (SumGroupsFloat.dots(p)) {
      return "dot products of rows read in place, the groups as further segments of each row"
          + ", summed in the accumulators; " + VectorSupport.description();
    }
    if (!p.dims().isEmpty()) {
      String form = switch (SumGroupsFloat.summedForm(new ConvLayout(p),
          SumGroupsFloat.tilesAvailable())) {
        case TILES -> "weight-gradient GEMM tiles over windows of the padded input read in"
            + " place, every group summed in the tiles";
        case SEGMENT_DOTS -> "segment dot products, every group summed in one accumulator";
        case PER_GROUP -> "one convolution per group (" + ConvChooser.form(new ConvProblem(1,
            p.batch(), p.outChannels(), p.inChannels(), p.dims())).text() + ") added into Y";
      };
      return form + "; " + VectorSupport.description();
    }
    return Engine.super.describeSumGroups(p, threads);
  }

  /** Describes the depthwise kernel {@link #depthwise} runs. */
  @Override
  public String describe(DepthwiseProblem p, int threads) {
    return "depthwise (taps as shifts along the trailing block of the layout, "
        + (DepthwiseKernels.activeRows() == DepthwiseKernels.SCALAR ? "scalar" : "Vector API")
        + " rows)";
  }

  /**
   * The GEMM of one group: {@code Y = X F^T}, or {@code Y^T = F X^T} (A is F) when Y is stored
   * transposed, with the problem's layout flags mapped onto the GEMM's transposes.
   */
  private record GemmLayout(boolean aIsF, int m, int n, boolean transA, boolean transB) {
    static GemmLayout of(ConvProblem p) {
      if (p.yTransposed()) {
        return new GemmLayout(true, p.outChannels(), p.batch(), p.fTransposed(), !p.xTransposed());
      }
      return new GemmLayout(false, p.batch(), p.outChannels(), p.xTransposed(), !p.fTransposed());
    }
  }

  /** How the GEMM of a problem without convolved dimensions is spread over calls and threads. */
  enum GemmForm {
    /** A shared F with X and Y in the plain layout: one product, the groups folded into rows. */
    FOLDED("one product, the groups folded into its rows"),
    /** One F per group: a batched call, one product per group. */
    BATCHED("a batch of one product per group"),
    /** A shared F and at least as many groups as threads: one single-threaded product each. */
    GROUP_PER_THREAD("one single-threaded product per group, the groups over the threads"),
    /** A small shared F: repeated per group, then a batched call. */
    REPEATED_F("a batch of one product per group, the shared F repeated"),
    /** A large shared F and few groups: one multi-threaded product per group in turn. */
    GROUP_LOOP("one multi-threaded product per group in turn");

    /** A short human-readable description. */
    final String text;

    GemmForm(String text) {
      this.text = text;
    }

    /** The form {@link #gemm} takes for a problem and thread count. */
    static GemmForm of(ConvProblem p, int threads) {
      if (p.fShared() && !p.xTransposed() && !p.yTransposed()) {
        return FOLDED;
      }
      if (!p.fShared()) {
        return BATCHED;
      }
      int g = p.groups();
      if (g >= threads) {
        return GROUP_PER_THREAD;
      }
      return g <= 64 && (long) p.outChannels() * p.inChannels() * g <= (1 << 22) ? REPEATED_F
          : GROUP_LOOP;
    }
  }

  /**
   * {@code Y[g] = X[g] F[g]^T} as {@link GemmLayout} and {@link GemmForm} say: Y stored transposed
   * is computed as {@code F[g] X[g]^T}; a shared F with X and Y in the plain layout folds the
   * groups into the rows of one product.
   */
  private static void gemm(ConvProblem p, Object x, Object f, Object y, Parallelism par) {
    int g = p.groups();
    int b = p.batch();
    int t = p.outChannels();
    int c = p.inChannels();
    GemmLayout l = GemmLayout.of(p);
    switch (GemmForm.of(p, par.threads())) {
      case FOLDED -> call(1, g * b, t, c, x, 0, false, f, 0, l.transB(), y, 0, par);
      case BATCHED -> product(l, g, c, x, 0, f, y, 0, par);
      case GROUP_PER_THREAD -> {
        // the groups spread over the threads, all reading the one F (no per-call copies of it);
        // as the A of the product it is packed once for all groups
        if (l.aIsF()) {
          sharedA(g, l.m(), l.n(), c, f, l.transA(), x, l.transB(), y, par);
        } else {
          Parallelism serial = Parallelism.serial();
          par.forEach(g, k -> product(l, 1, c, x, k * b * c, f, y, k * b * t, serial));
        }
      }
      case REPEATED_F ->
        // A small shared F is cheaper to repeat per group than to call one GEMM per group: the
        // batched call then spreads the groups over the threads.
        product(l, g, c, x, 0, repeat(f, t * c, g), y, 0, par);
      case GROUP_LOOP -> {
        for (int k = 0; k < g; k++) {
          product(l, 1, c, x, k * b * c, f, y, k * b * t, par);
        }
      }
      default -> throw new AssertionError();
    }
  }

  /** {@code batch} products of the layout, X from xOff, F from 0, Y from yOff. */
  private static void product(GemmLayout l, int batch, int c, Object x, int xOff, Object f,
      Object y, int yOff, Parallelism par) {
    if (l.aIsF()) {
      call(batch, l.m(), l.n(), c, f, 0, l.transA(), x, xOff, l.transB(), y, yOff, par);
    } else {
      call(batch, l.m(), l.n(), c, x, xOff, l.transA(), f, 0, l.transB(), y, yOff, par);
    }
  }

  /** {@code batch} products {@code C[g] = A B[g]} with one A, one single-threaded per task. */
  private static void sharedA(int batch, int m, int n, int k, Object a, boolean ta, Object bm,
      boolean tb, Object cm, Parallelism par) {
    if (a instanceof double[] ad) {
      GemmDouble.dgemmSharedA(VectorSupport.kernels(), batch, m, n, k, ad, 0, ta, (double[]) bm,
          0, tb, (double[]) cm, 0, par);
    } else {
      GemmFloat.sgemmSharedA(VectorSupport.kernels(), batch, m, n, k, (float[]) a, 0, ta,
          (float[]) bm, 0, tb, (float[]) cm, 0, par);
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
