package dev.conveinsum.engine;

import java.util.Arrays;

/**
 * A depthwise (channel-preserving) convolution on the layout it is given: X and Y share one
 * row-major axis order, and every axis is free (X and Y only), a group (X, F and Y, not summed) or
 * convolved (X, F and Y, with its {@link ConvDim}). Nothing is summed but the taps:
 * {@code Y[i] = sum_taps F[g(i), k] * X[in(i, k)]}, where along a convolved axis {@code a} the
 * input index is {@code dims[a].inputIndex(i_a, k_a)} (a term is zero where that is -1) and along
 * the other axes it is {@code i_a}. F is stored row-major with the group and convolved axes in
 * the order X has them (group axes with X's length, convolved ones with the kernel length).
 *
 * <p>Steps whose filter holds only group and convolved indices (the depthwise convolutions of
 * CP layers, the input gradients of any depthwise step) run as this problem, so that no operand
 * is permuted into the {@code [G, B, C, x...]} order of {@link ConvProblem}.
 *
 * @param inDims X's axis lengths
 * @param kinds per axis {@link #FREE}, {@link #GROUP} or {@link #CONV}
 * @param convDims per axis the convolved dimension, null unless {@link #CONV}
 */
public record DepthwiseProblem(int[] inDims, int[] kinds, ConvDim[] convDims) {

  /** An axis of X and Y only. */
  public static final int FREE = 0;
  /** An axis of X, F and Y that is not summed. */
  public static final int GROUP = 1;
  /** An axis along which X and F are convolved. */
  public static final int CONV = 2;

  /** Copies the arrays and checks that they agree. */
  public DepthwiseProblem {
    inDims = inDims.clone();
    kinds = kinds.clone();
    convDims = convDims.clone();
    if (kinds.length != inDims.length || convDims.length != inDims.length) {
      throw new IllegalArgumentException("axis arrays of different lengths");
    }
    for (int a = 0; a < inDims.length; a++) {
      boolean conv = kinds[a] == CONV;
      if (kinds[a] < FREE || kinds[a] > CONV || conv != (convDims[a] != null)
          || conv && convDims[a].inLength() != inDims[a] || inDims[a] < 0) {
        throw new IllegalArgumentException("invalid axis " + a + " of " + this);
      }
    }
  }

  /** Returns the number of axes. */
  public int rank() {
    return inDims.length;
  }

  /** Returns Y's axis lengths: X's, with each convolved axis at its output length. */
  public int[] outDims() {
    int[] d = inDims.clone();
    for (int a = 0; a < d.length; a++) {
      if (kinds[a] == CONV) {
        d[a] = convDims[a].outLength();
      }
    }
    return d;
  }

  /** Returns F's axis lengths (group and convolved axes in X's order). */
  public int[] filterDims() {
    return Arrays.stream(range()).filter(a -> kinds[a] != FREE)
        .map(a -> kinds[a] == CONV ? convDims[a].kernelLength() : inDims[a]).toArray();
  }

  private int[] range() {
    int[] r = new int[inDims.length];
    Arrays.setAll(r, a -> a);
    return r;
  }

  /** Returns the element count of X. */
  public long inputSize() {
    return product(inDims);
  }

  /** Returns the element count of Y. */
  public long outputSize() {
    return product(outDims());
  }

  /** Returns the element count of F. */
  public long filterSize() {
    return product(filterDims());
  }

  /** Returns the product of the kernel lengths. */
  public long taps() {
    long n = 1;
    for (ConvDim d : convDims) {
      n *= d == null ? 1 : d.kernelLength();
    }
    return n;
  }

  /** Returns the multiply-adds of the dense formulation (taps hitting padding included). */
  public long multiplyAdds() {
    return outputSize() * taps();
  }

  /**
   * Whether a convolved axis is "aligned": stride 1, no period, output as long as the input, so
   * that an output element and the input element at the same flat index line up and every tap
   * is a fixed shift of the flat index.
   */
  public boolean aligned(int a) {
    ConvDim d = convDims[a];
    return d != null && d.stride() == 1 && d.period() == 0 && d.outLength() == d.inLength();
  }

  /**
   * Entries past the trailing block in each per-tap validity table of an in-place kernel: room
   * for two vectors of the widest species, so kernels may read a little past the block.
   */
  public static final int TABLE_SLACK = 32;

  /** Most (block positions + slack) times block taps that the validity tables may hold. */
  public static final long MAX_TABLE = 1L << 22;

  /**
   * Whether the step can run in place on X's own layout: it has a trailing block
   * ({@link #blockStart()} below the rank) and that block's validity tables, taps times
   * (positions + {@link #TABLE_SLACK}), stay within {@link #MAX_TABLE} entries. The lowering asks
   * this when it compiles a plan, before any engine is chosen; every engine runs such problems
   * ({@link Engine}'s default enumerates every output and tap).
   *
   * @return true when the in-place depthwise form applies
   */
  public boolean runsInPlace() {
    int bs = blockStart();
    if (bs >= rank()) {
      return false;
    }
    long blockTaps = 1;
    long block = 1;
    for (int a = bs; a < rank(); a++) {
      block *= inDims[a];
      if (kinds[a] == CONV) {
        blockTaps *= convDims[a].kernelLength();
      }
    }
    return blockTaps * (block + TABLE_SLACK) <= MAX_TABLE;
  }

  /**
   * Returns the first axis of the trailing block that kernels sweep as one flat row: the longest
   * run of trailing free and aligned convolved axes, or the last axis alone when it is a group.
   * Returns {@link #rank()} when there is none (the last axis is a convolved axis that is not
   * aligned) or the problem has no axes.
   */
  public int blockStart() {
    int n = rank();
    if (n == 0) {
      return 0;
    }
    if (kinds[n - 1] == GROUP) {
      return n - 1;
    }
    int s = n;
    while (s > 0 && (kinds[s - 1] == FREE || kinds[s - 1] == CONV && aligned(s - 1))) {
      s--;
    }
    return s;
  }

  /**
   * Computes Y by enumerating every output element and tap (the definition, for engines
   * without a faster kernel and as a test oracle).
   *
   * @param x input in X's layout
   * @param f filter in F's layout
   * @param y output in Y's layout, overwritten
   */
  public void loops(double[] x, double[] f, double[] y) {
    loops(x, f, y, null, null, null);
  }

  /** Float32 form of {@link #loops(double[], double[], double[])}. */
  public void loops(float[] x, float[] f, float[] y) {
    loops(null, null, null, x, f, y);
  }

  private void loops(double[] xd, double[] fd, double[] yd, float[] xf, float[] ff, float[] yf) {
    int n = rank();
    int[] out = outDims();
    int[] xs = strides(inDims);
    int[] fdims = filterDims();
    int[] fsAll = strides(fdims);
    int[] fs = new int[n];
    for (int a = 0, j = 0; a < n; a++) {
      if (kinds[a] != FREE) {
        fs[a] = fsAll[j++];
      }
    }
    long total = product(out);
    int[] idx = new int[n];
    int[] k = new int[n];
    int[] kb = new int[n];
    for (int a = 0; a < n; a++) {
      kb[a] = kinds[a] == CONV ? convDims[a].kernelLength() : 1;
    }
    for (long e = 0; e < total; e++) {
      double acc = 0;
      Arrays.fill(k, 0);
      do {
        int xo = 0;
        int fo = 0;
        boolean valid = true;
        for (int a = 0; a < n && valid; a++) {
          if (kinds[a] == CONV) {
            int in = convDims[a].inputIndex(idx[a], k[a]);
            valid = in >= 0;
            xo += in * xs[a];
            fo += k[a] * fs[a];
          } else {
            xo += idx[a] * xs[a];
            fo += kinds[a] == GROUP ? idx[a] * fs[a] : 0;
          }
        }
        if (valid) {
          acc += xd != null ? xd[xo] * fd[fo] : (double) (xf[xo] * ff[fo]);
        }
      } while (increment(k, kb));
      if (yd != null) {
        yd[(int) e] = acc;
      } else {
        yf[(int) e] = (float) acc;
      }
      increment(idx, out);
    }
  }

  /**
   * Computes the gradient of the filter, {@code dF[g, k] = sum_i dY[i] * X[in(i, k)]} over the
   * outputs i of group g, by enumerating every output and tap (the transpose of
   * {@link #loops(double[], double[], double[])} in F).
   *
   * @param dy output gradient in Y's layout
   * @param x input in X's layout
   * @param df filter gradient in F's layout, overwritten
   */
  public void filterGradientLoops(double[] dy, double[] x, double[] df) {
    filterGradientLoops(dy, x, df, null, null, null);
  }

  /** Float32 form of {@link #filterGradientLoops(double[], double[], double[])}. */
  public void filterGradientLoops(float[] dy, float[] x, float[] df) {
    filterGradientLoops(null, null, null, dy, x, df);
  }

  private void filterGradientLoops(double[] yd, double[] xd, double[] fd, float[] yf,
      float[] xf, float[] ff) {
    int n = rank();
    int[] out = outDims();
    int[] xs = strides(inDims);
    int[] fsAll = strides(filterDims());
    int[] fs = new int[n];
    int[] kb = new int[n];
    for (int a = 0, j = 0; a < n; a++) {
      if (kinds[a] != FREE) {
        fs[a] = fsAll[j++];
      }
      kb[a] = kinds[a] == CONV ? convDims[a].kernelLength() : 1;
    }
    double[] acc = new double[(int) filterSize()];
    long total = product(out);
    int[] idx = new int[n];
    int[] k = new int[n];
    for (long e = 0; e < total; e++) {
      double g = yd != null ? yd[(int) e] : yf[(int) e];
      Arrays.fill(k, 0);
      do {
        int xo = 0;
        int fo = 0;
        boolean valid = true;
        for (int a = 0; a < n && valid; a++) {
          if (kinds[a] == CONV) {
            int in = convDims[a].inputIndex(idx[a], k[a]);
            valid = in >= 0;
            xo += in * xs[a];
            fo += k[a] * fs[a];
          } else {
            xo += idx[a] * xs[a];
            fo += kinds[a] == GROUP ? idx[a] * fs[a] : 0;
          }
        }
        if (valid) {
          acc[fo] += g * (xd != null ? xd[xo] : xf[xo]);
        }
      } while (increment(k, kb));
      increment(idx, out);
    }
    for (int e = 0; e < acc.length; e++) {
      if (fd != null) {
        fd[e] = acc[e];
      } else {
        ff[e] = (float) acc[e];
      }
    }
  }

  private static boolean increment(int[] idx, int[] bounds) {
    for (int a = idx.length - 1; a >= 0; a--) {
      if (++idx[a] < bounds[a]) {
        return true;
      }
      idx[a] = 0;
    }
    return false;
  }

  /** Row-major strides of the given lengths. */
  public static int[] strides(int[] dims) {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int a = dims.length - 1; a >= 0; a--) {
      s[a] = acc;
      acc *= dims[a];
    }
    return s;
  }

  private static long product(int[] dims) {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DepthwiseProblem p && Arrays.equals(inDims, p.inDims)
        && Arrays.equals(kinds, p.kinds) && Arrays.equals(convDims, p.convDims);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(inDims) + Arrays.hashCode(kinds))
        + Arrays.hashCode(convDims);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int a = 0; a < rank(); a++) {
      sb.append(a == 0 ? "" : ", ").append(inDims[a]);
      if (kinds[a] == GROUP) {
        sb.append('g');
      } else if (kinds[a] == CONV) {
        sb.append('*').append(convDims[a].kernelLength()).append("->")
            .append(convDims[a].outLength());
      }
    }
    return sb.append(']').toString();
  }
}
