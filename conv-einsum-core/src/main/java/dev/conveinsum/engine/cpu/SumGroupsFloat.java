package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.IM2COL_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_SLACK;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.cpu.ConvTiling.Segments;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Group-summed products for {@link CpuEngine#convSumGroups}: {@code Y = sum_g conv(X[g], F[g])},
 * the form of a weight gradient whose batch runs as the groups of its step.
 *
 * <p>A GEMM whose operands both store the contraction last ({@code X [G, B, C]}, {@code F [G, T,
 * C]}: the 1x1 weight gradient {@code dW[t, c] = sum_b dY[b, t, hw] X[b, c, hw]} on NCHW
 * activations) runs as blocked dot products of rows read in place ({@code sdotSegments}; 4 x 6
 * register blocks of {@code VectorSumDotsFloat} when the rows are whole vectors on AVX-512), with
 * the groups as further segments of each row: no operand is packed or transposed, and every
 * output is reduced from its vector accumulators once per chunk of groups instead of being
 * written once per group and summed afterwards. The output is split over the threads; the
 * chunks of groups, and so the bits, depend only on the shape. A convolution whose filter is
 * longer than its output (a weight gradient) runs as register-blocked GEMM tiles over windows of
 * the padded input read in place ({@code VectorWgradFloat}, AVX-512) or as segment dot products,
 * with the groups summed in the same accumulators; any other one call of {@link
 * ConvFloat#convolve} per group.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class SumGroupsFloat {
  /** Elements of each row summed per dot-kernel call: four rows of A stay in the L1 cache. */
  static final int DOT_CHUNK = 2048;
  /** Rows of B per dot-kernel call: they stay in the L2 cache while the rows of A pass. */
  static final int DOT_ROWS = 32;

  /** Rows of B per call of the 4 x 6 block kernel ({@link Dots}): a multiple of 6 and of 4. */
  static final int WIDE_ROWS = 48;

  /** Fewest output channels for the GEMM tiles of {@link Wgrad} (two vectors wide). */
  static final int MIN_TILE_T = 16;
  /** Fewest output rows (batch x output positions) for the GEMM tiles of {@link Wgrad}. */
  static final int MIN_TILE_ROWS = 64;

  /** The register-blocked weight-gradient GEMM, or null without the Vector API on AVX-512. */
  private static final Wgrad WGRAD = loadWgrad();
  /** The 4 x 6 block row dot products, or null without the Vector API on AVX-512. */
  private static final Dots DOTS = loadDots();

  private SumGroupsFloat() {}

  /** Whether the weight-gradient tile kernel runs on this machine (Vector API and AVX-512). */
  static boolean tilesAvailable() {
    return WGRAD != null;
  }

  /** A summed weight-gradient kernel for the layouts {@link ConvLayout#segmentDots} accepts. */
  interface Wgrad {
    /** Whether this machine runs it (its register tiles need AVX-512). */
    boolean supported();

    /**
     * Overwrites {@code y[b, t, o...]} with {@code sum_g} of the group's convolution.
     *
     * @param pl the layout of the full problem (all groups)
     * @param x the input [G, B, C, x...]
     * @param wt the filter in tap space [G, T, C, k...]
     * @param y the summed output [B, T, o...]
     * @param par the threads
     */
    void wgrad(ConvLayout pl, float[] x, float[] wt, float[] y, Parallelism par);
  }

  /** Row dot products of {@link #gemmDots} over rows of whole vectors, in 4 x 6 blocks. */
  interface Dots {
    /** Whether this machine runs it (its 24 accumulators need AVX-512's registers). */
    boolean supported();

    /** The vector length: rows whose length is a multiple of it run here. */
    int lanes();

    /**
     * {@code acc[accOff + i * ldAcc + j] += sum_{s0 <= s < s1} sum_{q < len} a[aRows[i] + aSeg[s]
     * + q] * b[bRows[j] + bSeg[s] + q]} for {@code i < m}, {@code j < n}; m and n multiples of 4,
     * len a multiple of {@link #lanes}.
     */
    void dots(int m, int n, int len, float[] a, int[] aRows, int[] aSeg, float[] b, int[] bRows,
        int[] bSeg, int s0, int s1, float[] acc, int accOff, int ldAcc);
  }

  /** Loads {@code VectorSumDotsFloat} only when the Vector API runs the kernels on AVX-512. */
  private static Dots loadDots() {
    if (!VectorSupport.isVectorized()) {
      return null;
    }
    try {
      Dots d = (Dots) Class.forName("dev.conveinsum.engine.cpu.VectorSumDotsFloat", true,
          SumGroupsFloat.class.getClassLoader()).getDeclaredConstructor().newInstance();
      return d.supported() ? d : null;
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** Loads {@code VectorWgradFloat} only when the Vector API is enabled and fast here. */
  private static Wgrad loadWgrad() {
    if (!VectorSupport.isVectorized()) {
      return null;
    }
    try {
      Wgrad w = (Wgrad) Class.forName("dev.conveinsum.engine.cpu.VectorWgradFloat", true,
          SumGroupsFloat.class.getClassLoader()).getDeclaredConstructor().newInstance();
      return w.supported() ? w : null;
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** Whether the GEMM of {@code p} runs as dot products of rows read in place. */
  static boolean dots(ConvProblem p) {
    return p.dims().isEmpty() && !p.xTransposed() && !p.fTransposed() && !p.fShared();
  }

  /**
   * The summed GEMM of a problem {@link #dots} accepts: {@code y[b, t] = sum_g sum_c X[g, b, c]
   * F[g, t, c]}, or {@code y[t, b]} when Y is stored transposed; overwrites y.
   */
  static void gemmDots(CpuKernels kern, ConvProblem p, float[] x, float[] f, float[] y, Parallelism par) {
    int g = p.groups();
    int bs = p.batch();
    int ts = p.outChannels();
    int cs = p.inChannels();
    // rows of the dot kernel's A index the rows of y
    boolean xIsA = !p.yTransposed();
    float[] a = xIsA ? x : f;
    float[] b = xIsA ? f : x;
    int m = xIsA ? bs : ts;
    int n = xIsA ? ts : bs;
    if (g == 0 || cs == 0 || m == 0 || n == 0) {
      Arrays.fill(y, 0, m * n, 0f);
      return;
    }
    int[] aRows = ramp(m, cs);
    int[] bRows = ramp(n, cs);
    int[] aSeg = ramp(g, m * cs);
    int[] bSeg = ramp(g, n * cs);
    int perCall = Math.max(1, DOT_CHUNK / cs);
    // rows of whole vectors run in 4 x 6 blocks (vector kernels on AVX-512); any other length
    // through the kernels' 4 x 4 blocks and their partial-vector tails
    boolean wide = DOTS != null && kern != ScalarKernels.INSTANCE && cs % DOTS.lanes() == 0;
    int threads = par.threads();
    // split the rows of y (multiples of the kernel's 4-row blocks), or its columns when wider
    boolean splitRows = m >= n;
    int len = splitRows ? m : n;
    int chunk = Math.max(4, ((len + threads - 1) / threads + 3) / 4 * 4);
    int parts = (len + chunk - 1) / chunk;
    par.forEach(parts, part -> {
      int lo = part * chunk;
      int hi = Math.min(len, lo + chunk);
      int r0 = splitRows ? lo : 0;
      int r1 = splitRows ? hi : m;
      int j0 = splitRows ? 0 : lo;
      int j1 = splitRows ? n : hi;
      // rows and columns padded to the kernel's 4 x 4 blocks by repeating the first (their sums
      // are dropped): whole blocks at full speed instead of single dot products
      int mPad = (r1 - r0 + 3) / 4 * 4;
      int nPad = (j1 - j0 + 3) / 4 * 4;
      int[] rowsA = pad4(Arrays.copyOfRange(aRows, r0, r1), mPad);
      int[] rowsB = pad4(Arrays.copyOfRange(bRows, j0, j1), nPad);
      float[] acc = new float[mPad * nPad];
      // the kernel reads B's rows from index 0: cut them into blocks once, not once per pass
      int per = wide ? WIDE_ROWS : DOT_ROWS;
      int[][] blocks = new int[(nPad + per - 1) / per][];
      for (int j = 0; j < nPad; j += per) {
        blocks[j / per] = Arrays.copyOfRange(rowsB, j, Math.min(nPad, j + per));
      }
      for (int s0 = 0; s0 < g; s0 += perCall) {
        int s1 = Math.min(g, s0 + perCall);
        for (int j = 0; j < nPad; j += per) {
          int[] block = blocks[j / per];
          if (wide) {
            DOTS.dots(mPad, block.length, cs, a, rowsA, aSeg, b, block, bSeg, s0, s1, acc, j,
                nPad);
          } else {
            kern.sdotSegments(mPad, block.length, cs, a, rowsA, aSeg, b, block, 0, bSeg, s0, s1,
                acc, j, nPad);
          }
        }
      }
      for (int i = r0; i < r1; i++) {
        System.arraycopy(acc, (i - r0) * nPad, y, i * n + j0, j1 - j0);
      }
    });
  }

  /**
   * The summed convolution: the segment dot products of {@link
   * ConvImplicitFloat#segmentDotsF} (a weight gradient's long filter) with every group added
   * into one accumulator per output; any other form one {@link ConvFloat#convolve} per group,
   * the first overwriting y and the rest adding to it.
   */
  static void conv(CpuKernels kern, ConvProblem p, float[] x, float[] f, float[] y, Parallelism par) {
    int g = p.groups();
    ConvProblem one = new ConvProblem(1, p.batch(), p.outChannels(), p.inChannels(), p.dims());
    long outOne = one.outputSize();
    if (g == 0) {
      Arrays.fill(y, 0, Math.toIntExact(outOne), 0f);
      return;
    }
    ConvLayout pl = new ConvLayout(p);
    // y holds one group's output: check it here, and the operands as the full problem's
    Objects.checkFromIndexSize(0, outOne, y.length);
    pl.check(x.length, 0, f.length, 0, Math.toIntExact(outOne * g), 0);
    SummedForm form = summedForm(pl, tilesAvailable());
    if (form == SummedForm.TILES) {
      WGRAD.wgrad(pl, x, tapFilter(pl, f, par), y, par);
      return;
    }
    if (form == SummedForm.SEGMENT_DOTS) {
      segmentDots(kern, pl, x, tapFilter(pl, f, par), y, par);
      return;
    }
    int xStep = Math.toIntExact(one.inputSize());
    int fStep = Math.toIntExact(one.filterSize());
    for (int k = 0; k < g; k++) {
      ConvFloat.convolve(kern, one, x, k * xStep, f, k * fStep, y, 0, k > 0, ConvKernel.Algorithm.AUTO, par);
    }
  }

  /**
   * Which form {@link #conv} runs for a convolution with its groups summed: a weight gradient's
   * shape (the filter longer than the output) as GEMM tiles when the output fills them (16+
   * channels, 64+ rows) and the tile kernel is present, else as dot products that reduce once per
   * chunk of the long sum; any other shape one convolution per group.
   */
  static SummedForm summedForm(ConvLayout pl, boolean tiles) {
    if (pl.emptyOutput() || pl.c <= 0 || pl.kPlane <= 0 || !pl.segmentDots()) {
      return SummedForm.PER_GROUP;
    }
    return tiles && pl.t >= MIN_TILE_T && (long) pl.b * pl.outPlane >= MIN_TILE_ROWS
        ? SummedForm.TILES : SummedForm.SEGMENT_DOTS;
  }

  /** The filter in tap space (the flip applied), as {@link ConvFloat#convolve} builds it. */
  private static float[] tapFilter(ConvLayout pl, float[] w, Parallelism par) {
    if (!pl.anyFlip) {
      return w;
    }
    float[] wf = new float[pl.g * pl.t * pl.c * pl.kPlane];
    par.forEach(pl.g * pl.t, gt -> {
      for (int q = gt * pl.c; q < (gt + 1) * pl.c; q++) {
        int src = q * pl.kPlane;
        for (int j = 0; j < pl.kPlane; j++) {
          wf[src + j] = w[src + pl.tapToStored[j]];
        }
      }
    });
    return wf;
  }

  /**
   * {@link ConvImplicitFloat#segmentDotsF} summed over the groups: a task owns a range of batch
   * entries and runs over (group, channel) pairs as one axis, so that one kernel call sums the
   * filter rows of many groups before reducing its vector accumulators (one group's rows alone
   * are few when the planes are small); Y is written once, without its group axis.
   */
  private static void segmentDots(CpuKernels kern, ConvLayout pl, float[] x, float[] wt, float[] y, Parallelism par) {
    int kLast = pl.k[pl.n - 1];
    int filterRows = pl.kPlane / kLast;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int segChunk = (int) Math.max(1, SEGMENT_CHUNK / ((long) Math.max(pl.t, 1) * kLast));
    int pairs = pl.g * pl.c;
    int perPass = Math.max(1, Math.min(pairs, segChunk / filterRows));
    int entries = (pl.b + par.threads() - 1) / par.threads();
    int parts = (pl.b + entries - 1) / entries;
    par.forEach(parts, task -> {
      int b0 = task * entries;
      int ne = Math.min(entries, pl.b - b0);
      int m = ne * pl.outPlane;
      int qPass = (int) Math.max(1, Math.min(perPass, (IM2COL_CHUNK - SEGMENT_SLACK) / ((long) ne * pl.winPlane)));
      // rows: (entry, output) of the padded planes, output channels of the filter; the
      // segments of one pass then say where pair (g, c) and filter row r start
      // rows and channels padded to the kernel's 4 x 4 blocks by repeating the first (their
      // sums are dropped): whole blocks at full speed instead of single dot products
      int mPad = (m + 3) / 4 * 4;
      int tPad = (pl.t + 3) / 4 * 4;
      int[] aRows = pad4(Segments.of(pl, rowStarts, taps, 0, ne, 1).aRows(), mPad);
      int[] bRows = new int[tPad];
      for (int tt = 0; tt < pl.t; tt++) {
        bRows[tt] = tt * pl.c * pl.kPlane;
      }
      int[] aSeg = new int[qPass * filterRows];
      int[] bSeg = new int[qPass * filterRows];
      float[] p = ConvScratch.floats(ConvScratch.PADDED, (long) qPass * ne * pl.winPlane + SEGMENT_SLACK);
      float[] acc = new float[mPad * tPad];
      for (int q0 = 0; q0 < pairs; q0 += qPass) {
        int qn = Math.min(qPass, pairs - q0);
        for (int ql = 0; ql < qn; ql++) {
          int gg = (q0 + ql) / pl.c;
          int cc = (q0 + ql) % pl.c;
          for (int e = 0; e < ne; e++) {
            ConvFloat.padF(pl, rowSrc, x, ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p,
                (ql * ne + e) * pl.winPlane);
          }
          for (int r = 0; r < filterRows; r++) {
            aSeg[ql * filterRows + r] = ql * ne * pl.winPlane + taps[r * kLast];
            bSeg[ql * filterRows + r] = (gg * pl.t * pl.c + cc) * pl.kPlane + r * kLast;
          }
        }
        int segs = qn * filterRows;
        for (int s0 = 0; s0 < segs; s0 += segChunk) {
          kern.sdotSegments(mPad, tPad, kLast, p, aRows, aSeg, wt, bRows, 0, bSeg, s0,
              Math.min(segs, s0 + segChunk), acc, 0, tPad);
        }
      }
      for (int e = 0; e < ne; e++) {
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = ((b0 + e) * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            y[yRow + o] = acc[(e * pl.outPlane + o) * tPad + tt];
          }
        }
      }
    });
  }

  /**
   * Runs the weight-gradient tiles, the summed segment dots and the summed GEMM dots once on
   * small data, so that {@link VectorSupport}'s background warm-up has C2 compile them before
   * the first training step needs them.
   */
  static void warmUp() {
    CpuKernels kern = VectorSupport.kernels();
    Parallelism serial = Parallelism.serial();
    ConvDim d = new ConvDim(18, 18, 3, 1, 1, 1, false, 0);
    List<ConvProblem> problems = List.of(
        new ConvProblem(2, 16, 16, 1, List.of(d, d)), new ConvProblem(2, 5, 5, 2, List.of(d, d)),
        new ConvProblem(2, 8, 40, 1, List.of(d, d)),
        new ConvProblem(4, 9, 6, 64, List.of()), new ConvProblem(2, 4, 12, 64, List.of()));
    for (ConvProblem p : problems) {
      float[] x = new float[(int) p.inputSize()];
      float[] f = new float[(int) p.filterSize()];
      float[] y = new float[(int) (p.outputSize() / p.groups())];
      if (p.dims().isEmpty()) {
        gemmDots(kern, p, x, f, y, serial);
      } else {
        conv(kern, p, x, f, y, serial);
      }
    }
  }

  /** {@code rows} extended to {@code n} entries by repeating its first. */
  private static int[] pad4(int[] rows, int n) {
    int[] r = Arrays.copyOf(rows, n);
    for (int i = rows.length; i < n; i++) {
      r[i] = rows[0];
    }
    return r;
  }

  private static int[] ramp(int n, int step) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i * step;
    }
    return r;
  }
}
