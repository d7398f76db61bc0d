package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.DepthwiseProblem;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Depthwise convolutions ({@link DepthwiseProblem}) on the layout they are given, vectorised
 * along the innermost axes.
 *
 * <p>The trailing block of the layout ({@link DepthwiseProblem#blockStart()}: free axes and
 * aligned convolved axes, e.g. {@code [h, w]} of a channels-first {@code [b, c, h, w]}) is swept
 * as one flat row per outer index: every tap of the block is a fixed shift of the flat index,
 * and a per-tap table says where the shifted element lies in the padding (those lanes are
 * blended to zero, so NaN or infinity in a neighbouring row never reaches a sum). Output vectors
 * stay in registers across all taps, so each output is written once. With a group axis
 * innermost (channels-last, {@code [b, h, w, c]}) the block is that axis: the filter is loaded as
 * a vector across channels, as oneDNN does. Convolved axes outside the block are taps of the
 * outer loop, any stride, dilation, period or length.
 */
public final class DepthwiseKernels {

  /** The innermost loop; scalar here, vectorised in {@code VectorDepthwise}. */
  interface Rows {
    /**
     * For {@code j0 <= j < j1}: {@code y[yOff + j] = sum_{t < taps} F * X}, with {@code F =
     * f[fOff[t] + j*fStep]} and {@code X = x[xOff[t] + j]} where {@code valid[t][j]}, else 0.
     * {@code validTo[t][j]} is the first index from j on where {@code valid[t]} is false (so
     * vectors lying wholly before it need no blend). Tables hold at least {@code j1 + 2*lanes}
     * entries. The vector form reads every {@code x[xOff[t] + j]}, valid or not, so those must
     * lie in the array.
     */
    void rows(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff, float[] f, int[] fOff,
        int fStep, boolean[][] valid, int[][] validTo, int taps);

    /** Float64 form. */
    void rows(double[] y, int yOff, int j0, int j1, double[] x, int[] xOff, double[] f,
        int[] fOff, int fStep, boolean[][] valid, int[][] validTo, int taps);

    /** {@code sum_{j0 <= j < j1, valid[j]} g[gOff + j] * x[xOff + j]} (filter gradients). */
    float dot(float[] g, int gOff, int j0, int j1, float[] x, int xOff, boolean[] valid);

    /** Float64 form. */
    double dot(double[] g, int gOff, int j0, int j1, double[] x, int xOff, boolean[] valid);

    /** {@code acc[accOff + j] += g[gOff + j] * x[xOff + j]} where {@code valid[j]}. */
    void axpy(float[] acc, int accOff, float[] g, int gOff, int j0, int j1, float[] x, int xOff,
        boolean[] valid);

    /** Float64 form. */
    void axpy(double[] acc, int accOff, double[] g, int gOff, int j0, int j1, double[] x,
        int xOff, boolean[] valid);
  }

  /** Entries past the block in each validity table; see {@link DepthwiseProblem#TABLE_SLACK}. */
  static final int TABLE_SLACK = DepthwiseProblem.TABLE_SLACK;
  /** Fewest block positions per work item when the block is split over threads. */
  static final int MIN_CHUNK = 512;

  static final Rows SCALAR = new ScalarRows();
  private static final Rows ROWS = load();

  private DepthwiseKernels() {}

  /** Whether {@link #depthwise} has a fast form for the problem; see {@link DepthwiseProblem#runsInPlace}. */
  public static boolean supports(DepthwiseProblem p) {
    return p.runsInPlace();
  }

  /** Float32 depthwise convolution, overwriting y; see the class comment. */
  public static void depthwise(DepthwiseProblem p, float[] x, float[] f, float[] y,
      Parallelism par) {
    run(ROWS, p, x, f, y, null, null, null, par);
  }

  /** Float64 depthwise convolution, overwriting y. */
  public static void depthwise(DepthwiseProblem p, double[] x, double[] f, double[] y,
      Parallelism par) {
    run(ROWS, p, null, null, null, x, f, y, par);
  }

  /** With the given innermost loop (tests run the scalar and the vector one). */
  static void run(Rows rows, DepthwiseProblem p, float[] xf, float[] ff, float[] yf,
      double[] xd, double[] fd, double[] yd, Parallelism par) {
    if (!supports(p)) {
      if (yf != null) {
        p.loops(xf, ff, yf);
      } else {
        p.loops(xd, fd, yd);
      }
      return;
    }
    Prepared pr = new Prepared(p);
    if (pr.outer == 0 || pr.block == 0) {
      return;
    }
    if (pr.blockShift.length == 0 || pr.outerTapsMax == 0) {
      // every tap lies in the padding: the output is zero
      if (yf != null) {
        java.util.Arrays.fill(yf, 0, (int) p.outputSize(), 0f);
      } else {
        java.util.Arrays.fill(yd, 0, (int) p.outputSize(), 0.0);
      }
      return;
    }
    int threads = par.threads();
    int chunks = 1;
    if (pr.outer < 4L * threads && pr.block >= 2 * MIN_CHUNK) {
      chunks = (int) Math.min((4L * threads + pr.outer - 1) / pr.outer, pr.block / MIN_CHUNK);
    }
    int chunk = (pr.block + chunks - 1) / chunks;
    long items = pr.outer * chunks;
    int parts = (int) Math.min(items, 4L * threads);
    int nc = chunks;
    int xLength = xf != null ? xf.length : xd.length;
    par.forEach(parts, part -> {
      long lo = items * part / parts;
      long hi = items * (part + 1) / parts;
      int cap = pr.outerTapsMax * pr.blockShift.length;
      int[] xOff = new int[cap];
      int[] fOff = new int[cap];
      boolean[][] valid = new boolean[cap][];
      int[][] validTo = new int[cap][];
      int[] idx = new int[pr.bs];
      int[] k = new int[pr.outerConv.length];
      for (long it = lo; it < hi; it++) {
        long o = it / nc;
        int c = (int) (it % nc);
        int taps = pr.taps(o, xOff, fOff, valid, validTo, idx, k);
        int yBase = pr.yBase(o);
        int j0 = c * chunk;
        int j1 = Math.min(pr.block, j0 + chunk);
        // rows at the ends of the array whose shifted reads would leave it run scalar
        boolean inside = true;
        for (int t = 0; t < taps && inside; t++) {
          inside = xOff[t] + j0 >= 0 && xOff[t] + j1 <= xLength;
        }
        Rows r = inside ? rows : SCALAR;
        if (yf != null) {
          r.rows(yf, yBase, j0, j1, xf, xOff, ff, fOff, pr.fStep, valid, validTo, taps);
        } else {
          r.rows(yd, yBase, j0, j1, xd, xOff, fd, fOff, pr.fStep, valid, validTo, taps);
        }
      }
    });
  }

  /** Float32 filter gradient, overwriting df: the transpose of {@link #depthwise} in F. */
  public static void filterGradient(DepthwiseProblem p, float[] dy, float[] x, float[] df,
      Parallelism par) {
    gradient(ROWS, p, dy, x, df, null, null, null, par);
  }

  /** Float64 filter gradient, overwriting df. */
  public static void filterGradient(DepthwiseProblem p, double[] dy, double[] x, double[] df,
      Parallelism par) {
    gradient(ROWS, p, null, null, null, dy, x, df, par);
  }

  /**
   * {@code dF[g, k] = sum_i dY[i] * X[in(i, k)]} over the outputs i of group g: per outer index
   * and tap a dot product of the output-gradient row with the shifted input row (a vector
   * accumulation across channels when a group axis is innermost). Each thread sums into its
   * own copy of dF; the copies are added in a fixed order.
   */
  static void gradient(Rows rows, DepthwiseProblem p, float[] yf, float[] xf, float[] ff,
      double[] yd, double[] xd, double[] fd, Parallelism par) {
    int fSize = (int) p.filterSize();
    if (!supports(p)) {
      if (ff != null) {
        p.filterGradientLoops(yf, xf, ff);
      } else {
        p.filterGradientLoops(yd, xd, fd);
      }
      return;
    }
    Prepared pr = new Prepared(p);
    if (pr.outer == 0 || pr.block == 0 || pr.blockShift.length == 0 || pr.outerTapsMax == 0) {
      if (ff != null) {
        java.util.Arrays.fill(ff, 0, fSize, 0f);
      } else {
        java.util.Arrays.fill(fd, 0, fSize, 0.0);
      }
      return;
    }
    int parts = (int) Math.min(pr.outer, 4L * par.threads());
    Object[] partial = new Object[parts];
    int xLength = xf != null ? xf.length : xd.length;
    par.forEach(parts, part -> {
      long lo = pr.outer * part / parts;
      long hi = pr.outer * (part + 1) / parts;
      int cap = pr.outerTapsMax * pr.blockShift.length;
      int[] xOff = new int[cap];
      int[] fOff = new int[cap];
      boolean[][] valid = new boolean[cap][];
      int[][] validTo = new int[cap][];
      int[] idx = new int[pr.bs];
      int[] k = new int[pr.outerConv.length];
      float[] af = ff != null ? new float[fSize] : null;
      double[] ad = ff != null ? null : new double[fSize];
      for (long o = lo; o < hi; o++) {
        int taps = pr.taps(o, xOff, fOff, valid, validTo, idx, k);
        int yBase = pr.yBase(o);
        for (int t = 0; t < taps; t++) {
          Rows r = xOff[t] >= 0 && xOff[t] + pr.block <= xLength ? rows : SCALAR;
          if (pr.fStep == 0) {
            if (af != null) {
              af[fOff[t]] += r.dot(yf, yBase, 0, pr.block, xf, xOff[t], valid[t]);
            } else {
              ad[fOff[t]] += r.dot(yd, yBase, 0, pr.block, xd, xOff[t], valid[t]);
            }
          } else if (af != null) {
            r.axpy(af, fOff[t], yf, yBase, 0, pr.block, xf, xOff[t], valid[t]);
          } else {
            r.axpy(ad, fOff[t], yd, yBase, 0, pr.block, xd, xOff[t], valid[t]);
          }
        }
      }
      partial[part] = af != null ? af : ad;
    });
    if (ff != null) {
      java.util.Arrays.fill(ff, 0, fSize, 0f);
      for (Object a : partial) {
        float[] v = (float[]) a;
        for (int e = 0; e < fSize; e++) {
          ff[e] += v[e];
        }
      }
    } else {
      java.util.Arrays.fill(fd, 0, fSize, 0.0);
      for (Object a : partial) {
        double[] v = (double[]) a;
        for (int e = 0; e < fSize; e++) {
          fd[e] += v[e];
        }
      }
    }
  }

  /** Strides, block taps and their validity tables of one problem. */
  private static final class Prepared {
    final DepthwiseProblem p;
    final int bs;
    final int block;
    final long outer;
    final int fStep;
    final int[] xs;
    final int[] ys;
    final int[] fs;
    final int[] outDims;
    /** Per block tap: flat x shift, f offset, validity table. */
    int[] blockShift;
    int[] blockF;
    boolean[][] blockValid;
    /** Per block tap: from each index, the first index where its validity table is false. */
    int[][] blockValidTo;
    /** Outer convolved axes and the most outer tap combinations. */
    final int[] outerConv;
    final int outerTapsMax;

    Prepared(DepthwiseProblem p) {
      this.p = p;
      int n = p.rank();
      bs = p.blockStart();
      outDims = p.outDims();
      xs = DepthwiseProblem.strides(p.inDims());
      ys = DepthwiseProblem.strides(outDims);
      int[] fAll = DepthwiseProblem.strides(p.filterDims());
      fs = new int[n];
      for (int a = 0, j = 0; a < n; a++) {
        if (p.kinds()[a] != DepthwiseProblem.FREE) {
          fs[a] = fAll[j++];
        }
      }
      long o = 1;
      for (int a = 0; a < bs; a++) {
        o *= outDims[a];
      }
      outer = o;
      int b = 1;
      for (int a = bs; a < n; a++) {
        b *= outDims[a];
      }
      block = b;
      fStep = p.kinds()[n - 1] == DepthwiseProblem.GROUP ? 1 : 0;
      List<Integer> oc = new ArrayList<>();
      int taps = 1;
      for (int a = 0; a < bs; a++) {
        if (p.kinds()[a] == DepthwiseProblem.CONV) {
          oc.add(a);
          taps *= p.convDims()[a].kernelLength();
        }
      }
      outerConv = oc.stream().mapToInt(Integer::intValue).toArray();
      outerTapsMax = taps;
      blockTaps(n);
    }

    /** Enumerates the block's tap combinations; drops those that never hit the input. */
    private void blockTaps(int n) {
      int[] conv = java.util.stream.IntStream.range(bs, n)
          .filter(a -> p.kinds()[a] == DepthwiseProblem.CONV).toArray();
      int[] k = new int[conv.length];
      int[] delta = new int[conv.length];
      List<int[]> taps = new ArrayList<>();
      List<boolean[]> tables = new ArrayList<>();
      boolean[] always = null;
      do {
        int shift = 0;
        int fo = 0;
        boolean shifted = false;
        for (int i = 0; i < conv.length; i++) {
          ConvDim d = p.convDims()[conv[i]];
          int j = d.flip() ? d.kernelLength() - 1 - k[i] : k[i];
          delta[i] = d.dilation() * j - d.padLeft();
          shift += delta[i] * xs[conv[i]];
          fo += k[i] * fs[conv[i]];
          shifted |= delta[i] != 0;
        }
        boolean[] table = null;
        boolean any = true;
        if (shifted) {
          table = new boolean[block + TABLE_SLACK];
          any = false;
          int[] c = new int[n];
          for (int e = 0; e < block; e++) {
            boolean v = true;
            for (int i = 0; i < conv.length && v; i++) {
              int q = c[conv[i]] + delta[i];
              v = q >= 0 && q < p.inDims()[conv[i]];
            }
            table[e] = v;
            any |= v;
            for (int a = n - 1; a >= bs; a--) {
              if (++c[a] < outDims[a]) {
                break;
              }
              c[a] = 0;
            }
          }
        }
        if (any) {
          if (table == null) {
            if (always == null) {
              always = new boolean[block + TABLE_SLACK];
              java.util.Arrays.fill(always, 0, block, true);
            }
            table = always;
          }
          taps.add(new int[] {shift, fo});
          tables.add(table);
        }
      } while (increment(k, conv));
      blockShift = taps.stream().mapToInt(t -> t[0]).toArray();
      blockF = taps.stream().mapToInt(t -> t[1]).toArray();
      blockValid = tables.toArray(boolean[][]::new);
      blockValidTo = new int[blockValid.length][];
      java.util.Map<boolean[], int[]> seen = new java.util.IdentityHashMap<>();
      for (int t = 0; t < blockValid.length; t++) {
        blockValidTo[t] = seen.computeIfAbsent(blockValid[t], Prepared::validTo);
      }
    }

    /** For each index, the first index from it on where {@code table} is false. */
    private static int[] validTo(boolean[] table) {
      int[] to = new int[table.length];
      int next = table.length;
      for (int e = table.length - 1; e >= 0; e--) {
        if (!table[e]) {
          next = e;
        }
        to[e] = next;
      }
      return to;
    }

    private boolean increment(int[] k, int[] conv) {
      for (int i = k.length - 1; i >= 0; i--) {
        if (++k[i] < p.convDims()[conv[i]].kernelLength()) {
          return true;
        }
        k[i] = 0;
      }
      return false;
    }

    int yBase(long o) {
      int base = 0;
      for (int a = bs - 1; a >= 0; a--) {
        int i = (int) (o % outDims[a]);
        o /= outDims[a];
        base += i * ys[a];
      }
      return base;
    }

    /** Fills the taps of outer index {@code o}; returns their count. */
    int taps(long o, int[] xOff, int[] fOff, boolean[][] valid, int[][] validTo, int[] idx,
        int[] k) {
      int xBase = 0;
      int fBase = 0;
      for (int a = bs - 1; a >= 0; a--) {
        idx[a] = (int) (o % outDims[a]);
        o /= outDims[a];
        int kind = p.kinds()[a];
        if (kind != DepthwiseProblem.CONV) {
          xBase += idx[a] * xs[a];
          fBase += kind == DepthwiseProblem.GROUP ? idx[a] * fs[a] : 0;
        }
      }
      int count = 0;
      java.util.Arrays.fill(k, 0);
      do {
        int xo = xBase;
        int fo = fBase;
        boolean ok = true;
        for (int i = 0; i < outerConv.length && ok; i++) {
          int a = outerConv[i];
          int in = p.convDims()[a].inputIndex(idx[a], k[i]);
          ok = in >= 0;
          xo += in * xs[a];
          fo += k[i] * fs[a];
        }
        if (ok) {
          for (int t = 0; t < blockShift.length; t++) {
            xOff[count] = xo + blockShift[t];
            fOff[count] = fo + blockF[t];
            valid[count] = blockValid[t];
            validTo[count] = blockValidTo[t];
            count++;
          }
        }
      } while (increment(k, outerConv));
      return count;
    }
  }

  private static Rows load() {
    if (!VectorSupport.isVectorized()) {
      return SCALAR;
    }
    try {
      Class<?> impl = Class.forName("dev.conveinsum.engine.cpu.VectorDepthwise", true,
          DepthwiseKernels.class.getClassLoader());
      return (Rows) MethodHandles.lookup()
          .findStatic(impl, "create", MethodType.methodType(impl)).invoke();
    } catch (Throwable e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      return SCALAR;
    }
  }

  /**
   * Runs the vector loops once on small problems (channels-first and channels-last, forward
   * and filter gradient), for the background JIT warm-up of {@link VectorSupport}: until C2 has
   * compiled them the Vector API loops run about 100 times slower.
   */
  static void warmUp() {
    ConvDim d = new ConvDim(16, 3, 16, 1, 1, 1, false, 0);
    DepthwiseProblem[] problems = {
      new DepthwiseProblem(new int[] {2, 8, 16, 16}, new int[] {0, 1, 0, 2},
          new ConvDim[] {null, null, null, d}),
      new DepthwiseProblem(new int[] {2, 8, 16, 16}, new int[] {0, 1, 2, 0},
          new ConvDim[] {null, null, d, null}),
      new DepthwiseProblem(new int[] {2, 16, 4, 40}, new int[] {0, 2, 0, 1},
          new ConvDim[] {null, d, null, null})};
    Parallelism serial = Parallelism.serial();
    for (DepthwiseProblem p : problems) {
      float[] xf = new float[(int) p.inputSize()];
      float[] ff = new float[(int) p.filterSize()];
      float[] yf = new float[(int) p.outputSize()];
      double[] xd = new double[xf.length];
      double[] fd = new double[ff.length];
      double[] yd = new double[yf.length];
      run(ROWS, p, xf, ff, yf, null, null, null, serial);
      run(ROWS, p, null, null, null, xd, fd, yd, serial);
      gradient(ROWS, p, yf, xf, ff, null, null, null, serial);
      gradient(ROWS, p, null, null, null, yd, xd, fd, serial);
    }
  }

  /** The vectorised rows when the Vector API is active, else the scalar ones (for tests). */
  static Rows activeRows() {
    return ROWS;
  }

  /** Plain loops. */
  private static final class ScalarRows implements Rows {
    @Override
    public void rows(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff, float[] f,
        int[] fOff, int fStep, boolean[][] valid, int[][] validTo, int taps) {
      for (int j = j0; j < j1; j++) {
        float acc = 0f;
        for (int t = 0; t < taps; t++) {
          if (valid[t][j]) {
            acc += f[fOff[t] + j * fStep] * x[xOff[t] + j];
          }
        }
        y[yOff + j] = acc;
      }
    }

    @Override
    public void rows(double[] y, int yOff, int j0, int j1, double[] x, int[] xOff, double[] f,
        int[] fOff, int fStep, boolean[][] valid, int[][] validTo, int taps) {
      for (int j = j0; j < j1; j++) {
        double acc = 0;
        for (int t = 0; t < taps; t++) {
          if (valid[t][j]) {
            acc += f[fOff[t] + j * fStep] * x[xOff[t] + j];
          }
        }
        y[yOff + j] = acc;
      }
    }

    @Override
    public float dot(float[] g, int gOff, int j0, int j1, float[] x, int xOff,
        boolean[] valid) {
      float acc = 0f;
      for (int j = j0; j < j1; j++) {
        if (valid[j]) {
          acc += g[gOff + j] * x[xOff + j];
        }
      }
      return acc;
    }

    @Override
    public double dot(double[] g, int gOff, int j0, int j1, double[] x, int xOff,
        boolean[] valid) {
      double acc = 0;
      for (int j = j0; j < j1; j++) {
        if (valid[j]) {
          acc += g[gOff + j] * x[xOff + j];
        }
      }
      return acc;
    }

    @Override
    public void axpy(float[] acc, int accOff, float[] g, int gOff, int j0, int j1, float[] x,
        int xOff, boolean[] valid) {
      for (int j = j0; j < j1; j++) {
        if (valid[j]) {
          acc[accOff + j] += g[gOff + j] * x[xOff + j];
        }
      }
    }

    @Override
    public void axpy(double[] acc, int accOff, double[] g, int gOff, int j0, int j1,
        double[] x, int xOff, boolean[] valid) {
      for (int j = j0; j < j1; j++) {
        if (valid[j]) {
          acc[accOff + j] += g[gOff + j] * x[xOff + j];
        }
      }
    }
  }
}
