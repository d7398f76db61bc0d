package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The shape of one tensorial convolution layer: channels, kernel, convolution options, the
 * decomposition of its kernel and the ranks of that decomposition.
 *
 * <p>A spec is a value; make one with {@link #builder()}. It produces everything a caller needs to
 * evaluate the layer as one conv_einsum with the input operand first: {@link #expression()},
 * {@link #options()}, {@link #inputShape(long, long, long)} and {@link #factorShapes()}.
 *
 * <p><b>Rank rule.</b> Given a target compression rate c (parameters / dense parameters), every
 * rank of the decomposition is set to one value R, the largest R whose parameter count does not
 * exceed {@code c * T * S * k * k}. This equal-rank rule is the paper's code's rule for TK and RTK
 * and reproduces every rank in the benchmark layer list for all eight decompositions.
 *
 * <p><b>Channel factorization.</b> The reshaped decompositions split T and S each into M factors
 * (see {@link #factorChannels(int, int)}).
 *
 * @param inChannels S, the number of input channels
 * @param outChannels T, the number of output channels
 * @param kernelSize k, the kernel is k x k
 * @param stride stride along h and w
 * @param padding padding along h and w (default {@link Padding#SAME})
 * @param dilation dilation along h and w
 * @param kind convolution kind (default {@link ConvKind#CROSS_CORRELATION}, as PyTorch)
 * @param decomposition how the kernel is factored
 * @param order M, the number of channel factors of a reshaped decomposition (1 otherwise)
 * @param ranks the ranks, in the order {@link Decomposition} documents
 * @param targetRate the compression rate the ranks were chosen for, when they were chosen so
 * @param inFactors the factors of S (one entry, S itself, unless reshaped)
 * @param outFactors the factors of T (one entry, T itself, unless reshaped)
 */
public record LayerSpec(int inChannels, int outChannels, int kernelSize, int stride,
    Padding padding, int dilation, ConvKind kind, Decomposition decomposition, int order,
    List<Integer> ranks, OptionalDouble targetRate, List<Integer> inFactors,
    List<Integer> outFactors) {

  /** The default order of the reshaped decompositions, as in the paper's code. */
  public static final int DEFAULT_ORDER = 3;

  /** Validates the values and copies the lists. */
  public LayerSpec {
    positive("in channels", inChannels);
    positive("out channels", outChannels);
    positive("kernel size", kernelSize);
    positive("stride", stride);
    positive("dilation", dilation);
    positive("order", order);
    if (padding == null || kind == null || decomposition == null || targetRate == null) {
      throw new ConvEinsumException("layer spec: padding, kind, decomposition and targetRate"
          + " must not be null");
    }
    ranks = List.copyOf(ranks);
    inFactors = List.copyOf(inFactors);
    outFactors = List.copyOf(outFactors);
    int m = decomposition.isReshaped() ? order : 1;
    if (!decomposition.isReshaped() && order != 1) {
      throw new ConvEinsumException("layer spec: order " + order + " is only for reshaped"
          + " decompositions; " + decomposition + " has order 1");
    }
    if (ranks.size() != decomposition.rankCount(order)) {
      throw new ConvEinsumException("layer spec: " + decomposition + (decomposition.isReshaped()
          ? " of order " + order : "") + " has " + decomposition.rankCount(order)
          + " ranks, got " + ranks);
    }
    for (int r : ranks) {
      positive("rank", r);
    }
    checkFactors("in", inChannels, inFactors, m);
    checkFactors("out", outChannels, outFactors, m);
  }

  private static void positive(String what, int v) {
    if (v < 1) {
      throw new ConvEinsumException("layer spec: " + what + " must be >= 1, got " + v);
    }
  }

  private static void checkFactors(String which, int channels, List<Integer> f, int m) {
    long p = 1;
    for (int x : f) {
      positive(which + " channel factor", x);
      p *= x;
    }
    if (f.size() != m || p != channels) {
      throw new ConvEinsumException("layer spec: " + which + " channel factors " + f
          + " must be " + m + " numbers whose product is " + channels);
    }
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this spec's values (ranks explicit). */
  public Builder toBuilder() {
    Builder b = new Builder().setInChannels(inChannels).setOutChannels(outChannels)
        .setKernelSize(kernelSize).setDecomposition(decomposition).optStride(stride)
        .optPadding(padding).optDilation(dilation).optKind(kind)
        .optRanks(ranks.stream().mapToInt(Integer::intValue).toArray());
    if (decomposition.isReshaped()) {
      b.optOrder(order);
    }
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // What the spec produces

  Network network() {
    return Network.of(decomposition, order, ranks, outFactors, inFactors, kernelSize);
  }

  /**
   * Returns the layer's expression, input operand first, e.g.
   * {@code "bshw,rt,rs,rh,rw->bthw|hw"} for CP or {@code "bijkhw,rxi,ryj,rzk,rhw->bxyzhw|hw"} for
   * RCP of order 3.
   */
  public String expression() {
    return network().expression();
  }

  /**
   * Returns the kernel-only expression that rebuilds the dense kernel from the factors, e.g.
   * {@code "rt,rs,rh,rw->tshw"}; reshaped decompositions produce {@code W[t1..tM, s1..sM, h, w]}.
   */
  public String kernelExpression() {
    Network n = network();
    List<String> terms = new ArrayList<>();
    n.factorLabels.forEach(f -> terms.add(Network.term(f)));
    return String.join(",", terms) + "->" + Network.term(n.kernelLabels());
  }

  /** Returns the options of the layer's expression: the kind and h, w padding/stride/dilation. */
  public ConvOptions options() {
    ConvSpec spec = new ConvSpec(padding, stride, dilation);
    return new ConvOptions(kind, java.util.Map.of()).with("h", spec).with("w", spec);
  }

  /**
   * Returns the input's shape as the expression sees it: {@code [B, S, H, W]}, or
   * {@code [B, s1, ..., sM, H, W]} for a reshaped decomposition.
   */
  public long[] inputShape(long batch, long height, long width) {
    long[] s = new long[inFactors.size() + 3];
    s[0] = batch;
    for (int i = 0; i < inFactors.size(); i++) {
      s[i + 1] = inFactors.get(i);
    }
    s[s.length - 2] = height;
    s[s.length - 1] = width;
    return s;
  }

  /**
   * Returns the output's shape as the layer returns it, {@code [B, T, H', W']}, where H' and W'
   * follow from the padding, stride and dilation (SPEC section 3).
   */
  public long[] outputShape(long batch, long height, long width) {
    List<long[]> shapes = new ArrayList<>();
    shapes.add(inputShape(batch, height, width));
    shapes.addAll(factorShapes());
    long[] out = ConvEinsum.bind(expression(), options(), shapes)
        .outputShape();
    return new long[] {batch, outChannels, out[out.length - 2], out[out.length - 1]};
  }

  /** Returns the shape of every factor, in the order of the expression's factor terms. */
  public List<long[]> factorShapes() {
    return network().factorShapes();
  }

  /** Returns the dense kernel's shape {@code [T, S, k, k]}. */
  public long[] kernelShape() {
    return new long[] {outChannels, inChannels, kernelSize, kernelSize};
  }

  /** Returns the number of parameters: the sum of the factors' element counts. */
  public long parameters() {
    long p = 0;
    for (long[] s : factorShapes()) {
      long n = 1;
      for (long d : s) {
        n *= d;
      }
      p += n;
    }
    return p;
  }

  /** Returns the dense kernel's parameter count {@code T * S * k * k}. */
  public long denseParameters() {
    return (long) outChannels * inChannels * kernelSize * kernelSize;
  }

  /** Returns the achieved compression rate {@code parameters() / denseParameters()}. */
  public double compression() {
    return (double) parameters() / denseParameters();
  }

  /** Returns the common rank when all ranks are equal, else -1 (also -1 for DENSE). */
  public int equalRank() {
    if (ranks.isEmpty()) {
      return -1;
    }
    int r = ranks.get(0);
    return ranks.stream().allMatch(x -> x == r) ? r : -1;
  }

  /**
   * Returns remarks a user should know: channel counts that could only be factored with a factor
   * of 1 (a prime channel count, say) or very unequal factors. Empty when there is nothing to say.
   */
  public String notes() {
    List<String> notes = new ArrayList<>();
    if (decomposition.isReshaped()) {
      note(notes, "in", inChannels, inFactors);
      note(notes, "out", outChannels, outFactors);
    }
    return String.join("; ", notes);
  }

  private static void note(List<String> notes, String which, int channels, List<Integer> f) {
    if (f.size() > 1 && f.contains(1)) {
      notes.add(which + " channels " + channels + " cannot be split into " + f.size()
          + " factors > 1; factored as " + join(f) + (isPrime(channels) ? " (" + channels
          + " is prime)" : ""));
    }
  }

  static String join(List<Integer> f) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < f.size(); i++) {
      sb.append(i == 0 ? "" : "x").append(f.get(i));
    }
    return sb.toString();
  }

  private static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    for (int d = 2; (long) d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  /** Returns a one-line description, e.g. {@code CP 64->64 k3 ranks [13] 1742/36864 (4.73%)}. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %d->%d k%d ranks %s %d/%d (%.2f%%)%s", decomposition,
        inChannels, outChannels, kernelSize, ranks, parameters(), denseParameters(),
        100 * compression(), decomposition.isReshaped() ? " order " + order + " in "
            + join(inFactors) + " out " + join(outFactors) : "");
  }

  // ---------------------------------------------------------------------------------------------
  // Channel factorization and rank selection

  /**
   * Splits a channel count into M near-equal factors: among all ways of writing n as a product of
   * M positive integers, the one with the smallest largest factor, ties broken by the smallest sum
   * of squares (the most balanced); the factors greater than 1 are listed in ascending order,
   * followed by any factors equal to 1. This gives the paper's 64 = 4x4x4, 128 = 4x4x8,
   * 256 = 4x8x8, 512 = 8x8x8, and 7 = 7x1x1 for a prime.
   *
   * @param n the channel count, at least 1
   * @param m the number of factors, at least 1
   * @return the factors
   * @throws ConvEinsumException when n or m is below 1
   */
  public static List<Integer> factorChannels(int n, int m) {
    positive("channel count", n);
    positive("order", m);
    int[] best = new int[m];
    long[] bestKey = {Long.MAX_VALUE, Long.MAX_VALUE};
    search(n, m, 1, new int[m], 0, best, bestKey);
    List<Integer> big = new ArrayList<>();
    int ones = 0;
    for (int f : best) {
      if (f == 1) {
        ones++;
      } else {
        big.add(f);
      }
    }
    Collections.sort(big);
    big.addAll(Collections.nCopies(ones, 1));
    return List.copyOf(big);
  }

  /** Enumerates non-decreasing factor tuples of n; keeps the best by (max, sum of squares). */
  private static void search(int n, int m, int min, int[] cur, int pos, int[] best,
      long[] bestKey) {
    if (pos == m - 1) {
      if (n < min) {
        return;
      }
      cur[pos] = n;
      long max = n;
      long sq = 0;
      for (int f : cur) {
        sq += (long) f * f;
      }
      if (max < bestKey[0] || (max == bestKey[0] && sq < bestKey[1])) {
        bestKey[0] = max;
        bestKey[1] = sq;
        System.arraycopy(cur, 0, best, 0, m);
      }
      return;
    }
    for (int f = min; pow(f, m - pos) <= n; f++) {
      if (n % f == 0) {
        cur[pos] = f;
        search(n / f, m, f, cur, pos + 1, best, bestKey);
      }
    }
  }

  private static long pow(long f, int e) {
    long p = 1;
    for (int i = 0; i < e; i++) {
      p *= f;
      if (p > Integer.MAX_VALUE) {
        return p;
      }
    }
    return p;
  }

  /** Builds {@link LayerSpec}s: {@code setX} for required values, {@code optX} for optional. */
  public static final class Builder {
    private int inChannels;
    private int outChannels;
    private int kernelSize;
    private Decomposition decomposition;
    private int stride = 1;
    private Padding padding = Padding.SAME;
    private int dilation = 1;
    private ConvKind kind = ConvKind.CROSS_CORRELATION;
    private Integer order;
    private int[] ranks;
    private Double rate;

    private Builder() {}

    /** Sets S, the number of input channels (required). */
    public Builder setInChannels(int s) {
      this.inChannels = s;
      return this;
    }

    /** Sets T, the number of output channels (required). */
    public Builder setOutChannels(int t) {
      this.outChannels = t;
      return this;
    }

    /** Sets k, the kernel size; the kernel is k x k (required). */
    public Builder setKernelSize(int k) {
      this.kernelSize = k;
      return this;
    }

    /** Sets the decomposition (required). */
    public Builder setDecomposition(Decomposition d) {
      this.decomposition = d;
      return this;
    }

    /** Sets the stride along h and w (default 1). */
    public Builder optStride(int s) {
      this.stride = s;
      return this;
    }

    /** Sets the padding along h and w (default {@link Padding#SAME}). */
    public Builder optPadding(Padding p) {
      this.padding = p;
      return this;
    }

    /** Sets the dilation along h and w (default 1). */
    public Builder optDilation(int d) {
      this.dilation = d;
      return this;
    }

    /** Sets the convolution kind (default {@link ConvKind#CROSS_CORRELATION}, as PyTorch). */
    public Builder optKind(ConvKind k) {
      this.kind = k;
      return this;
    }

    /** Sets the order M of a reshaped decomposition (default {@value #DEFAULT_ORDER}). */
    public Builder optOrder(int m) {
      this.order = m;
      return this;
    }

    /**
     * Sets explicit ranks, in the order {@link Decomposition} documents; a single value sets every
     * rank to it. Excludes {@link #optCompressionRate(double)}.
     */
    public Builder optRanks(int... r) {
      this.ranks = r.clone();
      return this;
    }

    /**
     * Sets the target compression rate (parameters / dense parameters, e.g. 0.1 for 10%); every
     * rank becomes the largest equal value within it. Excludes {@link #optRanks(int...)}.
     */
    public Builder optCompressionRate(double c) {
      this.rate = c;
      return this;
    }

    /**
     * Validates the values, chooses the channel factors and ranks, and returns the spec.
     *
     * @throws ConvEinsumException for missing or invalid values, or a rate below the smallest
     *     achievable one (which the message states)
     */
    public LayerSpec build() {
      if (decomposition == null) {
        throw new ConvEinsumException("layer spec: the decomposition is not set");
      }
      positive("in channels", inChannels);
      positive("out channels", outChannels);
      positive("kernel size", kernelSize);
      if (order != null && !decomposition.isReshaped() && order != 1) {
        throw new ConvEinsumException("layer spec: order " + order + " is only for reshaped"
            + " decompositions (RCP, RTK, RTT, RTR), not " + decomposition);
      }
      int m = decomposition.isReshaped() ? (order == null ? DEFAULT_ORDER : order) : 1;
      positive("order", m);
      if (ranks != null && rate != null) {
        throw new ConvEinsumException("layer spec: give either ranks or a compression rate,"
            + " not both");
      }
      List<Integer> sf = decomposition.isReshaped() ? factorChannels(inChannels, m)
          : List.of(inChannels);
      List<Integer> tf = decomposition.isReshaped() ? factorChannels(outChannels, m)
          : List.of(outChannels);
      int count = decomposition.rankCount(m);
      List<Integer> r;
      OptionalDouble target = OptionalDouble.empty();
      if (count == 0) {
        if (ranks != null && ranks.length > 0) {
          throw new ConvEinsumException("layer spec: DENSE has no ranks, got "
              + java.util.Arrays.toString(ranks));
        }
        r = List.of();
        if (rate != null) {
          target = OptionalDouble.of(rate);
        }
      } else if (ranks != null) {
        if (ranks.length == 1) {
          r = Collections.nCopies(count, ranks[0]);
        } else if (ranks.length == count) {
          r = java.util.Arrays.stream(ranks).boxed().toList();
        } else {
          throw new ConvEinsumException("layer spec: " + decomposition + " of order " + m
              + " has " + count + " ranks; give 1 (all equal) or " + count + ", got "
              + java.util.Arrays.toString(ranks));
        }
      } else if (rate != null) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
          throw new ConvEinsumException("layer spec: compression rate must be a number > 0,"
              + " got " + rate);
        }
        r = Collections.nCopies(count, equalRankFor(rate, count, m, sf, tf));
        target = OptionalDouble.of(rate);
      } else {
        throw new ConvEinsumException("layer spec: give ranks (optRanks) or a compression rate"
            + " (optCompressionRate) for " + decomposition);
      }
      return new LayerSpec(inChannels, outChannels, kernelSize, stride, padding, dilation, kind,
          decomposition, m, r, target, sf, tf);
    }

    private long paramsAt(int rank, int count, int m, List<Integer> sf, List<Integer> tf) {
      return new LayerSpec(inChannels, outChannels, kernelSize, stride, padding, dilation, kind,
          decomposition, m, Collections.nCopies(count, rank), OptionalDouble.empty(), sf, tf)
          .parameters();
    }

    private int equalRankFor(double c, int count, int m, List<Integer> sf, List<Integer> tf) {
      long dense = (long) outChannels * inChannels * kernelSize * kernelSize;
      // tolerate the rounding of c * dense (0.1 * 36864 is 3686.4000000000005)
      double budget = c * dense * (1 + 1e-12);
      long p1 = paramsAt(1, count, m, sf, tf);
      if (p1 > budget) {
        throw new ConvEinsumException(String.format(Locale.ROOT, "layer spec: %s %d->%d k%d"
            + " cannot reach compression rate %s; rank 1 already has %d of %d dense parameters,"
            + " so the smallest achievable rate is %.6g", decomposition, inChannels, outChannels,
            kernelSize, c, p1, dense, (double) p1 / dense));
      }
      int lo = 1;
      int hi = 2;
      while (paramsAt(hi, count, m, sf, tf) <= budget) {
        lo = hi;
        if (hi > (1 << 29)) {
          throw new ConvEinsumException("layer spec: compression rate " + c + " is too large");
        }
        hi *= 2;
      }
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (paramsAt(mid, count, m, sf, tf) <= budget) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}
