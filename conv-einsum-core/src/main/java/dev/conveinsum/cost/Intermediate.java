package dev.conveinsum.cost;

import java.util.Arrays;
import java.util.BitSet;

/**
 * One tensor of a contraction: an input operand (a leaf) or the result of a pairwise step,
 * described by what the cost model needs: which inputs it combines, the indices it keeps, how
 * many of the holders of each convolution index it has absorbed, its element count and whether
 * it needs a gradient. Instances are immutable and made by {@link CostModel}.
 */
public final class Intermediate {
  private final long[] leaves;
  private final int[] indices;
  private final long[] convMasks;
  private final long[] ellipsisSizes;
  private final long size;
  private final boolean needsGrad;
  private final int hash;

  Intermediate(long[] leaves, int[] indices, long[] convMasks, long[] ellipsisSizes, long size,
      boolean needsGrad) {
    this.leaves = leaves;
    this.indices = indices;
    this.convMasks = convMasks;
    this.ellipsisSizes = ellipsisSizes;
    this.size = size;
    this.needsGrad = needsGrad;
    this.hash = Arrays.hashCode(leaves);
  }

  long[] leafWords() {
    return leaves;
  }

  int[] indexArray() {
    return indices;
  }

  long convMask(int slot) {
    return convMasks[slot];
  }

  long[] convMaskArray() {
    return convMasks;
  }

  long ellipsisSize(int dim) {
    return ellipsisSizes[dim];
  }

  long[] ellipsisArray() {
    return ellipsisSizes;
  }

  /** Returns the input operands this tensor combines, as a set of 0-based positions. */
  public BitSet leaves() {
    return BitSet.valueOf(leaves);
  }

  /**
   * Returns the input operands as a bit mask (bit k for operand k).
   *
   * @throws IllegalStateException when the expression has more than 64 operands
   */
  public long leafMask() {
    for (int w = 1; w < leaves.length; w++) {
      if (leaves[w] != 0) {
        throw new IllegalStateException("more than 64 operands: no single-word mask");
      }
    }
    return leaves.length == 0 ? 0 : leaves[0];
  }

  /** Returns how many input operands this tensor combines. */
  public int leafCount() {
    int c = 0;
    for (long w : leaves) {
      c += Long.bitCount(w);
    }
    return c;
  }

  /** Returns whether this is an input operand rather than an intermediate. */
  public boolean isLeaf() {
    return leafCount() == 1;
  }

  /** Returns the ids of the indices this tensor keeps, ascending (see {@code BoundExpression}). */
  public int[] indices() {
    return indices.clone();
  }

  /** Returns whether this tensor keeps the index. */
  public boolean hasIndex(int id) {
    return Arrays.binarySearch(indices, id) >= 0;
  }

  /** Returns the element count (saturated at {@code Long.MAX_VALUE}). */
  public long size() {
    return size;
  }

  /** Returns whether this tensor is, or contains, a trainable input (needs a gradient). */
  public boolean needsGrad() {
    return needsGrad;
  }

  /** Two intermediates are equal when they combine the same inputs. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Intermediate other && Arrays.equals(leaves, other.leaves);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Returns the inputs and kept index ids, for debugging. */
  @Override
  public String toString() {
    return "Intermediate" + leaves() + Arrays.toString(indices) + " size " + size;
  }
}
