package dev.conveinsum.engine.cpu;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jtransforms.fft.DoubleFFT_1D;
import org.jtransforms.fft.DoubleFFT_2D;
import org.jtransforms.fft.DoubleFFT_3D;
import org.jtransforms.fft.FloatFFT_1D;
import org.jtransforms.fft.FloatFFT_2D;
import org.jtransforms.fft.FloatFFT_3D;

/**
 * The atomic grouped N-d convolution, in cross-correlation form.
 *
 * <p>{@code Y[g,b,t,y_1..y_N] (=|+=) sum_c sum_{k_1..k_N} X[g,b,c,x_1..x_N] * W[g,t,c,k_1..k_N]}
 * with the per-dimension index rule of {@link ConvDim} and the layouts of {@link ConvProblem}.
 *
 * <p>Three algorithms compute the same result (up to rounding):
 *
 * <ul>
 *   <li>{@link Algorithm#DIRECT}: builds a zero-padded (and period-wrapped) copy of each input
 *       plane, then accumulates whole output rows with a vectorised row kernel that keeps the
 *       output vectors in registers across the last two filter dimensions. No extra memory beyond
 *       the padded input; wins for few channels, notably depthwise layers (C = T = 1, many
 *       groups), where there is no reduction for a GEMM to exploit.
 *   <li>{@link Algorithm#IM2COL}: lays out the {@code C*prod(k)} input patches of every output
 *       position as a matrix and calls {@link Gemm}; wins when {@code C*prod(k)} is large (dense
 *       layers with many channels), because the GEMM micro-kernel reaches near-peak FLOPS, at the
 *       price of a {@code prod(k)}-times larger temporary.
 *   <li>{@link Algorithm#FFT}: (N &lt;= 3) transforms the padded input and the dilated filter with
 *       JTransforms, multiplies by the conjugate spectrum, sums over channels in the frequency
 *       domain and gathers the strided outputs; cost is {@code O(F log F)} per plane instead of
 *       {@code O(out*k)}, so it wins when both the signal and the filter are long.
 * </ul>
 *
 * <p>{@link Algorithm#AUTO} picks the cheapest by the cost model in {@link #choose(ConvProblem)}.
 */
public final class ConvKernel {

  /** The algorithm used to evaluate a convolution. */
  public enum Algorithm {
    /** Pick by the cost model of {@link ConvKernel#choose(ConvProblem)}. */
    AUTO,
    /** Direct vectorised loops over padded input rows; best for few channels and depthwise. */
    DIRECT,
    /**
     * Filter matrix times patch matrix; best for many channels. With every stride 1 the GEMM
     * reads the patch matrix in place from the padded input instead of building it; filters
     * longer than the output (weight gradients) run as dot products read in place.
     */
    IM2COL,
    /** Frequency-domain product through JTransforms; best for long signals with long filters. */
    FFT
  }

  // Cost model constants, measured single-threaded on the development machine (AMD EPYC, family
  // 26 / Zen 5, AVX-512, JDK 17; best-of-N timings of each algorithm on dense, depthwise and long
  // 1-D problems, see conv-einsum-benchmarks/RESULTS.md). Units: nanoseconds. They only need to be
  // right within a factor of about 2 to pick the right algorithm.
  /** Direct kernel, per multiply-add (about 50 GFLOPS on long rows). */
  static final double NS_PER_MAC_DIRECT = 0.04;
  /** Direct kernel, fixed cost per call of the row kernel (one output row, one channel). */
  static final double NS_PER_ROW_DIRECT = 40;
  /** Most outputs (positions times channels) per batch entry for the shifted-GEMM im2col. */
  static final long SHIFT_MAX_OUT = 32;
  /** Longest output row of the short-row direct kernel (4 float32 vectors of 512 bits). */
  static final int SHORT_ROW = 64;
  /** Output rows per task of the short-row direct kernel. */
  static final int ROWS_PER_TASK = 256;
  /** Short-row direct kernel, fixed cost per output row (one register-blocked call). */
  static final double NS_PER_SHORT_ROW = 15;
  /** Padding one input row into a scratch plane (fused direct kernel). */
  static final double NS_PER_PAD_ROW = 20;
  /** GEMM, per multiply-add at full tiles (about 150 GFLOPS). */
  static final double NS_PER_MAC_GEMM = 0.0133;
  /** im2col, per element of the patch matrix written. */
  static final double NS_PER_COL = 0.45;
  /**
   * Implicit im2col, per element of the patch matrix it reads in place (padding, short-depth
   * GEMM overheads, copying the result out).
   */
  static final double NS_PER_COL_IMPLICIT = 0.3;
  /** FFT, per point per log2(points) of one complex transform. */
  static final double NS_PER_FFT_POINT_LOG = 1.1;
  /** FFT, per complex multiply-add of spectra. */
  static final double NS_PER_CMAC = 3.0;

  /** Largest im2col patch matrix built at once, in elements (16 MiB of float32). */
  static final long IM2COL_CHUNK = 1L << 22;
  /** Padded input elements per task of the fused 1-D direct kernel (64 KiB of float32). */
  static final long FUSED_ELEMS = 1L << 14;
  /** Preferred im2col chunk, in elements (1 MiB of float32, about one L2 cache). */
  static final long IM2COL_TARGET = 1L << 18;
  /**
   * Whether IM2COL always builds the patch matrix ({@code -Dconveinsum.explicitIm2col=true}), for
   * benchmarks that compare it with the implicit form.
   */
  static final boolean EXPLICIT_IM2COL = Boolean.getBoolean("conveinsum.explicitIm2col");
  /** Filter-row elements of all output channels per segment-dot chunk (512 KiB of float32). */
  static final long SEGMENT_CHUNK = 1L << 17;
  /** Zeros after the padded planes of the segment dots, for whole-vector reads past a row. */
  static final int SEGMENT_SLACK = 64;
  /** Columns the implicit im2col aims at per product, batch entries fused to get there. */
  static final long IMPLICIT_COLS = 512;
  /** Fewest columns per im2col chunk when the patch matrix allows. */
  static final long IM2COL_MIN_COLS = 128;

  private ConvKernel() {}

  /**
   * Returns the algorithm {@link Algorithm#AUTO} uses, the one with the least estimated
   * single-thread time.
   *
   * <p>With {@code macs = G*B*T*C*prod(out)*prod(k)}, {@code depth = C*prod(k)} and {@code rows =
   * G*B*T*C*prod(out_1..out_{N-1})*prod(k_1..k_{N-2})} row-kernel calls, the estimates in
   * nanoseconds are:
   *
   * <ul>
   *   <li>direct: {@code 0.04*macs + 40*rows} (per-row overhead dominates short rows); for 1-D
   *       stride-1 problems without a period and with at most 64 outputs per row, read straight
   *       from the input, {@code 0.04*macs*ceil16(out)/out + 15*G*B*T}; other 1-D stride-1
   *       problems, whose rows are fused over batch entries, {@code 0.04*macs*win/out +
   *       40*G*T*C*chunks + 20*G*B*C} (chunks of about 16384 padded inputs, one padding call per
   *       input row);
   *   <li>im2col: {@code 0.0133*macs*(ceil8(T)/T)*(1 + 8/depth) + 0.45*G*B*depth*prod(out)} (the
   *       GEMM wastes the unused rows of its 8-row tiles, loses efficiency at small depth, and
   *       the patch matrix costs a copy of {@code depth} values per output position); when every
   *       stride is 1 the patch matrix is read in place from the padded input (implicit im2col),
   *       {@code 0.0133*macs*J*(ceil8(T)/T)*(1 + 8/depth) + 0.3*G*B*depth*prod(out)*J}, where
   *       {@code J} (at most 1.25) counts the dropped columns between output rows;
   *   <li>FFT (N &lt;= 3, {@code F} = product of the transform lengths, each the smallest
   *       2^a3^b5^c covering the padded window): {@code 1.1*(G*B*C + G*T*C + G*B*T)*F*log2(F) +
   *       3*G*B*T*C*F}.
   * </ul>
   *
   * <p>In practice: im2col for dense layers (e.g. 64 channels, 3x3), direct for depthwise and
   * few-channel layers and for moderate 1-D filters, FFT only when signals and filters are both
   * long (e.g. length 8192 with a 1024-tap filter).
   *
   * @param shape the convolution
   * @return DIRECT, IM2COL or FFT
   */
  public static Algorithm choose(ConvProblem shape) {
    return choose(new Plan(shape), shape);
  }

  /** {@link #choose(ConvProblem)} with the plan the caller has built already. */
  private static Algorithm choose(Plan plan, ConvProblem shape) {
    double[] cost = estimate(plan, shape);
    if (cost[0] <= cost[1] && cost[0] <= cost[2]) {
      return Algorithm.DIRECT;
    }
    return cost[1] <= cost[2] ? Algorithm.IM2COL : Algorithm.FFT;
  }

  /** Whether IM2COL evaluates this problem implicitly, without a patch matrix (for tests). */
  static boolean implicitIm2col(ConvProblem shape) {
    return new Plan(shape).implicitGemm();
  }

  /** Whether IM2COL evaluates this problem as segment dot products (for tests). */
  static boolean segmentDotIm2col(ConvProblem shape) {
    return new Plan(shape).segmentDots();
  }

  /** Estimated single-thread nanoseconds of {direct, im2col, fft}; fft is infinite when N &gt; 3. */
  static double[] estimate(ConvProblem shape) {
    return estimate(new Plan(shape), shape);
  }

  private static double[] estimate(Plan plan, ConvProblem shape) {
    int n = shape.rank();
    double macs = shape.multiplyAdds();
    double kPlane = 1;
    double outPlane = 1;
    double rowFactor = 1;
    for (int i = 0; i < n; i++) {
      ConvDim d = shape.dims().get(i);
      kPlane *= d.kernelLength();
      outPlane *= d.outLength();
      if (i < n - 1) {
        rowFactor *= d.outLength();
      }
      if (i < n - 2) {
        rowFactor *= d.kernelLength();
      }
    }
    double gb = (double) shape.groups() * shape.batch();
    double t = Math.max(shape.outChannels(), 1);
    double depth = Math.max(shape.inChannels() * kPlane, 1);
    double rows = gb * shape.outChannels() * shape.inChannels() * rowFactor;
    double direct = NS_PER_MAC_DIRECT * macs + NS_PER_ROW_DIRECT * rows;
    if (n == 1 && shape.dims().get(0).stride() == 1 && shape.batch() > 1) {
      // fused rows (see fusedDirectF): one row-kernel call per (g, t, c) and chunk of batch
      // entries, over the padded rows laid end to end; padding costs a call per input row
      ConvDim d = shape.dims().get(0);
      double win = d.window();
      double per = Math.max(shape.inChannels(), 1) * Math.max(win, 1);
      double nb = Math.max(1, Math.min(shape.batch(), Math.floor(FUSED_ELEMS / per)));
      double chunks = shape.groups() * Math.ceil(shape.batch() / nb);
      direct = NS_PER_MAC_DIRECT * macs * win / Math.max(d.outLength(), 1)
          + NS_PER_ROW_DIRECT * chunks * shape.outChannels() * shape.inChannels()
          + NS_PER_PAD_ROW * gb * shape.inChannels();
    }
    if (n == 1 && shape.dims().get(0).stride() == 1 && shape.dims().get(0).period() == 0
        && shape.dims().get(0).outLength() <= SHORT_ROW) {
      // short rows straight from the input (rowsDirectF): whole vectors per row, one call each
      double lanes = Math.ceil(outPlane / 16) * 16;
      direct = NS_PER_MAC_DIRECT * macs / Math.max(outPlane, 1) * lanes
          + NS_PER_SHORT_ROW * gb * shape.outChannels();
    }
    double im2col =
        NS_PER_MAC_GEMM * macs * (Math.ceil(t / 8) * 8 / t) * (1 + 8 / depth)
            + NS_PER_COL * gb * depth * outPlane;
    if (plan.implicitGemm() && outPlane > 0) {
      // no patch matrix, but the dropped columns between output rows are computed too
      double junk = (double) plan.implicitSpan() / outPlane;
      im2col = NS_PER_MAC_GEMM * macs * junk * (Math.ceil(t / 8) * 8 / t) * (1 + 8 / depth)
          + NS_PER_COL_IMPLICIT * gb * depth * outPlane * junk;
    }
    double fft = Double.POSITIVE_INFINITY;
    if (n <= 3) {
      double f = 1;
      for (ConvDim d : shape.dims()) {
        f *= fftLength(d.window());
      }
      double transforms =
          gb * shape.inChannels()
              + (double) shape.groups() * shape.outChannels() * shape.inChannels()
              + gb * shape.outChannels();
      fft = NS_PER_FFT_POINT_LOG * transforms * f * Math.max(1.0, Math.log(f) / Math.log(2))
          + NS_PER_CMAC * gb * shape.outChannels() * shape.inChannels() * f;
    }
    return new double[] {direct, im2col, fft};
  }

  /**
   * Evaluates a float32 convolution with the automatically chosen algorithm on all processors.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   */
  public static void convolve(
      ConvProblem shape, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, boolean accumulate) {
    convolve(shape, x, xOff, w, wOff, y, yOff, accumulate, Algorithm.AUTO, Parallelism.defaults());
  }

  /**
   * Evaluates a float64 convolution with the automatically chosen algorithm on all processors.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   */
  public static void convolve(
      ConvProblem shape, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff, boolean accumulate) {
    convolve(shape, x, xOff, w, wOff, y, yOff, accumulate, Algorithm.AUTO, Parallelism.defaults());
  }

  /**
   * Evaluates a float32 convolution with the given algorithm and parallelism.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   * @param algorithm the algorithm, or AUTO
   * @param parallelism the threads to use
   * @throws IllegalArgumentException if FFT is requested for more than 3 dimensions
   */
  public static void convolve(
      ConvProblem shape, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, boolean accumulate,
      Algorithm algorithm, Parallelism parallelism) {
    convolve(VectorSupport.kernels(), shape, x, xOff, w, wOff, y, yOff, accumulate, algorithm, parallelism);
  }

  /**
   * Evaluates a float64 convolution with the given algorithm and parallelism.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   * @param algorithm the algorithm, or AUTO
   * @param parallelism the threads to use
   * @throws IllegalArgumentException if FFT is requested for more than 3 dimensions
   */
  public static void convolve(
      ConvProblem shape, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff, boolean accumulate,
      Algorithm algorithm, Parallelism parallelism) {
    convolve(VectorSupport.kernels(), shape, x, xOff, w, wOff, y, yOff, accumulate, algorithm, parallelism);
  }

  /**
   * The oracle: evaluates the defining sum with plain loops, accumulating in double precision.
   * Slow; meant for tests.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   */
  public static void reference(
      ConvProblem shape, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, boolean accumulate) {
    Plan pl = new Plan(shape);
    pl.check(x.length, xOff, w.length, wOff, y.length, yOff);
    pl.reference(
        i -> x[xOff + i], i -> w[wOff + i], (i, v) -> y[yOff + i] = (float) (accumulate ? y[yOff + i] + v : v));
  }

  /**
   * The oracle: evaluates the defining sum with plain loops. Slow; meant for tests.
   *
   * @param shape the sizes
   * @param x input [G,B,C,in...], from xOff
   * @param xOff offset of X
   * @param w filter [G,T,C,k...], from wOff
   * @param wOff offset of W
   * @param y output [G,B,T,out...], from yOff
   * @param yOff offset of Y
   * @param accumulate add to Y when true, overwrite Y when false
   */
  public static void reference(
      ConvProblem shape, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff, boolean accumulate) {
    Plan pl = new Plan(shape);
    pl.check(x.length, xOff, w.length, wOff, y.length, yOff);
    pl.reference(
        i -> x[xOff + i], i -> w[wOff + i], (i, v) -> y[yOff + i] = accumulate ? y[yOff + i] + v : v);
  }

  /** The smallest 2^a 3^b 5^c that is at least n (fast mixed-radix sizes for JTransforms). */
  static int fftLength(int n) {
    for (int f = Math.max(n, 1); ; f++) {
      int r = f;
      for (int p : new int[] {2, 3, 5}) {
        while (r % p == 0) {
          r /= p;
        }
      }
      if (r == 1) {
        return f;
      }
    }
  }

  private interface IndexReader {
    double get(int i);
  }

  private interface IndexWriter {
    void put(int i, double v);
  }

  /** Type-independent precomputation: sizes, strides and padded-index maps. */
  private static final class Plan {
    final int g;
    final int b;
    final int t;
    final int c;
    final int n;
    final ConvDim[] dims;
    final int[] in;
    final int[] k;
    final int[] out;
    final int[] win;
    final int[] inStride;
    final int[] kStride;
    final int[] outStride;
    final int[] winStride;
    final int inPlane;
    final int kPlane;
    final int outPlane;
    final int winPlane;
    /** map[i][u]: input index for padded position u of dim i, or -1. */
    final int[][] map;
    /** For each tap-space index j (row-major over k), the stored filter index k (flip applied). */
    final int[] tapToStored;
    final boolean anyFlip;
    /**
     * When the last dimension has no period, padded positions [lastLo, lastHi) read consecutive
     * inputs and the rest are zero; lastLo = -1 when the last dimension is periodic.
     */
    final int lastLo;
    final int lastHi;

    Plan(ConvProblem s) {
      g = s.groups();
      b = s.batch();
      t = s.outChannels();
      c = s.inChannels();
      List<ConvDim> ds = s.dims();
      n = ds.size();
      dims = ds.toArray(new ConvDim[0]);
      in = new int[n];
      k = new int[n];
      out = new int[n];
      win = new int[n];
      map = new int[n][];
      boolean flip = false;
      for (int i = 0; i < n; i++) {
        ConvDim d = dims[i];
        in[i] = d.inLength();
        k[i] = d.kernelLength();
        out[i] = d.outLength();
        win[i] = d.window();
        flip |= d.flip();
        map[i] = new int[win[i]];
        for (int u = 0; u < win[i]; u++) {
          int x = u - d.padLeft();
          if (d.period() > 0) {
            x = Math.floorMod(x, d.period());
          }
          map[i][u] = x >= 0 && x < d.inLength() ? x : -1;
        }
      }
      anyFlip = flip;
      ConvDim last = dims[n - 1];
      if (last.period() == 0) {
        int lo = Math.min(Math.max(last.padLeft(), 0), win[n - 1]);
        int hi = Math.max(Math.min(last.padLeft() + last.inLength(), win[n - 1]), lo);
        lastLo = lo;
        lastHi = hi;
      } else {
        lastLo = -1;
        lastHi = -1;
      }
      inStride = strides(in);
      kStride = strides(k);
      outStride = strides(out);
      winStride = strides(win);
      inPlane = Math.toIntExact(prod(in));
      kPlane = Math.toIntExact(prod(k));
      outPlane = Math.toIntExact(prod(out));
      winPlane = Math.toIntExact(prod(win));
      tapToStored = new int[kPlane];
      int[] idx = new int[n];
      for (int j = 0; j < kPlane; j++) {
        int src = 0;
        for (int i = 0; i < n; i++) {
          int kk = dims[i].flip() ? k[i] - 1 - idx[i] : idx[i];
          src += kk * kStride[i];
        }
        tapToStored[j] = src;
        increment(idx, k);
      }
    }

    static int[] strides(int[] dims) {
      int[] s = new int[dims.length];
      long acc = 1;
      for (int i = dims.length - 1; i >= 0; i--) {
        s[i] = Math.toIntExact(acc);
        acc *= dims[i];
      }
      return s;
    }

    static long prod(int[] a) {
      long p = 1;
      for (int v : a) {
        p *= v;
      }
      return p;
    }

    /** Odometer increment of a row-major multi-index; returns false after the last index. */
    static boolean increment(int[] idx, int[] bounds) {
      for (int i = idx.length - 1; i >= 0; i--) {
        if (++idx[i] < bounds[i]) {
          return true;
        }
        idx[i] = 0;
      }
      return false;
    }

    void check(int xLen, int xOff, int wLen, int wOff, int yLen, int yOff) {
      Objects.checkFromIndexSize(xOff, Math.toIntExact((long) g * b * c * inPlane), xLen);
      Objects.checkFromIndexSize(wOff, Math.toIntExact((long) g * t * c * kPlane), wLen);
      Objects.checkFromIndexSize(yOff, Math.toIntExact((long) g * b * t * outPlane), yLen);
    }

    /**
     * Whether im2col runs as shifted dot products ({@code shiftedF}): 1-D, no period, a filter
     * longer than the output and few outputs per batch entry, so that the per-entry GEMM is a
     * handful of long dot products.
     */
    boolean shiftedGemm() {
      return n == 1 && dims[0].period() == 0 && k[0] > out[0] && (long) out[0] * t <= SHIFT_MAX_OUT
          && (long) win[0] * 2 <= (long) k[0] * 3;
    }

    /**
     * Columns of one plane in the implicit im2col ({@code implicitF}): output o sits at column
     * {@code sum_i o_i * winStride_i} of the padded plane, so a plane spans this many columns,
     * the unused ones (between output rows) computed and dropped.
     */
    long implicitSpan() {
      long span = 1;
      for (int i = 0; i < n; i++) {
        span += (long) (out[i] - 1) * winStride[i];
      }
      return span;
    }

    /**
     * Whether im2col runs implicitly: every stride 1 (outputs then sit on the padded grid),
     * filters no longer than the output rows, and at most a quarter more columns than outputs.
     */
    boolean implicitGemm() {
      if (EXPLICIT_IM2COL) {
        return false;
      }
      for (ConvDim d : dims) {
        if (d.stride() != 1) {
          return false;
        }
      }
      return k[n - 1] <= out[n - 1] && implicitSpan() * 4 <= (long) outPlane * 5
          && (long) c * winPlane <= IM2COL_CHUNK;
    }

    /**
     * Whether im2col runs as segment dot products ({@code segmentDotsF}): the filter is longer
     * than the output rows (weight gradients), stride and dilation 1 in the last dimension, so
     * that each filter row and the input it meets are contiguous runs of at least 16.
     */
    boolean segmentDots() {
      ConvDim last = dims[n - 1];
      return !EXPLICIT_IM2COL && last.stride() == 1 && last.dilation() == 1 && k[n - 1] > out[n - 1]
          && k[n - 1] >= 16 && (long) b * winPlane + SEGMENT_SLACK <= IM2COL_CHUNK;
    }

    /**
     * GEMM row offsets of the implicit im2col for {@code entries} batch entries laid out {@code
     * [c][entry][padded plane]}: row (c, tap j) starts at {@code c*entries*winPlane +
     * tapOffset(j)}.
     */
    int[] implicitRows(int entries, int[] taps) {
      int[] rows = new int[c * kPlane];
      for (int cc = 0; cc < c; cc++) {
        for (int j = 0; j < kPlane; j++) {
          rows[cc * kPlane + j] = cc * entries * winPlane + taps[j];
        }
      }
      return rows;
    }

    boolean emptyOutput() {
      return g == 0 || b == 0 || t == 0 || outPlane == 0;
    }

    void reference(IndexReader x, IndexReader w, IndexWriter y) {
      if (emptyOutput()) {
        return;
      }
      int[] yi = new int[n];
      int[] ki = new int[n];
      for (int gg = 0; gg < g; gg++) {
        for (int bb = 0; bb < b; bb++) {
          for (int tt = 0; tt < t; tt++) {
            Arrays.fill(yi, 0);
            for (int o = 0; o < outPlane; o++) {
              double s = 0;
              for (int cc = 0; cc < c; cc++) {
                int xBase = ((gg * b + bb) * c + cc) * inPlane;
                int wBase = ((gg * t + tt) * c + cc) * kPlane;
                Arrays.fill(ki, 0);
                for (int q = 0; q < kPlane; q++) {
                  int xo = 0;
                  int wo = 0;
                  boolean ok = true;
                  for (int i = 0; i < n && ok; i++) {
                    ConvDim d = dims[i];
                    int j = d.flip() ? d.kernelLength() - 1 - ki[i] : ki[i];
                    int xx = yi[i] * d.stride() - d.padLeft() + d.dilation() * j;
                    if (d.period() > 0) {
                      xx = Math.floorMod(xx, d.period());
                    }
                    ok = xx >= 0 && xx < d.inLength();
                    xo += xx * inStride[i];
                    wo += ki[i] * kStride[i];
                  }
                  if (ok) {
                    s += x.get(xBase + xo) * w.get(wBase + wo);
                  }
                  increment(ki, k);
                }
              }
              y.put(((gg * b + bb) * t + tt) * outPlane + o, s);
              increment(yi, out);
            }
          }
        }
      }
    }

    /** Offset, in a padded plane, of the start of output row {@code rowIdx} (all dims but last) with tap offsets. */
    int[] rowStarts() {
      // start of each output row in padded-plane coordinates (tap 0), for rows over dims 0..n-2
      int rows = outPlane / out[n - 1];
      int[] starts = new int[rows];
      int[] yi = new int[n - 1];
      int[] bounds = Arrays.copyOf(out, n - 1);
      for (int r = 0; r < rows; r++) {
        int off = 0;
        for (int i = 0; i < n - 1; i++) {
          off += yi[i] * dims[i].stride() * winStride[i];
        }
        starts[r] = off;
        increment(yi, bounds);
      }
      return starts;
    }

    /**
     * Offsets, in a padded plane, of the taps over dims 0..n-3 (the last two are handled by the
     * row kernel), paired with the tap-space filter offsets.
     */
    int[][] outerTaps() {
      int m = Math.max(n - 2, 0);
      int cnt = 1;
      for (int i = 0; i < m; i++) {
        cnt *= k[i];
      }
      int[] pOff = new int[cnt];
      int[] wOff = new int[cnt];
      int[] ji = new int[m];
      int[] bounds = Arrays.copyOf(k, m);
      for (int q = 0; q < cnt; q++) {
        int po = 0;
        int wo = 0;
        for (int i = 0; i < m; i++) {
          po += ji[i] * dims[i].dilation() * winStride[i];
          wo += ji[i] * kStride[i];
        }
        pOff[q] = po;
        wOff[q] = wo;
        increment(ji, bounds);
      }
      return new int[][] {pOff, wOff};
    }

    /** Offsets, in a padded plane, of every tap (tap-space row-major order). */
    int[] tapOffsets() {
      int[] offs = new int[kPlane];
      int[] ji = new int[n];
      for (int q = 0; q < kPlane; q++) {
        int po = 0;
        for (int i = 0; i < n; i++) {
          po += ji[i] * dims[i].dilation() * winStride[i];
        }
        offs[q] = po;
        increment(ji, k);
      }
      return offs;
    }

    /** For each padded row (dims 0..n-2), the input row offset, or -1 if the row is all padding. */
    int[] paddedRowSources() {
      int rows = winPlane / Math.max(win[n - 1], 1);
      if (win[n - 1] == 0) {
        return new int[0];
      }
      int[] src = new int[rows];
      int[] ui = new int[n - 1];
      int[] bounds = Arrays.copyOf(win, n - 1);
      for (int r = 0; r < rows; r++) {
        int off = 0;
        for (int i = 0; i < n - 1 && off >= 0; i++) {
          int xx = map[i][ui[i]];
          off = xx < 0 ? -1 : off + xx * inStride[i];
        }
        src[r] = off;
        increment(ui, bounds);
      }
      return src;
    }
  }

  /** Whether {@link #rowsDirectF} applies: 1-D, stride 1, no period, rows of at most SHORT_ROW. */
  static boolean shortRows(Plan pl) {
    return pl.n == 1 && pl.dims[0].stride() == 1 && pl.dims[0].period() == 0
        && pl.out[0] <= SHORT_ROW;
  }

  /** Batch entries per task of the fused 1-D direct kernel: about FUSED_ELEMS padded inputs. */
  static int fusedBatch(Plan pl, int threads) {
    long per = (long) Math.max(pl.c, 1) * Math.max(pl.winPlane, 1);
    int nb = (int) Math.max(1, Math.min(pl.b, FUSED_ELEMS / per));
    long units = (long) pl.g * ((pl.b + nb - 1) / nb);
    if (units < threads) {
      int want = (int) Math.min(pl.b, (threads + pl.g - 1) / pl.g);
      nb = Math.max(1, (pl.b + want - 1) / want);
    }
    return nb;
  }

  /** How im2col cuts the output rows of one group, {@code B * rowsPerPlane}, into chunks. */
  private record Im2colChunks(int rowsPerChunk, int chunks) {
    static Im2colChunks of(Plan pl, int depth, int rowsPP, int lenOut, int threads) {
      long rowsTotal = (long) pl.b * rowsPP;
      // aim at about IM2COL_TARGET patch elements per chunk, but at least IM2COL_MIN_COLS columns
      // (so that the GEMM runs at full width) and at most IM2COL_CHUNK elements
      long target = Math.max(IM2COL_TARGET, (long) depth * IM2COL_MIN_COLS);
      target = Math.min(target, IM2COL_CHUNK);
      long per = Math.max(1, Math.min(rowsTotal, target / ((long) depth * lenOut)));
      if ((long) rowsPP * lenOut >= IM2COL_MIN_COLS && (long) depth * rowsPP * lenOut <= IM2COL_CHUNK) {
        // one plane is wide enough for the GEMM on its own: one chunk per batch entry, which
        // multiplies straight into Y without a scratch copy
        per = rowsPP;
      }
      long chunks = (rowsTotal + per - 1) / per;
      if ((long) pl.g * chunks < threads) {
        long want = Math.min(rowsTotal, (threads + pl.g - 1) / pl.g);
        per = Math.max(1, (rowsTotal + want - 1) / want);
        chunks = (rowsTotal + per - 1) / per;
      }
      return new Im2colChunks((int) per, (int) chunks);
    }
  }

  /**
   * How the implicit im2col splits the work: {@code entries} batch entries per GEMM (enough for
   * about IMPLICIT_COLS columns), {@code chunks} such groups per convolution group, and each
   * product cut into {@code parts} column ranges when there are fewer groups than threads or its
   * result would exceed IM2COL_CHUNK elements.
   */
  private record Implicit(int entries, int chunks, int parts) {
    static Implicit of(Plan pl, int threads) {
      long span = pl.implicitSpan();
      long byCols = span >= IMPLICIT_COLS ? 1 : 1 + (IMPLICIT_COLS - span + pl.winPlane - 1) / pl.winPlane;
      long byScratch = Math.max(1, IM2COL_CHUNK / ((long) Math.max(pl.c, 1) * pl.winPlane));
      int entries = (int) Math.max(1, Math.min(pl.b, Math.min(byCols, byScratch)));
      int chunks = (pl.b + entries - 1) / entries;
      if ((long) pl.g * chunks < threads && entries > 1) {
        long want = Math.min(pl.b, (threads + pl.g - 1) / pl.g);
        entries = (int) Math.max(1, (pl.b + want - 1) / want);
        chunks = (pl.b + entries - 1) / entries;
      }
      long tasks = (long) pl.g * chunks;
      int parts = tasks >= threads ? 1 : (int) ((threads + tasks - 1) / tasks);
      // bound the per-thread product buffer (T x columns) by IM2COL_CHUNK elements
      long cols = (long) (entries - 1) * pl.winPlane + span;
      long bound = ((long) pl.t * cols + IM2COL_CHUNK - 1) / IM2COL_CHUNK;
      parts = (int) Math.min(Math.max(parts, bound), Math.max(1, cols));
      return new Implicit(entries, chunks, parts);
    }
  }

  /**
   * Index tables of the segment dot products for one task of {@code entries} batch entries and
   * passes of {@code channels} channels: row (entry e, output o) of the padded input starts at
   * {@code aRows}, the filter rows of output channel t at {@code bRows}; segment (channel cl of
   * the pass, filter row r) lies {@code aSeg} / {@code bSeg} further on.
   */
  private record Segments(int[] aRows, int[] bRows, int[] aSeg, int[] bSeg) {
    static Segments of(Plan pl, int[] rowStarts, int[] taps, int wtOff, int entries, int channels) {
      int n = pl.n;
      int lenOut = pl.out[n - 1];
      int kLast = pl.k[n - 1];
      int filterRows = pl.kPlane / kLast;
      // stride 1 in the last dimension: output o of a row sits lenOut-wise after its row start
      int[] aRows = new int[entries * pl.outPlane];
      for (int e = 0; e < entries; e++) {
        for (int o = 0; o < pl.outPlane; o++) {
          aRows[e * pl.outPlane + o] = e * pl.winPlane + rowStarts[o / lenOut] + o % lenOut;
        }
      }
      int[] bRows = new int[pl.t];
      for (int tt = 0; tt < pl.t; tt++) {
        bRows[tt] = wtOff + tt * pl.c * pl.kPlane;
      }
      // dilation 1 in the last dimension: filter row r starts at tap r * kLast
      int[] aSeg = new int[channels * filterRows];
      int[] bSeg = new int[channels * filterRows];
      for (int cl = 0; cl < channels; cl++) {
        for (int r = 0; r < filterRows; r++) {
          aSeg[cl * filterRows + r] = cl * entries * pl.winPlane + taps[r * kLast];
          bSeg[cl * filterRows + r] = cl * pl.kPlane + r * kLast;
        }
      }
      return new Segments(aRows, bRows, aSeg, bSeg);
    }
  }

  /**
   * Per-thread scratch buffers of the in-place im2col forms, grown on demand and kept behind soft
   * references (up to IM2COL_CHUNK elements each; the collector may take them back).
   */
  private static final class Scratch {
    static final int PADDED = 0;
    static final int PRODUCT = 1;
    private static final ThreadLocal<Object[]> HELD = ThreadLocal.withInitial(() -> new Object[4]);

    static float[] floats(int which, long size) {
      Object[] held = HELD.get();
      float[] a = held[which] instanceof SoftReference<?> r && r.get() instanceof float[] f ? f : null;
      if (a == null || a.length < size) {
        a = new float[Math.toIntExact(size)];
        held[which] = new SoftReference<>(a);
      }
      return a;
    }

    static double[] doubles(int which, long size) {
      Object[] held = HELD.get();
      double[] a = held[2 + which] instanceof SoftReference<?> r && r.get() instanceof double[] d ? d : null;
      if (a == null || a.length < size) {
        a = new double[Math.toIntExact(size)];
        held[2 + which] = new SoftReference<>(a);
      }
      return a;
    }
  }

  // BEGIN FLOAT
  static void convolve(
      CpuKernels kern, ConvProblem shape, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
      boolean accumulate, Algorithm algorithm, Parallelism par) {
    Objects.requireNonNull(algorithm, "algorithm");
    Plan pl = new Plan(shape);
    pl.check(x.length, xOff, w.length, wOff, y.length, yOff);
    if (algorithm == Algorithm.FFT && pl.n > 3) {
      throw new IllegalArgumentException("FFT convolution supports at most 3 dimensions, got " + pl.n);
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
    Algorithm algo = algorithm == Algorithm.AUTO ? choose(pl, shape) : algorithm;
    if (algo == Algorithm.IM2COL && pl.shiftedGemm()) {
      // reads the stored filter itself, flip included
      shiftedF(kern, pl, x, xOff, w, wOff, y, yOff, accumulate, par);
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
    switch (algo) {
      case DIRECT -> directF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case IM2COL -> im2colF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case FFT -> fftF(pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      default -> throw new AssertionError(algo);
    }
  }

  /** Writes the padded, period-wrapped input plane of X at xBase into p[pOff, pOff + winPlane). */
  private static void padF(Plan pl, int[] rowSrc, float[] x, int xBase, float[] p, int pOff) {
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

  private static void directF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    if (shortRows(pl) && !accumulate) {
      rowsDirectF(kern, pl, x, xOff, wt, wtOff, y, yOff, par);
      return;
    }
    if (pl.n == 1 && pl.dims[0].stride() == 1 && pl.b > 1) {
      fusedDirectF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
    int n = pl.n;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[][] outer = pl.outerTaps();
    int lenOut = pl.out[n - 1];
    int sLast = pl.dims[n - 1].stride();
    int dLast = pl.dims[n - 1].dilation();
    int taps2 = pl.k[n - 1];
    int taps1 = n >= 2 ? pl.k[n - 2] : 1;
    int pStep = n >= 2 ? pl.dims[n - 2].dilation() * pl.winStride[n - 2] : 0;
    // Each output row is accumulated in a scratch row rounded up to whole vectors (the extra lanes
    // read up to lanes-1 values past the padded plane, hence the slack, and are discarded), so the
    // row kernel never runs a scalar tail.
    int lanes = kern.floatLanes();
    int lenPad = sLast == 1 ? (lenOut + lanes - 1) / lanes * lanes : lenOut;
    int slack = lenPad - lenOut;
    boolean perT = (long) pl.g * pl.b < par.threads();
    int units = perT ? pl.g * pl.b * pl.t : pl.g * pl.b;
    par.forEach(units, unit -> {
      int gb = perT ? unit / pl.t : unit;
      int t0 = perT ? unit % pl.t : 0;
      int t1 = perT ? t0 + 1 : pl.t;
      int gg = gb / pl.b;
      float[] p = new float[pl.c * pl.winPlane + slack];
      float[] row = new float[lenPad];
      for (int cc = 0; cc < pl.c; cc++) {
        padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * pl.winPlane);
      }
      for (int tt = t0; tt < t1; tt++) {
        int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
        int wT = wtOff + (gg * pl.t + tt) * pl.c * pl.kPlane;
        if (slack == 0 && sLast == 1) {
          // rows are whole vectors: accumulate straight into Y
          if (!accumulate) {
            Arrays.fill(y, yBase, yBase + pl.outPlane, 0f);
          }
          for (int r = 0; r < rowStarts.length; r++) {
            int yRow = yBase + r * lenOut;
            for (int cc = 0; cc < pl.c; cc++) {
              int wBase = wT + cc * pl.kPlane;
              int pBase = cc * pl.winPlane + rowStarts[r];
              for (int q = 0; q < outer[0].length; q++) {
                kern.corrRow(y, yRow, lenOut, p, pBase + outer[0][q], pStep, 1, dLast,
                    wt, wBase + outer[1][q], taps1, taps2);
              }
            }
          }
          continue;
        }
        for (int r = 0; r < rowStarts.length; r++) {
          Arrays.fill(row, 0f);
          for (int cc = 0; cc < pl.c; cc++) {
            int wBase = wT + cc * pl.kPlane;
            int pBase = cc * pl.winPlane + rowStarts[r];
            for (int q = 0; q < outer[0].length; q++) {
              kern.corrRow(row, 0, lenPad, p, pBase + outer[0][q], pStep, sLast, dLast,
                  wt, wBase + outer[1][q], taps1, taps2);
            }
          }
          int yRow = yBase + r * lenOut;
          if (accumulate) {
            for (int o = 0; o < lenOut; o++) {
              y[yRow + o] += row[o];
            }
          } else {
            System.arraycopy(row, 0, y, yRow, lenOut);
          }
        }
      }
    });
  }

  /**
   * 1-D stride-1 convolution without a period, read straight from the unpadded input: one
   * register-blocked call per output row covers all channels and taps, so short rows with few
   * channels (the depthwise and low-rank steps of tensorial layers) pay neither a padding copy
   * nor a call per (channel, tap). Tasks take whole (group, batch) entries, about
   * ROWS_PER_TASK output rows each.
   */
  private static void rowsDirectF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      Parallelism par) {
    int lenOut = pl.out[0];
    int taps = pl.k[0];
    int lanes = kern.floatLanes();
    // Scratch rows: input i at lead + i, zeros around it as far as any vector load reaches.
    int first = -pl.dims[0].padLeft();
    int last = (lenOut + lanes - 1) / lanes * lanes - 1 + first + (taps - 1) * pl.dims[0].dilation();
    int lead = Math.max(0, -first);
    int width = lead + Math.max(pl.in[0], last + 1);
    int[] shift = new int[taps];
    for (int j = 0; j < taps; j++) {
      shift[j] = lead + first + j * pl.dims[0].dilation();
    }
    int units = pl.g * pl.b;
    int per = Math.max(1, Math.min(units, ROWS_PER_TASK / Math.max(1, pl.t)));
    int tasks = (units + per - 1) / per;
    par.forEach(tasks, task -> {
      float[] p = new float[pl.c * width];
      float[] tmp = new float[lanes];
      int end = Math.min(units, (task + 1) * per);
      for (int gb = task * per; gb < end; gb++) {
        int gg = gb / pl.b;
        int xBase = xOff + gb * pl.c * pl.inPlane;
        for (int cc = 0; cc < pl.c; cc++) {
          System.arraycopy(x, xBase + cc * pl.inPlane, p, cc * width + lead, pl.in[0]);
        }
        for (int tt = 0; tt < pl.t; tt++) {
          kern.corrTaps(y, yOff + (gb * pl.t + tt) * lenOut, lenOut, p, 0, width, pl.c, shift,
              wt, wtOff + (gg * pl.t + tt) * pl.c * taps, taps, tmp);
        }
      }
    });
  }

  /**
   * 1-D direct convolution with stride 1 over several batch entries at once: their padded rows are
   * laid end to end, one per channel, and the row kernel runs once over the whole run, so that
   * short rows (e.g. 16 outputs of a depthwise layer) do not each pay the per-call overhead. The
   * outputs that straddle two rows are computed and discarded.
   */
  private static void fusedDirectF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int[] rowSrc = pl.paddedRowSources();
    int win = pl.winPlane;
    int lenOut = pl.out[0];
    int k = pl.k[0];
    int dil = pl.dims[0].dilation();
    int lanes = kern.floatLanes();
    int nb = fusedBatch(pl, par.threads());
    int chunks = (pl.b + nb - 1) / nb;
    par.forEach(pl.g * chunks, task -> {
      int gg = task / chunks;
      int b0 = (task % chunks) * nb;
      int b1 = Math.min(pl.b, b0 + nb);
      int plane = (b1 - b0) * win;
      int lenZ = (plane + lanes - 1) / lanes * lanes;
      float[] p = new float[pl.c * plane + lenZ - plane + (k - 1) * dil];
      float[] z = new float[lenZ];
      for (int cc = 0; cc < pl.c; cc++) {
        for (int bb = b0; bb < b1; bb++) {
          padF(pl, rowSrc, x, xOff + ((gg * pl.b + bb) * pl.c + cc) * pl.inPlane, p,
              cc * plane + (bb - b0) * win);
        }
      }
      for (int tt = 0; tt < pl.t; tt++) {
        Arrays.fill(z, 0f);
        int wT = wtOff + (gg * pl.t + tt) * pl.c * k;
        for (int cc = 0; cc < pl.c; cc++) {
          kern.corrRow(z, 0, lenZ, p, cc * plane, 0, 1, dil, wt, wT + cc * k, 1, k);
        }
        for (int bb = b0; bb < b1; bb++) {
          int yRow = yOff + ((gg * pl.b + bb) * pl.t + tt) * lenOut;
          int zRow = (bb - b0) * win;
          storeF(z, zRow, y, yRow, lenOut, accumulate);
        }
      }
    });
  }

  /**
   * 1-D im2col without the patch matrix, for long filters, short outputs and few output channels
   * (weight gradients): with the filter zero-padded to the input window, {@code W'[t, c*win + u] =
   * W[t, c, j]} at {@code u = j*dilation}, output {@code o} of one batch entry is the dot product
   * of W' with the padded input planes laid end to end, read from {@code o*stride} on. So Y is one
   * small GEMM per batch entry whose A rows overlap ({@code aRs = stride}), at the price of {@code
   * win/k} extra multiply-adds on zeros instead of an {@code out}-times copy of the input.
   */
  private static void shiftedF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
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
        padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * win);
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
      Plan pl, int[] rowStarts, int[] taps, float[] p, float[] col, boolean byTap, int cc, int r0,
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

  /** y[yOff, yOff+len) (=|+=) z[zOff, zOff+len). */
  private static void storeF(float[] z, int zOff, float[] y, int yOff, int len, boolean accumulate) {
    if (accumulate) {
      for (int i = 0; i < len; i++) {
        y[yOff + i] += z[zOff + i];
      }
    } else {
      System.arraycopy(z, zOff, y, yOff, len);
    }
  }

  /**
   * im2col without the patch matrix, for stride-1 problems: with the padded planes of a few batch
   * entries laid out {@code [c][entry][padded plane]}, the patch-matrix row of channel c and tap j
   * is that buffer read from {@code c*entries*winPlane + tapOffset(j)} on, so the GEMM reads its
   * B rows straight from the padded input ({@link CpuKernels#sgemmRows}). Column {@code e*winPlane
   * + sum_i o_i*winStride_i} holds output o of entry e; the columns between output rows are
   * computed and dropped when the result is copied into Y.
   */
  private static void implicitF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    Implicit im = Implicit.of(pl, par.threads());
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int lenOut = pl.out[pl.n - 1];
    int depth = pl.c * pl.kPlane;
    int[] fullRows = pl.implicitRows(im.entries(), taps);
    par.forEach(pl.g * im.chunks() * im.parts(), task -> {
      int part = task % im.parts();
      int chunk = task / im.parts();
      int gg = chunk / im.chunks();
      int b0 = (chunk % im.chunks()) * im.entries();
      int ne = Math.min(im.entries(), pl.b - b0);
      int cols = (ne - 1) * pl.winPlane + (int) pl.implicitSpan();
      int lo = (int) ((long) cols * part / im.parts());
      int hi = (int) ((long) cols * (part + 1) / im.parts());
      int planeStride = ne * pl.winPlane;
      float[] p = Scratch.floats(Scratch.PADDED, (long) pl.c * planeStride);
      for (int cc = 0; cc < pl.c; cc++) {
        for (int e = 0; e < ne; e++) {
          padF(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p,
              (cc * ne + e) * pl.winPlane);
        }
      }
      int[] rows = ne == im.entries() ? fullRows : pl.implicitRows(ne, taps);
      int wBase = wtOff + gg * pl.t * depth;
      int yPlanes = yOff + (gg * pl.b + b0) * pl.t * pl.outPlane;
      if (ne == 1 && cols == pl.outPlane) {
        // no dropped columns: multiply straight into Y
        kern.sgemmRows(pl.t, hi - lo, depth, wt, wBase, depth, 1, p, rows, lo, y, yPlanes + lo,
            pl.outPlane, accumulate);
        return;
      }
      int width = hi - lo;
      float[] z = Scratch.floats(Scratch.PRODUCT, (long) pl.t * width);
      kern.sgemmRows(pl.t, width, depth, wt, wBase, depth, 1, p, rows, lo, z, 0, width, false);
      for (int e = 0; e < ne; e++) {
        for (int r = 0; r < rowStarts.length; r++) {
          int start = e * pl.winPlane + rowStarts[r];
          int from = Math.max(start, lo);
          int to = Math.min(start + lenOut, hi);
          if (from >= to) {
            continue;
          }
          for (int tt = 0; tt < pl.t; tt++) {
            int yRow = yPlanes + (e * pl.t + tt) * pl.outPlane + r * lenOut + (from - start);
            storeF(z, tt * width + from - lo, y, yRow, to - from, accumulate);
          }
        }
      }
    });
  }

  /**
   * im2col without the patch matrix for filters longer than the output (weight gradients): each
   * output {@code Y[g,b,t,o]} is a sum over channels and filter rows of dot products between a
   * filter row and the padded input row it meets, both contiguous and read in place
   * ({@link CpuKernels#sdotSegments}, 4 x 4 blocks of (b, o) rows and output channels). A task
   * owns the rows of a range of batch entries of one group; per channel it pads its planes, then
   * sums over chunks of filter rows small enough for the rows of all output channels to stay in
   * cache.
   */
  private static void segmentDotsF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int kLast = pl.k[pl.n - 1];
    int filterRows = pl.kPlane / kLast;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int segChunk = (int) Math.max(1, SEGMENT_CHUNK / ((long) Math.max(pl.t, 1) * kLast));
    // channels per pass: enough filter rows per kernel call to amortise its final reductions
    int perPass = Math.max(1, Math.min(pl.c, segChunk / filterRows));
    int perGroup = (int) Math.min(pl.b, Math.max(1, (par.threads() + pl.g - 1) / pl.g));
    int entries = (pl.b + perGroup - 1) / perGroup;
    int parts = (pl.b + entries - 1) / entries;
    par.forEach(pl.g * parts, task -> {
      int gg = task / parts;
      int b0 = (task % parts) * entries;
      int ne = Math.min(entries, pl.b - b0);
      int m = ne * pl.outPlane;
      int cPass = (int) Math.max(1, Math.min(perPass, (IM2COL_CHUNK - SEGMENT_SLACK) / ((long) ne * pl.winPlane)));
      Segments sg = Segments.of(pl, rowStarts, taps, wtOff, ne, cPass);
      float[] p = Scratch.floats(Scratch.PADDED, (long) cPass * ne * pl.winPlane + SEGMENT_SLACK);
      float[] acc = new float[m * pl.t];
      for (int c0 = 0; c0 < pl.c; c0 += cPass) {
        int cn = Math.min(cPass, pl.c - c0);
        for (int cl = 0; cl < cn; cl++) {
          for (int e = 0; e < ne; e++) {
            padF(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + c0 + cl) * pl.inPlane, p,
                (cl * ne + e) * pl.winPlane);
          }
        }
        int bShift = (gg * pl.t * pl.c + c0) * pl.kPlane;
        int segs = cn * filterRows;
        for (int s0 = 0; s0 < segs; s0 += segChunk) {
          kern.sdotSegments(m, pl.t, kLast, p, sg.aRows(), sg.aSeg(), wt, sg.bRows(), bShift,
              sg.bSeg(), s0, Math.min(segs, s0 + segChunk), acc, 0, pl.t);
        }
      }
      for (int e = 0; e < ne; e++) {
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = yOff + ((gg * pl.b + b0 + e) * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            float v = acc[(e * pl.outPlane + o) * pl.t + tt];
            y[yRow + o] = accumulate ? y[yRow + o] + v : v;
          }
        }
      }
    });
  }

  private static void im2colF(
      CpuKernels kern, Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    if (pl.implicitGemm()) {
      implicitF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
    if (pl.segmentDots()) {
      segmentDotsF(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
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
          padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, 0);
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
          storeF(z, zRow, y, yRow, len, accumulate);
        }
      }
    });
  }

  private static void fftF(
      Plan pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int n = pl.n;
    int[] f = new int[n];
    for (int i = 0; i < n; i++) {
      f[i] = fftLength(pl.win[i]);
    }
    int[] fStride = Plan.strides(f);
    int fPlane = Math.toIntExact(Plan.prod(f));
    int[] rowSrc = pl.paddedRowSources();
    int[] taps = pl.tapOffsets();
    // tap offsets in the FFT grid
    int[] tapF = new int[pl.kPlane];
    int[] outF = new int[pl.outPlane];
    {
      int[] ji = new int[n];
      for (int q = 0; q < pl.kPlane; q++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += ji[i] * pl.dims[i].dilation() * fStride[i];
        }
        tapF[q] = off;
        Plan.increment(ji, pl.k);
      }
      int[] yi = new int[n];
      for (int o = 0; o < pl.outPlane; o++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += yi[i] * pl.dims[i].stride() * fStride[i];
        }
        outF[o] = off;
        Plan.increment(yi, pl.out);
      }
    }
    // padded-plane row r (dims 0..n-2) -> start in the FFT grid
    int winLast = pl.win[n - 1];
    int[] rowF = new int[rowSrc.length];
    {
      int[] ui = new int[n - 1];
      int[] bounds = Arrays.copyOf(pl.win, n - 1);
      for (int r = 0; r < rowF.length; r++) {
        int off = 0;
        for (int i = 0; i < n - 1; i++) {
          off += ui[i] * fStride[i];
        }
        rowF[r] = off;
        Plan.increment(ui, bounds);
      }
    }
    ThreadLocal<Object> fftHolder = ThreadLocal.withInitial(() -> newFftF(f));
    int tc = pl.t * pl.c;
    float[] h = new float[tc * 2 * fPlane];
    float[] xs = new float[pl.c * 2 * fPlane];
    for (int gg = 0; gg < pl.g; gg++) {
      int g0 = gg;
      par.forEach(tc, q -> {
        int dst = q * 2 * fPlane;
        Arrays.fill(h, dst, dst + 2 * fPlane, 0f);
        int src = wtOff + (g0 * tc + q) * pl.kPlane;
        for (int j = 0; j < pl.kPlane; j++) {
          h[dst + 2 * tapF[j]] = wt[src + j];
        }
        forwardF(fftHolder.get(), h, dst, 2 * fPlane);
      });
      for (int bb = 0; bb < pl.b; bb++) {
        int gb = g0 * pl.b + bb;
        par.forEach(pl.c, cc -> {
          int dst = cc * 2 * fPlane;
          float[] buf = new float[pl.winPlane];
          padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, buf, 0);
          Arrays.fill(xs, dst, dst + 2 * fPlane, 0f);
          for (int r = 0; r < rowF.length; r++) {
            int s = r * winLast;
            int d = dst + 2 * rowF[r];
            for (int u = 0; u < winLast; u++) {
              xs[d + 2 * u] = buf[s + u];
            }
          }
          forwardF(fftHolder.get(), xs, dst, 2 * fPlane);
        });
        par.forEach(pl.t, tt -> {
          float[] acc = new float[2 * fPlane];
          for (int cc = 0; cc < pl.c; cc++) {
            int xb = cc * 2 * fPlane;
            int hb = (tt * pl.c + cc) * 2 * fPlane;
            for (int i = 0; i < 2 * fPlane; i += 2) {
              float xr = xs[xb + i];
              float xi = xs[xb + i + 1];
              float hr = h[hb + i];
              float hi = h[hb + i + 1];
              acc[i] += xr * hr + xi * hi;
              acc[i + 1] += xi * hr - xr * hi;
            }
          }
          inverseF(fftHolder.get(), acc);
          int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            float v = acc[2 * outF[o]];
            y[yBase + o] = accumulate ? y[yBase + o] + v : v;
          }
        });
      }
    }
  }

  /** A JTransforms plan over the axes longer than 1 (it rejects length-1 axes), or null if none. */
  private static Object newFftF(int[] full) {
    int[] f = Arrays.stream(full).filter(v -> v > 1).toArray();
    return switch (f.length) {
      case 0 -> null;
      case 1 -> new FloatFFT_1D(f[0]);
      case 2 -> new FloatFFT_2D(f[0], f[1]);
      case 3 -> new FloatFFT_3D(f[0], f[1], f[2]);
      default -> throw new IllegalArgumentException("FFT rank " + f.length);
    };
  }

  private static void forwardF(Object fft, float[] a, int off, int len) {
    if (fft == null) {
      return;
    }
    if (fft instanceof FloatFFT_1D f1) {
      f1.complexForward(a, off);
      return;
    }
    float[] tmp = off == 0 && a.length == len ? a : Arrays.copyOfRange(a, off, off + len);
    if (fft instanceof FloatFFT_2D f2) {
      f2.complexForward(tmp);
    } else {
      ((FloatFFT_3D) fft).complexForward(tmp);
    }
    if (tmp != a) {
      System.arraycopy(tmp, 0, a, off, len);
    }
  }

  private static void inverseF(Object fft, float[] a) {
    if (fft == null) {
      return;
    }
    if (fft instanceof FloatFFT_1D f1) {
      f1.complexInverse(a, true);
    } else if (fft instanceof FloatFFT_2D f2) {
      f2.complexInverse(a, true);
    } else {
      ((FloatFFT_3D) fft).complexInverse(a, true);
    }
  }
  // END FLOAT
  // BEGIN DOUBLE (generated)
  static void convolve(
      CpuKernels kern, ConvProblem shape, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff,
      boolean accumulate, Algorithm algorithm, Parallelism par) {
    Objects.requireNonNull(algorithm, "algorithm");
    Plan pl = new Plan(shape);
    pl.check(x.length, xOff, w.length, wOff, y.length, yOff);
    if (algorithm == Algorithm.FFT && pl.n > 3) {
      throw new IllegalArgumentException("FFT convolution supports at most 3 dimensions, got " + pl.n);
    }
    if (pl.emptyOutput()) {
      return;
    }
    if (pl.c == 0 || pl.kPlane == 0) {
      if (!accumulate) {
        Arrays.fill(y, yOff, yOff + pl.g * pl.b * pl.t * pl.outPlane, 0.0);
      }
      return;
    }
    Algorithm algo = algorithm == Algorithm.AUTO ? choose(pl, shape) : algorithm;
    if (algo == Algorithm.IM2COL && pl.shiftedGemm()) {
      // reads the stored filter itself, flip included
      shiftedD(kern, pl, x, xOff, w, wOff, y, yOff, accumulate, par);
      return;
    }
    // filter in tap space (flip applied): wt[(g,t,c) * kPlane + j]
    double[] wt;
    int wtOff;
    if (pl.anyFlip) {
      // one (g, t) per task: the loop then runs compiled even when convolve is called rarely
      double[] wf = new double[pl.g * pl.t * pl.c * pl.kPlane];
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
    switch (algo) {
      case DIRECT -> directD(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case IM2COL -> im2colD(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      case FFT -> fftD(pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      default -> throw new AssertionError(algo);
    }
  }

  /** Writes the padded, period-wrapped input plane of X at xBase into p[pOff, pOff + winPlane). */
  private static void padD(Plan pl, int[] rowSrc, double[] x, int xBase, double[] p, int pOff) {
    int len = pl.win[pl.n - 1];
    int lo = pl.lastLo;
    if (lo >= 0) {
      // no period in the last dimension: zero the plane once, then copy one contiguous run of
      // input per row that is not all padding
      int hi = pl.lastHi;
      Arrays.fill(p, pOff, pOff + rowSrc.length * len, 0.0);
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
        Arrays.fill(p, dst, dst + len, 0.0);
      } else {
        int xs = xBase + src;
        for (int u = 0; u < len; u++) {
          int m = lastMap[u];
          p[dst + u] = m >= 0 ? x[xs + m] : 0.0;
        }
      }
    }
  }

  private static void directD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    if (shortRows(pl) && !accumulate) {
      rowsDirectD(kern, pl, x, xOff, wt, wtOff, y, yOff, par);
      return;
    }
    if (pl.n == 1 && pl.dims[0].stride() == 1 && pl.b > 1) {
      fusedDirectD(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
    int n = pl.n;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[][] outer = pl.outerTaps();
    int lenOut = pl.out[n - 1];
    int sLast = pl.dims[n - 1].stride();
    int dLast = pl.dims[n - 1].dilation();
    int taps2 = pl.k[n - 1];
    int taps1 = n >= 2 ? pl.k[n - 2] : 1;
    int pStep = n >= 2 ? pl.dims[n - 2].dilation() * pl.winStride[n - 2] : 0;
    // Each output row is accumulated in a scratch row rounded up to whole vectors (the extra lanes
    // read up to lanes-1 values past the padded plane, hence the slack, and are discarded), so the
    // row kernel never runs a scalar tail.
    int lanes = kern.doubleLanes();
    int lenPad = sLast == 1 ? (lenOut + lanes - 1) / lanes * lanes : lenOut;
    int slack = lenPad - lenOut;
    boolean perT = (long) pl.g * pl.b < par.threads();
    int units = perT ? pl.g * pl.b * pl.t : pl.g * pl.b;
    par.forEach(units, unit -> {
      int gb = perT ? unit / pl.t : unit;
      int t0 = perT ? unit % pl.t : 0;
      int t1 = perT ? t0 + 1 : pl.t;
      int gg = gb / pl.b;
      double[] p = new double[pl.c * pl.winPlane + slack];
      double[] row = new double[lenPad];
      for (int cc = 0; cc < pl.c; cc++) {
        padD(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * pl.winPlane);
      }
      for (int tt = t0; tt < t1; tt++) {
        int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
        int wT = wtOff + (gg * pl.t + tt) * pl.c * pl.kPlane;
        if (slack == 0 && sLast == 1) {
          // rows are whole vectors: accumulate straight into Y
          if (!accumulate) {
            Arrays.fill(y, yBase, yBase + pl.outPlane, 0.0);
          }
          for (int r = 0; r < rowStarts.length; r++) {
            int yRow = yBase + r * lenOut;
            for (int cc = 0; cc < pl.c; cc++) {
              int wBase = wT + cc * pl.kPlane;
              int pBase = cc * pl.winPlane + rowStarts[r];
              for (int q = 0; q < outer[0].length; q++) {
                kern.corrRow(y, yRow, lenOut, p, pBase + outer[0][q], pStep, 1, dLast,
                    wt, wBase + outer[1][q], taps1, taps2);
              }
            }
          }
          continue;
        }
        for (int r = 0; r < rowStarts.length; r++) {
          Arrays.fill(row, 0.0);
          for (int cc = 0; cc < pl.c; cc++) {
            int wBase = wT + cc * pl.kPlane;
            int pBase = cc * pl.winPlane + rowStarts[r];
            for (int q = 0; q < outer[0].length; q++) {
              kern.corrRow(row, 0, lenPad, p, pBase + outer[0][q], pStep, sLast, dLast,
                  wt, wBase + outer[1][q], taps1, taps2);
            }
          }
          int yRow = yBase + r * lenOut;
          if (accumulate) {
            for (int o = 0; o < lenOut; o++) {
              y[yRow + o] += row[o];
            }
          } else {
            System.arraycopy(row, 0, y, yRow, lenOut);
          }
        }
      }
    });
  }

  /**
   * 1-D stride-1 convolution without a period, read straight from the unpadded input: one
   * register-blocked call per output row covers all channels and taps, so short rows with few
   * channels (the depthwise and low-rank steps of tensorial layers) pay neither a padding copy
   * nor a call per (channel, tap). Tasks take whole (group, batch) entries, about
   * ROWS_PER_TASK output rows each.
   */
  private static void rowsDirectD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      Parallelism par) {
    int lenOut = pl.out[0];
    int taps = pl.k[0];
    int lanes = kern.doubleLanes();
    // Scratch rows: input i at lead + i, zeros around it as far as any vector load reaches.
    int first = -pl.dims[0].padLeft();
    int last = (lenOut + lanes - 1) / lanes * lanes - 1 + first + (taps - 1) * pl.dims[0].dilation();
    int lead = Math.max(0, -first);
    int width = lead + Math.max(pl.in[0], last + 1);
    int[] shift = new int[taps];
    for (int j = 0; j < taps; j++) {
      shift[j] = lead + first + j * pl.dims[0].dilation();
    }
    int units = pl.g * pl.b;
    int per = Math.max(1, Math.min(units, ROWS_PER_TASK / Math.max(1, pl.t)));
    int tasks = (units + per - 1) / per;
    par.forEach(tasks, task -> {
      double[] p = new double[pl.c * width];
      double[] tmp = new double[lanes];
      int end = Math.min(units, (task + 1) * per);
      for (int gb = task * per; gb < end; gb++) {
        int gg = gb / pl.b;
        int xBase = xOff + gb * pl.c * pl.inPlane;
        for (int cc = 0; cc < pl.c; cc++) {
          System.arraycopy(x, xBase + cc * pl.inPlane, p, cc * width + lead, pl.in[0]);
        }
        for (int tt = 0; tt < pl.t; tt++) {
          kern.corrTaps(y, yOff + (gb * pl.t + tt) * lenOut, lenOut, p, 0, width, pl.c, shift,
              wt, wtOff + (gg * pl.t + tt) * pl.c * taps, taps, tmp);
        }
      }
    });
  }

  /**
   * 1-D direct convolution with stride 1 over several batch entries at once: their padded rows are
   * laid end to end, one per channel, and the row kernel runs once over the whole run, so that
   * short rows (e.g. 16 outputs of a depthwise layer) do not each pay the per-call overhead. The
   * outputs that straddle two rows are computed and discarded.
   */
  private static void fusedDirectD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int[] rowSrc = pl.paddedRowSources();
    int win = pl.winPlane;
    int lenOut = pl.out[0];
    int k = pl.k[0];
    int dil = pl.dims[0].dilation();
    int lanes = kern.doubleLanes();
    int nb = fusedBatch(pl, par.threads());
    int chunks = (pl.b + nb - 1) / nb;
    par.forEach(pl.g * chunks, task -> {
      int gg = task / chunks;
      int b0 = (task % chunks) * nb;
      int b1 = Math.min(pl.b, b0 + nb);
      int plane = (b1 - b0) * win;
      int lenZ = (plane + lanes - 1) / lanes * lanes;
      double[] p = new double[pl.c * plane + lenZ - plane + (k - 1) * dil];
      double[] z = new double[lenZ];
      for (int cc = 0; cc < pl.c; cc++) {
        for (int bb = b0; bb < b1; bb++) {
          padD(pl, rowSrc, x, xOff + ((gg * pl.b + bb) * pl.c + cc) * pl.inPlane, p,
              cc * plane + (bb - b0) * win);
        }
      }
      for (int tt = 0; tt < pl.t; tt++) {
        Arrays.fill(z, 0.0);
        int wT = wtOff + (gg * pl.t + tt) * pl.c * k;
        for (int cc = 0; cc < pl.c; cc++) {
          kern.corrRow(z, 0, lenZ, p, cc * plane, 0, 1, dil, wt, wT + cc * k, 1, k);
        }
        for (int bb = b0; bb < b1; bb++) {
          int yRow = yOff + ((gg * pl.b + bb) * pl.t + tt) * lenOut;
          int zRow = (bb - b0) * win;
          storeD(z, zRow, y, yRow, lenOut, accumulate);
        }
      }
    });
  }

  /**
   * 1-D im2col without the patch matrix, for long filters, short outputs and few output channels
   * (weight gradients): with the filter zero-padded to the input window, {@code W'[t, c*win + u] =
   * W[t, c, j]} at {@code u = j*dilation}, output {@code o} of one batch entry is the dot product
   * of W' with the padded input planes laid end to end, read from {@code o*stride} on. So Y is one
   * small GEMM per batch entry whose A rows overlap ({@code aRs = stride}), at the price of {@code
   * win/k} extra multiply-adds on zeros instead of an {@code out}-times copy of the input.
   */
  private static void shiftedD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
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
    double[] wp = new double[pl.g * pl.t * depth];
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
      double[] p = new double[depth + (lenOut - 1) * stride];
      for (int cc = 0; cc < pl.c; cc++) {
        padD(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * win);
      }
      double[] z = new double[lenOut * pl.t];
      kern.dgemm(lenOut, pl.t, depth, p, 0, stride, 1, wp, gg * pl.t * depth, 1, depth, z, 0, pl.t, false);
      for (int tt = 0; tt < pl.t; tt++) {
        int yRow = yOff + (gb * pl.t + tt) * lenOut;
        for (int o = 0; o < lenOut; o++) {
          double v = z[o * pl.t + tt];
          y[yRow + o] = accumulate ? y[yRow + o] + v : v;
        }
      }
    });
  }

  /**
   * Writes the patch-matrix entries of channel cc of one padded plane p, output rows [r0, r1),
   * into col (a separate method, called per plane and channel, so that it is compiled early).
   */
  private static void gatherD(
      Plan pl, int[] rowStarts, int[] taps, double[] p, double[] col, boolean byTap, int cc, int r0,
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

  /** y[yOff, yOff+len) (=|+=) z[zOff, zOff+len). */
  private static void storeD(double[] z, int zOff, double[] y, int yOff, int len, boolean accumulate) {
    if (accumulate) {
      for (int i = 0; i < len; i++) {
        y[yOff + i] += z[zOff + i];
      }
    } else {
      System.arraycopy(z, zOff, y, yOff, len);
    }
  }

  /**
   * im2col without the patch matrix, for stride-1 problems: with the padded planes of a few batch
   * entries laid out {@code [c][entry][padded plane]}, the patch-matrix row of channel c and tap j
   * is that buffer read from {@code c*entries*winPlane + tapOffset(j)} on, so the GEMM reads its
   * B rows straight from the padded input ({@link CpuKernels#dgemmRows}). Column {@code e*winPlane
   * + sum_i o_i*winStride_i} holds output o of entry e; the columns between output rows are
   * computed and dropped when the result is copied into Y.
   */
  private static void implicitD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    Implicit im = Implicit.of(pl, par.threads());
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int lenOut = pl.out[pl.n - 1];
    int depth = pl.c * pl.kPlane;
    int[] fullRows = pl.implicitRows(im.entries(), taps);
    par.forEach(pl.g * im.chunks() * im.parts(), task -> {
      int part = task % im.parts();
      int chunk = task / im.parts();
      int gg = chunk / im.chunks();
      int b0 = (chunk % im.chunks()) * im.entries();
      int ne = Math.min(im.entries(), pl.b - b0);
      int cols = (ne - 1) * pl.winPlane + (int) pl.implicitSpan();
      int lo = (int) ((long) cols * part / im.parts());
      int hi = (int) ((long) cols * (part + 1) / im.parts());
      int planeStride = ne * pl.winPlane;
      double[] p = Scratch.doubles(Scratch.PADDED, (long) pl.c * planeStride);
      for (int cc = 0; cc < pl.c; cc++) {
        for (int e = 0; e < ne; e++) {
          padD(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p,
              (cc * ne + e) * pl.winPlane);
        }
      }
      int[] rows = ne == im.entries() ? fullRows : pl.implicitRows(ne, taps);
      int wBase = wtOff + gg * pl.t * depth;
      int yPlanes = yOff + (gg * pl.b + b0) * pl.t * pl.outPlane;
      if (ne == 1 && cols == pl.outPlane) {
        // no dropped columns: multiply straight into Y
        kern.dgemmRows(pl.t, hi - lo, depth, wt, wBase, depth, 1, p, rows, lo, y, yPlanes + lo,
            pl.outPlane, accumulate);
        return;
      }
      int width = hi - lo;
      double[] z = Scratch.doubles(Scratch.PRODUCT, (long) pl.t * width);
      kern.dgemmRows(pl.t, width, depth, wt, wBase, depth, 1, p, rows, lo, z, 0, width, false);
      for (int e = 0; e < ne; e++) {
        for (int r = 0; r < rowStarts.length; r++) {
          int start = e * pl.winPlane + rowStarts[r];
          int from = Math.max(start, lo);
          int to = Math.min(start + lenOut, hi);
          if (from >= to) {
            continue;
          }
          for (int tt = 0; tt < pl.t; tt++) {
            int yRow = yPlanes + (e * pl.t + tt) * pl.outPlane + r * lenOut + (from - start);
            storeD(z, tt * width + from - lo, y, yRow, to - from, accumulate);
          }
        }
      }
    });
  }

  /**
   * im2col without the patch matrix for filters longer than the output (weight gradients): each
   * output {@code Y[g,b,t,o]} is a sum over channels and filter rows of dot products between a
   * filter row and the padded input row it meets, both contiguous and read in place
   * ({@link CpuKernels#ddotSegments}, 4 x 4 blocks of (b, o) rows and output channels). A task
   * owns the rows of a range of batch entries of one group; per channel it pads its planes, then
   * sums over chunks of filter rows small enough for the rows of all output channels to stay in
   * cache.
   */
  private static void segmentDotsD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int kLast = pl.k[pl.n - 1];
    int filterRows = pl.kPlane / kLast;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int segChunk = (int) Math.max(1, SEGMENT_CHUNK / ((long) Math.max(pl.t, 1) * kLast));
    // channels per pass: enough filter rows per kernel call to amortise its final reductions
    int perPass = Math.max(1, Math.min(pl.c, segChunk / filterRows));
    int perGroup = (int) Math.min(pl.b, Math.max(1, (par.threads() + pl.g - 1) / pl.g));
    int entries = (pl.b + perGroup - 1) / perGroup;
    int parts = (pl.b + entries - 1) / entries;
    par.forEach(pl.g * parts, task -> {
      int gg = task / parts;
      int b0 = (task % parts) * entries;
      int ne = Math.min(entries, pl.b - b0);
      int m = ne * pl.outPlane;
      int cPass = (int) Math.max(1, Math.min(perPass, (IM2COL_CHUNK - SEGMENT_SLACK) / ((long) ne * pl.winPlane)));
      Segments sg = Segments.of(pl, rowStarts, taps, wtOff, ne, cPass);
      double[] p = Scratch.doubles(Scratch.PADDED, (long) cPass * ne * pl.winPlane + SEGMENT_SLACK);
      double[] acc = new double[m * pl.t];
      for (int c0 = 0; c0 < pl.c; c0 += cPass) {
        int cn = Math.min(cPass, pl.c - c0);
        for (int cl = 0; cl < cn; cl++) {
          for (int e = 0; e < ne; e++) {
            padD(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + c0 + cl) * pl.inPlane, p,
                (cl * ne + e) * pl.winPlane);
          }
        }
        int bShift = (gg * pl.t * pl.c + c0) * pl.kPlane;
        int segs = cn * filterRows;
        for (int s0 = 0; s0 < segs; s0 += segChunk) {
          kern.ddotSegments(m, pl.t, kLast, p, sg.aRows(), sg.aSeg(), wt, sg.bRows(), bShift,
              sg.bSeg(), s0, Math.min(segs, s0 + segChunk), acc, 0, pl.t);
        }
      }
      for (int e = 0; e < ne; e++) {
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = yOff + ((gg * pl.b + b0 + e) * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            double v = acc[(e * pl.outPlane + o) * pl.t + tt];
            y[yRow + o] = accumulate ? y[yRow + o] + v : v;
          }
        }
      }
    });
  }

  private static void im2colD(
      CpuKernels kern, Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    if (pl.implicitGemm()) {
      implicitD(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
    if (pl.segmentDots()) {
      segmentDotsD(kern, pl, x, xOff, wt, wtOff, y, yOff, accumulate, par);
      return;
    }
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
      double[] p = new double[pl.winPlane];
      double[] col = new double[depth * cols];
      int b0 = rr0 / rowsPP;
      int b1 = (rr1 - 1) / rowsPP;
      for (int bb = b0; bb <= b1; bb++) {
        int r0 = Math.max(rr0 - bb * rowsPP, 0);
        int r1 = Math.min(rr1 - bb * rowsPP, rowsPP);
        int gb = gg * pl.b + bb;
        for (int cc = 0; cc < pl.c; cc++) {
          padD(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, 0);
          gatherD(pl, rowStarts, taps, p, col, byTap, cc, r0, r1, bb * rowsPP - rr0, cols, depth);
        }
      }
      int bRs = byTap ? 1 : cols;
      int bCs = byTap ? depth : 1;
      int wBase = wtOff + gg * pl.t * depth;
      if (b0 == b1) {
        // one batch entry: multiply straight into its rows of Y
        kern.dgemm(pl.t, cols, depth, wt, wBase, depth, 1, col, 0, bRs, bCs,
            y, yOff + (gg * pl.b + b0) * pl.t * pl.outPlane + (rr0 - b0 * rowsPP) * lenOut, pl.outPlane,
            accumulate);
        return;
      }
      double[] z = new double[pl.t * cols];
      kern.dgemm(pl.t, cols, depth, wt, wBase, depth, 1, col, 0, bRs, bCs, z, 0, cols, false);
      for (int bb = b0; bb <= b1; bb++) {
        int r0 = Math.max(rr0 - bb * rowsPP, 0);
        int r1 = Math.min(rr1 - bb * rowsPP, rowsPP);
        int len = (r1 - r0) * lenOut;
        int zc = (bb * rowsPP + r0 - rr0) * lenOut;
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = yOff + ((gg * pl.b + bb) * pl.t + tt) * pl.outPlane + r0 * lenOut;
          int zRow = tt * cols + zc;
          storeD(z, zRow, y, yRow, len, accumulate);
        }
      }
    });
  }

  private static void fftD(
      Plan pl, double[] x, int xOff, double[] wt, int wtOff, double[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int n = pl.n;
    int[] f = new int[n];
    for (int i = 0; i < n; i++) {
      f[i] = fftLength(pl.win[i]);
    }
    int[] fStride = Plan.strides(f);
    int fPlane = Math.toIntExact(Plan.prod(f));
    int[] rowSrc = pl.paddedRowSources();
    int[] taps = pl.tapOffsets();
    // tap offsets in the FFT grid
    int[] tapF = new int[pl.kPlane];
    int[] outF = new int[pl.outPlane];
    {
      int[] ji = new int[n];
      for (int q = 0; q < pl.kPlane; q++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += ji[i] * pl.dims[i].dilation() * fStride[i];
        }
        tapF[q] = off;
        Plan.increment(ji, pl.k);
      }
      int[] yi = new int[n];
      for (int o = 0; o < pl.outPlane; o++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += yi[i] * pl.dims[i].stride() * fStride[i];
        }
        outF[o] = off;
        Plan.increment(yi, pl.out);
      }
    }
    // padded-plane row r (dims 0..n-2) -> start in the FFT grid
    int winLast = pl.win[n - 1];
    int[] rowF = new int[rowSrc.length];
    {
      int[] ui = new int[n - 1];
      int[] bounds = Arrays.copyOf(pl.win, n - 1);
      for (int r = 0; r < rowF.length; r++) {
        int off = 0;
        for (int i = 0; i < n - 1; i++) {
          off += ui[i] * fStride[i];
        }
        rowF[r] = off;
        Plan.increment(ui, bounds);
      }
    }
    ThreadLocal<Object> fftHolder = ThreadLocal.withInitial(() -> newFftD(f));
    int tc = pl.t * pl.c;
    double[] h = new double[tc * 2 * fPlane];
    double[] xs = new double[pl.c * 2 * fPlane];
    for (int gg = 0; gg < pl.g; gg++) {
      int g0 = gg;
      par.forEach(tc, q -> {
        int dst = q * 2 * fPlane;
        Arrays.fill(h, dst, dst + 2 * fPlane, 0.0);
        int src = wtOff + (g0 * tc + q) * pl.kPlane;
        for (int j = 0; j < pl.kPlane; j++) {
          h[dst + 2 * tapF[j]] = wt[src + j];
        }
        forwardD(fftHolder.get(), h, dst, 2 * fPlane);
      });
      for (int bb = 0; bb < pl.b; bb++) {
        int gb = g0 * pl.b + bb;
        par.forEach(pl.c, cc -> {
          int dst = cc * 2 * fPlane;
          double[] buf = new double[pl.winPlane];
          padD(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, buf, 0);
          Arrays.fill(xs, dst, dst + 2 * fPlane, 0.0);
          for (int r = 0; r < rowF.length; r++) {
            int s = r * winLast;
            int d = dst + 2 * rowF[r];
            for (int u = 0; u < winLast; u++) {
              xs[d + 2 * u] = buf[s + u];
            }
          }
          forwardD(fftHolder.get(), xs, dst, 2 * fPlane);
        });
        par.forEach(pl.t, tt -> {
          double[] acc = new double[2 * fPlane];
          for (int cc = 0; cc < pl.c; cc++) {
            int xb = cc * 2 * fPlane;
            int hb = (tt * pl.c + cc) * 2 * fPlane;
            for (int i = 0; i < 2 * fPlane; i += 2) {
              double xr = xs[xb + i];
              double xi = xs[xb + i + 1];
              double hr = h[hb + i];
              double hi = h[hb + i + 1];
              acc[i] += xr * hr + xi * hi;
              acc[i + 1] += xi * hr - xr * hi;
            }
          }
          inverseD(fftHolder.get(), acc);
          int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            double v = acc[2 * outF[o]];
            y[yBase + o] = accumulate ? y[yBase + o] + v : v;
          }
        });
      }
    }
  }

  /** A JTransforms plan over the axes longer than 1 (it rejects length-1 axes), or null if none. */
  private static Object newFftD(int[] full) {
    int[] f = Arrays.stream(full).filter(v -> v > 1).toArray();
    return switch (f.length) {
      case 0 -> null;
      case 1 -> new DoubleFFT_1D(f[0]);
      case 2 -> new DoubleFFT_2D(f[0], f[1]);
      case 3 -> new DoubleFFT_3D(f[0], f[1], f[2]);
      default -> throw new IllegalArgumentException("FFT rank " + f.length);
    };
  }

  private static void forwardD(Object fft, double[] a, int off, int len) {
    if (fft == null) {
      return;
    }
    if (fft instanceof DoubleFFT_1D f1) {
      f1.complexForward(a, off);
      return;
    }
    double[] tmp = off == 0 && a.length == len ? a : Arrays.copyOfRange(a, off, off + len);
    if (fft instanceof DoubleFFT_2D f2) {
      f2.complexForward(tmp);
    } else {
      ((DoubleFFT_3D) fft).complexForward(tmp);
    }
    if (tmp != a) {
      System.arraycopy(tmp, 0, a, off, len);
    }
  }

  private static void inverseD(Object fft, double[] a) {
    if (fft == null) {
      return;
    }
    if (fft instanceof DoubleFFT_1D f1) {
      f1.complexInverse(a, true);
    } else if (fft instanceof DoubleFFT_2D f2) {
      f2.complexInverse(a, true);
    } else {
      ((DoubleFFT_3D) fft).complexInverse(a, true);
    }
  }
  // END DOUBLE
}
