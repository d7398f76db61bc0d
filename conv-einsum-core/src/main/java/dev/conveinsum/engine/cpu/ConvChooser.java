package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.FUSED_ELEMS;
import static dev.conveinsum.engine.cpu.ConvTiling.SHORT_ROW;
import static dev.conveinsum.engine.cpu.ConvTiling.shortRows;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;

/**
 * Picks the convolution algorithm from estimated single-thread times (hard-coded nanoseconds per
 * operation, measured once; they only need to be right within a factor of about 2), and names
 * the form of it that runs, without running anything. {@link ConvKernel} with {@link
 * Algorithm#AUTO} and {@link CpuEngine#describe} both ask this class.
 */
final class ConvChooser {

  // Cost model constants, measured single-threaded on the development machine (AMD EPYC, family
  // 26 / Zen 5, AVX-512, JDK 17; best-of-N timings of each algorithm on dense, depthwise and long
  // 1-D problems, see conv-einsum-benchmarks/RESULTS.md). Units: nanoseconds. They only need to be
  // right within a factor of about 2 to pick the right algorithm.
  /** Direct kernel, per multiply-add (about 50 GFLOPS on long rows). */
  static final double NS_PER_MAC_DIRECT = 0.04;
  /** Direct kernel, fixed cost per call of the row kernel (one output row, one channel). */
  static final double NS_PER_ROW_DIRECT = 40;
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
  /**
   * Winograd, per multiply-add of its 16 GEMMs (blocks of 64-300 tile columns). The three
   * Winograd constants were measured on Zen 4 single-threaded (B32 T128 C128 16x16, B8 T64 C64
   * 56x56, B32 T28 C28 16x16: 0.021, 12 and 7 ns) and scaled by 0.8, the ratio of the implicit
   * im2col's estimate to its measured time on the same shapes, so that the two compare as measured.
   */
  static final double NS_PER_MAC_WINO = 0.017;
  /** Winograd, per input channel and tile: padding into sub-planes and the input transform. */
  static final double NS_PER_WINO_IN = 10.0;
  /** Winograd, per output channel and tile: the output transform and the store. */
  static final double NS_PER_WINO_OUT = 6.0;

  private ConvChooser() {}

  /**
   * The code a convolution runs: the algorithm and its form. {@link ConvFloat#convolve} (and its
   * float64 twin) dispatches on {@link #form}, so what {@link CpuEngine#describe(ConvProblem,
   * int)} reports is what runs.
   */
  enum Form {
    /** Direct: padded planes, register-blocked row kernel. */
    DIRECT("direct (padded planes, row kernel)"),
    /** Direct, 1-D short rows read straight from the input, all channels and taps per call. */
    SHORT_ROWS("direct (1-D short rows read in place)"),
    /** Direct, 1-D rows of several batch entries laid end to end, one row-kernel call. */
    FUSED_ROWS("direct (1-D rows fused over batch entries)"),
    /** im2col with an explicit patch matrix, multiplied by GEMM. */
    PATCH_MATRIX("im2col (patch matrix + GEMM)"),
    /**
     * Implicit im2col: filter-panel x output-vector tiles read their taps in place from the
     * padded input, output rows covered exactly where that computes fewer lanes.
     */
    IMPLICIT("implicit im2col (tiles read the padded input in place)"),
    /** im2col as dot products of filter rows with the input rows they meet (long filters). */
    SEGMENT_DOTS("im2col as segment dot products (filter longer than output)"),
    /** 1-D im2col as one small GEMM per batch entry over the zero-padded filter. */
    SHIFTED("im2col as shifted dot products (1-D, long filter, few outputs)"),
    /** Frequency-domain product through JTransforms. */
    FFT("FFT (JTransforms)"),
    /** Winograd F(2x2, 3x3): transformed 2x2 output tiles, 16 GEMMs. */
    WINOGRAD("Winograd F(2x2,3x3) (16 GEMMs over transformed 2x2 tiles)");

    private final String text;

    Form(String text) {
      this.text = text;
    }

    /** A short human-readable description. */
    String text() {
      return text;
    }
  }

  /**
   * The form of {@code algorithm} (not AUTO) that runs for this layout.
   *
   * @param pl the layout
   * @param algorithm DIRECT, IM2COL, FFT or WINOGRAD
   * @param accumulate whether the call adds to Y (the short-row form overwrites only)
   * @return the form
   */
  static Form form(ConvLayout pl, Algorithm algorithm, boolean accumulate) {
    return switch (algorithm) {
      case DIRECT -> shortRows(pl) && !accumulate ? Form.SHORT_ROWS
          : pl.n == 1 && pl.dims[0].stride() == 1 && pl.b > 1 ? Form.FUSED_ROWS : Form.DIRECT;
      case IM2COL -> pl.shiftedGemm() ? Form.SHIFTED : pl.implicitGemm() ? Form.IMPLICIT
          : pl.segmentDots() ? Form.SEGMENT_DOTS : Form.PATCH_MATRIX;
      case FFT -> Form.FFT;
      case WINOGRAD -> Form.WINOGRAD;
      default -> throw new IllegalArgumentException("no form of " + algorithm);
    };
  }

  /**
   * The form {@link Algorithm#AUTO} runs for this problem when it overwrites its output (as
   * {@link CpuEngine} calls it), found without running anything.
   *
   * @param shape the convolution
   * @return the form
   */
  static Form form(ConvProblem shape) {
    ConvLayout pl = new ConvLayout(shape);
    return form(pl, choose(pl, shape), false);
  }

  /**
   * Returns the algorithm {@link Algorithm#AUTO} uses (and {@link ConvKernel#choose}
   * returns), the one with the least estimated single-thread time.
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
   *       {@code 0.0133*macs*J*(ceil4(T)/T)*(1 + 8/depth) + 0.3*G*B*depth*prod(out)*J}, where
   *       {@code J} (at most 1.25) counts the lanes computed per output (vectors of 16 over each
   *       output row, or over the padded span of all rows) and the tiles take 4 output
   *       channels;
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
   * <p>Where the Winograd form applies ({@link ConvLayout#winograd}), with {@code tiles =
   * G*B*ceil(out_h/2)*(ceil(out_w/2)+1)} (one extra tile per tile row): {@code
   * 0.017*16*T*C*tiles*(ceil8(T)/T)*(1 + 8/C) + 10*C*tiles + 6*T*tiles}; it wins for dense 3x3
   * layers with many channels (64 at 56x56, 128 at 16x16), not for few (28 at 16x16).
   *
   * @param shape the convolution
   * @return DIRECT, IM2COL, FFT or WINOGRAD
   */
  static Algorithm choose(ConvProblem shape) {
    return choose(new ConvLayout(shape), shape);
  }

  /** {@link #choose(ConvProblem)} with the layout the caller has built already. */
  static Algorithm choose(ConvLayout plan, ConvProblem shape) {
    double[] cost = estimate(plan, shape);
    if (cost[3] < cost[0] && cost[3] < cost[1] && cost[3] < cost[2]) {
      return Algorithm.WINOGRAD;
    }
    if (cost[0] <= cost[1] && cost[0] <= cost[2]) {
      return Algorithm.DIRECT;
    }
    return cost[1] <= cost[2] ? Algorithm.IM2COL : Algorithm.FFT;
  }

  /**
   * Estimated single-thread nanoseconds of {direct, im2col, fft, winograd}; fft is infinite when N
   * &gt; 3, winograd where it does not apply.
   */
  static double[] estimate(ConvProblem shape) {
    return estimate(new ConvLayout(shape), shape);
  }

  /** {@link #estimate(ConvProblem)} with the layout the caller has built already. */
  static double[] estimate(ConvLayout plan, ConvProblem shape) {
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
      // no patch matrix, but the unused lanes of the output vectors are computed too, and the
      // filter panels take 4 output channels
      double junk = (double) plan.implicitLanes() / ((double) shape.batch() * outPlane);
      double tRows = Math.ceil(t / 4) * 4;
      im2col = NS_PER_MAC_GEMM * macs * junk * (tRows / t) * (1 + 8 / depth)
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
    double wino = Double.POSITIVE_INFINITY;
    if (plan.winograd()) {
      double tiles = gb * ((plan.out[0] + 1) / 2) * ((plan.out[1] + 1) / 2 + 1);
      double c = shape.inChannels();
      wino = NS_PER_MAC_WINO * 16 * c * tiles * Math.ceil(t / 8) * 8 * (1 + 8 / c)
          + NS_PER_WINO_IN * c * tiles + NS_PER_WINO_OUT * t * tiles;
    }
    return new double[] {direct, im2col, fft, wino};
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
}
