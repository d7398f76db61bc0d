package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;
import java.util.Arrays;
import java.util.BitSet;
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
 */
public final class ConvGeometry {
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
  private final BitSet keptFull;
  private final ConcurrentHashMap<Long, int[]> positionCache = new ConcurrentHashMap<>();

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
      if (d > (1 << 28)) {
        throw new ConvEinsumException("convolution index '" + name + "' is too long: " + d);
      }
      dilatedLengths[r] = (int) d;
      full += d;
      max = Math.max(max, (int) d);
    }
    fullLength = (int) full;
    int crop;
    int off;
    Padding p = spec.padding();
    switch (p.mode()) {
      case MAX, CIRCULAR -> {
        crop = max;
        off = centre(fullLength, crop, kind);
      }
      case SAME -> {
        crop = lengths[0];
        off = centre(fullLength, crop, kind);
      }
      case FULL -> {
        crop = fullLength;
        off = 0;
      }
      case VALID -> {
        crop = 2 * max - fullLength;
        off = fullLength - max;
        if (crop < 1) {
          throw new ConvEinsumException("VALID convolution along '" + name
              + "' leaves no output: 2*max(n') - L_full = " + 2 * max + " - " + fullLength
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
        if (padded > (1 << 28)) {
          throw new ConvEinsumException("padding " + p + " of index '" + name + "' is too"
              + " long: the padded signal has " + padded + " positions");
        }
        crop = (int) padded - dilatedLengths[1] + 1;
        off = dilatedLengths[1] - 1 - p.left();
        if (crop < 1) {
          throw new ConvEinsumException("padding " + p + " of index '" + name
              + "' leaves no output: signal " + lengths[0] + " + padding " + (p.left() + p.right())
              + " is shorter than the dilated filter " + dilatedLengths[1]);
        }
      }
      default -> throw new IllegalStateException();
    }
    cropLength = crop;
    offset = off;
    outputLength = (crop + spec.stride() - 1) / spec.stride();
    keptFull = new BitSet(fullLength);
    for (int x = 0; x < fullLength; x++) {
      if (outputPosition(x) >= 0) {
        keptFull.set(x);
      }
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
   * @return sorted positions (shared: do not modify)
   */
  public int[] positions(long holderMask) {
    if (holderMask == 0 || (holderMask & ~allHolders()) != 0) {
      throw new IllegalArgumentException("bad holder mask " + Long.toBinaryString(holderMask));
    }
    return positionCache.computeIfAbsent(holderMask, this::computePositions);
  }

  private int[] computePositions(long mask) {
    BitSet in = sums(mask);
    BitSet rest = sums(allHolders() & ~mask);
    BitSet reach = new BitSet(fullLength);
    for (int k = keptFull.nextSetBit(0); k >= 0; k = keptFull.nextSetBit(k + 1)) {
      for (int r = rest.nextSetBit(0); r >= 0 && r <= k; r = rest.nextSetBit(r + 1)) {
        reach.set(k - r);
      }
    }
    in.and(reach);
    return in.stream().toArray();
  }

  /** Minkowski sum of the real positions of the holders in the mask ({0} for none). */
  private BitSet sums(long mask) {
    BitSet acc = new BitSet();
    acc.set(0);
    for (int r = 0; r < holders.length; r++) {
      if ((mask & (1L << r)) == 0) {
        continue;
      }
      BitSet next = new BitSet();
      for (int a = acc.nextSetBit(0); a >= 0; a = acc.nextSetBit(a + 1)) {
        for (int t = 0; t < lengths[r]; t++) {
          next.set(a + realPosition(r, t));
        }
      }
      acc = next;
    }
    return acc;
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
    return positions(holderMask).length;
  }

  /**
   * Returns the number of (position in U, position in V) pairs a step multiplies along this
   * index: those whose sum is kept by the result.
   *
   * @param maskU holders in the first operand (not empty)
   * @param maskV holders in the second operand (not empty, disjoint from the first)
   */
  public long pairs(long maskU, long maskV) {
    int[] u = positions(maskU);
    int[] v = positions(maskV);
    int[] w = positions(maskU | maskV);
    BitSet keep = new BitSet(fullLength);
    for (int x : w) {
      keep.set(x);
    }
    long count = 0;
    for (int a : u) {
      for (int b : v) {
        if (keep.get(a + b)) {
          count++;
        }
      }
    }
    return count;
  }

  @Override
  public String toString() {
    return "ConvGeometry[" + name + ": holders " + Arrays.toString(holders) + ", lengths "
        + Arrays.toString(lengths) + ", " + spec + ", L_full " + fullLength + ", L " + cropLength
        + ", offset " + offset + ", out " + outputLength + "]";
  }
}
