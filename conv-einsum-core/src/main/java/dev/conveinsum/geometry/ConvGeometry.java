package dev.conveinsum.geometry;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the taps of one convolution index land (SPEC section 3), and which positions an
 * intermediate must keep along it (SPEC section 4). This is the one place that rule lives: the
 * cost model, the planner and the engines all ask it.
 *
 * <p>Positions are "full" coordinates {@code x} of the m-way linear convolution, {@code 0 <= x <
 * fullLength()}: operand holder {@code r} at tap {@code t} sits at {@link #realPosition(int, int)}
 * and a product of one tap per holder lands at the sum of their positions. An intermediate that
 * holds a subset of the holders keeps exactly the sums that can still reach a kept output
 * position once the remaining holders are added ({@link #positions(long)}).
 *
 * <p>Cost. The planner asks for stored lengths and pair counts of many holder subsets; both are
 * computed without listing positions, so planning costs the same for 10 or 10^6 samples and
 * for dilation 1 or 2^28: with two holders the pairs are floor sums over the filter taps
 * (O(log) each); with more, every set involved (the taps of a subset, the kept output positions,
 * what can still reach them) is a few rectangles of {@link LatticeSets} in the period of stride
 * and dilation, and results are cached by the subset's shape (whether it holds the signal, how
 * many filter taps). Only an index of three or more holders whose stride and dilation share no
 * small period (both above 1, their lcm over 1024 residue columns, many outputs and taps) is
 * enumerated, up to {@value #BRUTE_LIMIT} full positions, and refused as "does not fit" beyond.
 */
public final class ConvGeometry {
  /** The longest a dilated operand may be along a convolution index. */
  public static final int MAX_DILATED_LENGTH = 1 << 28;
  /** Indices without a small common period of stride and dilation are planned up to this. */
  static final int BRUTE_LIMIT = 4096;

  private final String name;
  private final int[] holders;
  private final int[] lengths;
  private final int[] dilatedLengths;
  private final ConvSpec spec;
  private final ConvKind kind;
  private final int fullLength;
  private final int cropLength;
  private final int offset;
  private final int outputLength;
  private final List<long[]> windows;
  private final LatticeSets lattice;
  private final List<LatticeSets.Rect> keptOutput;
  private final ConcurrentHashMap<Shape, List<LatticeSets.Rect>> keptCache =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Shape, List<LatticeSets.Rect>> sumsCache =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PairShape, Long> pairCache = new ConcurrentHashMap<>();
  private volatile BruteSets brute;
  private volatile long twoWay = -1;

  /**
   * Computes the geometry of one convolution index.
   *
   * @param name the index name (for messages)
   * @param holders the operand positions holding the index, in order; the first is the signal
   * @param lengths the length of each holder along the index
   * @param spec padding, stride and dilation
   * @param kind convolution or cross-correlation
   * @throws ConvEinsumException when the options do not fit the operands
   */
  public ConvGeometry(String name, int[] holders, int[] lengths, ConvSpec spec, ConvKind kind) {
    this.name = name;
    this.holders = holders.clone();
    this.lengths = lengths.clone();
    this.spec = spec;
    this.kind = kind;
    int m = holders.length;
    if (m < 2 || lengths.length != m) {
      throw new IllegalArgumentException("a convolution needs two or more holders");
    }
    if (m > 62) {
      throw new ConvEinsumException("convolution index '" + name + "' occurs in " + m
          + " operands; at most 62 are supported");
    }
    dilatedLengths = new int[m];
    long full = 1 - m;
    int max = 0;
    for (int r = 0; r < m; r++) {
      if (lengths[r] < 1) {
        throw new ConvEinsumException("convolution index '" + name + "' has length " + lengths[r]
            + " in operand " + holders[r] + "; convolved lengths must be >= 1");
      }
      long d = r == 0 ? lengths[r] : (long) spec.dilation() * (lengths[r] - 1) + 1;
      if (d > MAX_DILATED_LENGTH) {
        throw new ConvEinsumException("convolution index '" + name + "' does not fit: operand "
            + holders[r] + " spans " + d + " positions (dilation " + spec.dilation()
            + " x (length " + lengths[r] + " - 1) + 1), over the limit of " + MAX_DILATED_LENGTH
            + "; use a smaller dilation or a shorter operand");
      }
      dilatedLengths[r] = (int) d;
      full += d;
      max = Math.max(max, (int) d);
    }
    if (full > Integer.MAX_VALUE) {
      throw new ConvEinsumException("convolution index '" + name + "' does not fit: the full "
          + m + "-way convolution spans " + full + " positions (dilated lengths "
          + Arrays.toString(dilatedLengths) + "), over the limit of " + Integer.MAX_VALUE
          + "; use a smaller dilation, shorter operands or fewer operands on the index");
    }
    fullLength = (int) full;
    long crop;
    long off;
    Padding p = spec.padding();
    switch (p.mode()) {
      case MAX, CIRCULAR -> {
        crop = max;
        off = centre(fullLength, max, kind);
      }
      case SAME -> {
        crop = lengths[0];
        off = centre(fullLength, lengths[0], kind);
      }
      case FULL -> {
        crop = fullLength;
        off = 0;
      }
      case VALID -> {
        crop = 2L * max - fullLength;
        off = fullLength - max;
        if (crop < 1) {
          throw new ConvEinsumException("VALID convolution along '" + name
              + "' leaves no output: 2*max(n') - L_full = " + 2L * max + " - " + fullLength
              + " = " + crop + " < 1 (lengths " + Arrays.toString(lengths)
              + "); the filters are longer than the signal allows");
        }
      }
      case EXPLICIT -> {
        if (m != 2) {
          throw new ConvEinsumException("explicit padding " + p + " of index '" + name
              + "' needs exactly 2 operands holding it; it occurs in " + m
              + " (operands " + Arrays.toString(holders) + ")");
        }
        long padded = (long) lengths[0] + p.left() + p.right();
        if (padded > MAX_DILATED_LENGTH) {
          throw new ConvEinsumException("padding " + p + " of index '" + name + "' does not"
              + " fit: the padded signal has " + padded + " positions, over the limit of "
              + MAX_DILATED_LENGTH + "; use less padding");
        }
        crop = padded - dilatedLengths[1] + 1;
        off = dilatedLengths[1] - 1L - p.left();
        if (crop < 1) {
          throw new ConvEinsumException("padding " + p + " of index '" + name
              + "' leaves no output: signal " + lengths[0] + " + padding "
              + ((long) p.left() + p.right()) + " is shorter than the dilated filter "
              + dilatedLengths[1]);
        }
      }
      default -> throw new IllegalStateException();
    }
    cropLength = (int) crop;
    offset = (int) off;
    // ceil(L / stride) in long: L + stride - 1 overflows an int for strides near 2^31.
    outputLength = (int) ((crop + spec.stride() - 1) / spec.stride());
    windows = windows(fullLength, cropLength, offset, spec.stride(), circular());
    long outputs = 0;
    for (long[] w : windows) {
      outputs += w[1];
    }
    long taps = 0;
    for (int r = 1; r < m; r++) {
      taps += lengths[r] - 1L;
    }
    lattice = LatticeSets.choose(spec.stride(), spec.dilation(), outputs, taps);
    if (lattice != null) {
      List<LatticeSets.Rect> k = new ArrayList<>();
      for (long[] w : windows) {
        k.addAll(lattice.progression(w[0], spec.stride(), w[1]));
      }
      keptOutput = LatticeSets.normalize(k);
    } else {
      keptOutput = null;
    }
  }

  private static int centre(int full, int crop, ConvKind kind) {
    int extra = full - crop;
    return kind == ConvKind.CONVOLUTION ? Math.floorDiv(extra, 2) : -Math.floorDiv(-extra, 2);
  }

  /** Returns the index name. */
  public String name() {
    return name;
  }

  /** Returns the number of operands holding the index (m). */
  public int holderCount() {
    return holders.length;
  }

  /** Returns the operand position of holder {@code r} (0 = the signal). */
  public int holder(int r) {
    return holders[r];
  }

  /** Returns the rank of an operand among the holders, or -1. */
  public int rankOf(int operand) {
    for (int r = 0; r < holders.length; r++) {
      if (holders[r] == operand) {
        return r;
      }
    }
    return -1;
  }

  /** Returns the length of holder {@code r} along the index. */
  public int length(int r) {
    return lengths[r];
  }

  /** Returns the options of the index. */
  public ConvSpec spec() {
    return spec;
  }

  /** Returns the kind of the call. */
  public ConvKind kind() {
    return kind;
  }

  /** Returns {@code L_full}, the length of the full m-way linear convolution. */
  public int fullLength() {
    return fullLength;
  }

  /** Returns {@code L}, the length after the crop and before the stride. */
  public int cropLength() {
    return cropLength;
  }

  /** Returns the crop offset: out[y] = F[y + offset]. */
  public int offset() {
    return offset;
  }

  /** Returns the length of the result along the index, {@code ceil(L / stride)}. */
  public int outputLength() {
    return outputLength;
  }

  /** Returns whether the padding is circular. */
  public boolean circular() {
    return spec.padding().mode() == Padding.Mode.CIRCULAR;
  }

  /**
   * Returns the full-coordinate position of tap {@code t} of holder {@code r}: the signal's taps
   * sit at {@code t}; a filter's at {@code d*t}, or {@code d*(n-1-t)} for cross-correlation.
   */
  public int realPosition(int r, int t) {
    if (r == 0) {
      return t;
    }
    int d = spec.dilation();
    return kind == ConvKind.CONVOLUTION ? d * t : d * (lengths[r] - 1 - t);
  }

  /**
   * Returns the output position that full position {@code x} lands on after crop, wrap and
   * stride, or -1 when it is dropped.
   */
  public int outputPosition(int x) {
    int y;
    if (circular()) {
      y = Math.floorMod(x - offset, cropLength);
    } else {
      y = x - offset;
      if (y < 0 || y >= cropLength) {
        return -1;
      }
    }
    return y % spec.stride() == 0 ? y / spec.stride() : -1;
  }

  /** Returns the mask of all holders. */
  public long allHolders() {
    return holders.length == 64 ? -1L : (1L << holders.length) - 1;
  }

  /**
   * Returns the sorted full positions that an operand holding the given holders keeps: the sums
   * of one real tap per holder that can still reach a kept output position. For all holders these
   * are the positions that land in the output.
   *
   * @param holderMask bit r set when holder r is in the operand
   * @return sorted positions (a fresh array)
   * @throws ConvEinsumException when there are more than {@value #MAX_LISTED} of them
   */
  public int[] positions(long holderMask) {
    checkMask(holderMask);
    if (lattice != null) {
      List<LatticeSets.Rect> kept = kept(holderMask);
      long count = LatticeSets.count(kept);
      refuseListing(count);
      return Arrays.stream(lattice.elements(kept)).mapToInt(x -> (int) x).toArray();
    }
    return brute().positions(holderMask).clone();
  }

  /** Positions are listed only up to this many (the planner never lists them). */
  public static final int MAX_LISTED = 1 << 26;

  private void refuseListing(long count) {
    if (count > MAX_LISTED) {
      throw new ConvEinsumException("convolution index '" + name + "' keeps " + count
          + " positions; listing them does not fit the limit of " + MAX_LISTED);
    }
  }

  /**
   * Where an operand holding the given holders keeps its positions, as a progression that covers
   * them: the first, the gcd of their differences (1 for one position) and the count from the
   * first to the last in that step. Costs no more than the structure of the index (it does not
   * list the positions).
   *
   * @param holderMask bit r set when holder r is in the operand
   * @return {@code {first, step, count}}; {@code {0, 1, 0}} when nothing is kept
   */
  public long[] hull(long holderMask) {
    checkMask(holderMask);
    if (lattice != null) {
      List<LatticeSets.Rect> kept = kept(holderMask);
      if (kept.isEmpty()) {
        return new long[] {0, 1, 0};
      }
      long first = lattice.min(kept);
      long last = lattice.max(kept);
      long step = Math.max(1, lattice.gcdStep(kept));
      return new long[] {first, step, (last - first) / step + 1};
    }
    int[] p = brute().positions(holderMask);
    if (p.length == 0) {
      return new long[] {0, 1, 0};
    }
    long step = 0;
    for (int x : p) {
      step = LatticeSets.gcd(step, x - p[0]);
    }
    step = Math.max(step, 1);
    return new long[] {p[0], step, (p[p.length - 1] - p[0]) / step + 1};
  }

  private void checkMask(long holderMask) {
    if (holderMask == 0 || (holderMask & ~allHolders()) != 0) {
      throw new IllegalArgumentException("bad holder mask " + Long.toBinaryString(holderMask));
    }
  }

  /**
   * Returns how many elements an operand holding the given holders stores along the index: a
   * single holder keeps all its taps; all holders give the output length; otherwise the count of
   * {@link #positions(long)}.
   */
  public int storedLength(long holderMask) {
    if (Long.bitCount(holderMask) == 1) {
      return lengths[Long.numberOfTrailingZeros(holderMask)];
    }
    if (holderMask == allHolders()) {
      return outputLength;
    }
    checkMask(holderMask);
    if (lattice != null) {
      return (int) LatticeSets.count(kept(holderMask));
    }
    return brute().positions(holderMask).length;
  }

  /**
   * Returns the number of (position in U, position in V) pairs a step multiplies along this
   * index: those whose sum is kept by the result. Computed in closed form: for two holders by
   * floor sums over the filter taps, otherwise on the rectangles of {@link LatticeSets}.
   *
   * @param maskU holders in the first operand (not empty)
   * @param maskV holders in the second operand (not empty, disjoint from the first)
   */
  public long pairs(long maskU, long maskV) {
    checkMask(maskU);
    checkMask(maskV);
    if ((maskU & maskV) != 0) {
      throw new IllegalArgumentException("overlapping holder masks");
    }
    if (holders.length == 2) {
      long c = twoWay;
      if (c < 0) {
        c = twoWayPairs();
        twoWay = c;
      }
      return c;
    }
    if (lattice != null) {
      return latticePairs(maskU, maskV);
    }
    return pairCache.computeIfAbsent(new PairShape(shape(maskU), shape(maskV)),
        k -> brute().pairs(maskU, maskV));
  }

  // ---- the closed forms ------------------------------------------------------------------

  /**
   * The kept full positions as windows {@code {start, count}} of step {@code stride}: one window
   * without wrap, one per turn of the circle with CIRCULAR padding (at most m + 2).
   */
  private static List<long[]> windows(long full, long crop, long offset, long stride,
      boolean circular) {
    List<long[]> out = new ArrayList<>();
    long wFrom = circular ? Math.floorDiv(-offset, crop) : 0;
    long wTo = circular ? Math.floorDiv(full - 1 - offset, crop) : 0;
    for (long w = wFrom; w <= wTo; w++) {
      long base = offset + w * crop;
      long lo = Math.max(0, base);
      long hi = Math.min(full - 1, base + crop - 1);
      if (lo > hi) {
        continue;
      }
      long start = lo + Math.floorMod(base - lo, stride);
      if (start <= hi) {
        out.add(new long[] {start, (hi - start) / stride + 1});
      }
    }
    return out;
  }

  /**
   * Pairs of the one step of a two-operand convolution: sum over filter taps b of the signal
   * taps u in [0, n1) with u + d*b kept, each window by floor sums (O(log) per window).
   */
  private long twoWayPairs() {
    long sigMax = lengths[0] - 1L;
    long taps = lengths[1] - 1L;
    long d = spec.dilation();
    long s = spec.stride();
    long total = 0;
    for (long[] w : windows) {
      long lo = w[0];
      long hi = w[0] + (w[1] - 1) * s;
      long c = w[0];
      long bMin = Math.max(0, ceilDiv(lo - sigMax, d));
      long bMax = Math.min(taps, Math.floorDiv(hi, d));
      if (bMin > bMax) {
        continue;
      }
      // For b < bLow the lowest signal tap is lo - d*b, else 0; for b < bHigh the highest is
      // the last signal tap, else hi - d*b.
      long bLow = Math.min(Math.max(ceilDiv(lo, d), bMin), bMax + 1);
      long bHigh = Math.min(Math.max(ceilDiv(hi - sigMax, d), bMin), bMax + 1);
      // sum of floor((H - c + d*b) / s)
      total += LatticeSets.floorSum(bMin, bHigh - 1, d, sigMax - c, s);
      total += (bMax - bHigh + 1) * Math.floorDiv(hi - c, s);
      // minus sum of floor((L - 1 - c + d*b) / s)
      total -= (bLow - bMin) * Math.floorDiv(lo - 1 - c, s);
      total -= LatticeSets.floorSum(bLow, bMax, d, -1 - c, s);
    }
    return total;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /**
   * The sets below depend on a holder mask only through whether it holds the signal and how many
   * filter taps (sum of n_r - 1) it holds, so they are cached by that shape: planning m holders
   * computes a few sets per distinct tap count, not one per subset.
   */
  private static final class Shape {
    private final boolean signal;
    private final long taps;

    Shape(boolean signal, long taps) {
      this.signal = signal;
      this.taps = taps;
    }

    boolean signal() {
      return signal;
    }

    long taps() {
      return taps;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape s && s.signal == signal && s.taps == taps;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(taps * 2 + (signal ? 1 : 0));
    }
  }

  private static final class PairShape {
    private final Shape u;
    private final Shape v;

    PairShape(Shape u, Shape v) {
      this.u = u;
      this.v = v;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PairShape p && p.u.equals(u) && p.v.equals(v);
    }

    @Override
    public int hashCode() {
      return u.hashCode() * 31 + v.hashCode();
    }
  }

  private Shape shape(long mask) {
    long taps = 0;
    for (long f = mask & ~1L; f != 0; f &= f - 1) {
      taps += lengths[Long.numberOfTrailingZeros(f)] - 1L;
    }
    return new Shape((mask & 1) != 0, taps);
  }

  /** The Minkowski sum of the real taps of the holders in the mask ({0} for none). */
  private List<LatticeSets.Rect> sums(long mask) {
    return sums(shape(mask));
  }

  private List<LatticeSets.Rect> sums(Shape sh) {
    return sumsCache.computeIfAbsent(sh, k -> lattice.sum(
        lattice.interval(0, k.signal() ? lengths[0] - 1L : 0),
        lattice.progression(0, spec.dilation(), k.taps() + 1)));
  }

  /** The kept positions of an operand with these holders: its sums that can reach the output. */
  private List<LatticeSets.Rect> kept(long mask) {
    return kept(shape(mask), shape(allHolders() & ~mask));
  }

  private List<LatticeSets.Rect> kept(Shape in, Shape rest) {
    return keptCache.computeIfAbsent(in, k -> {
      List<LatticeSets.Rect> reach = !rest.signal() && rest.taps() == 0 ? keptOutput
          : lattice.sum(keptOutput, lattice.negate(sums(rest)));
      return lattice.intersect(sums(k), reach);
    });
  }

  private long latticePairs(long maskU, long maskV) {
    Shape u = shape(maskU);
    Shape v = shape(maskV);
    Shape w = shape(maskU | maskV);
    Shape rest = shape(allHolders() & ~(maskU | maskV));
    return pairCache.computeIfAbsent(new PairShape(u, v),
        k -> lattice.pairs(sums(u), sums(v), kept(w, rest)));
  }

  private BruteSets brute() {
    BruteSets b = brute;
    if (b == null) {
      if (fullLength > BRUTE_LIMIT) {
        throw new ConvEinsumException("convolution index '" + name + "' with stride "
            + spec.stride() + " and dilation " + spec.dilation() + " shared by "
            + holders.length + " operands spans " + fullLength + " positions; planning it"
            + " position by position does not fit the limit of " + BRUTE_LIMIT
            + " (stride and dilation share no small period); use stride 1 or dilation 1,"
            + " shorter operands, or fewer operands on the index");
      }
      b = new BruteSets(this);
      brute = b;
    }
    return b;
  }

  @Override
  public String toString() {
    return "ConvGeometry[" + name + ": holders " + Arrays.toString(holders) + ", lengths "
        + Arrays.toString(lengths) + ", " + spec + ", L_full " + fullLength + ", L " + cropLength
        + ", offset " + offset + ", out " + outputLength + "]";
  }
}
