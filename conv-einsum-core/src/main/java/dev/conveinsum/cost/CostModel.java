package dev.conveinsum.cost;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.IndexKind;
import dev.conveinsum.geometry.ConvGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The cost model of SPEC section 4 on a bound expression: FLOPs and training FLOPs of a pairwise
 * step and of a whole path, and the element count of every intermediate.
 *
 * <p>The cost of a step depends only on which inputs its two operands combine: an intermediate
 * keeps exactly the indices still needed (in the output or in an input not yet combined), a
 * convolution index held by only one side counts as an ordinary index with that side's stored
 * length, and along a convolution index held by both sides the step multiplies the pairs that
 * {@link ConvGeometry#pairs(long, long)} counts. That is what makes subset dynamic programming
 * exact. All figures saturate at {@code Long.MAX_VALUE} ({@link CostMath}). Instances are
 * immutable and thread-safe.
 */
public final class CostModel {
  private final BoundExpression bound;
  private final int n;
  private final int words;
  private final int ellipsis;
  private final int[] convSlot;
  private final ConvGeometry[] geometry;
  private final boolean[] inOutput;
  private final long[][] holderLeaves;
  private final long[] sizes;
  private final Intermediate[] leaves;
  private final boolean allTrainable;

  /**
   * Creates the model with every input trainable.
   *
   * @param bound the expression bound to shapes
   */
  public CostModel(BoundExpression bound) {
    this(bound, null);
  }

  /**
   * Creates the model.
   *
   * @param bound the expression bound to shapes
   * @param trainable 0-based positions of the inputs that need gradients, or null for all
   * @throws ConvEinsumException when a trainable position is out of range
   */
  public CostModel(BoundExpression bound, Set<Integer> trainable) {
    this.bound = bound;
    this.n = bound.operandCount();
    this.words = Math.max(1, (n + 63) / 64);
    this.ellipsis = bound.ellipsisDims();
    int ids = bound.indexCount();
    convSlot = new int[ids];
    List<ConvGeometry> geo = new ArrayList<>();
    inOutput = new boolean[ids];
    sizes = new long[ids];
    for (int id = 0; id < ids; id++) {
      convSlot[id] = -1;
      if (bound.isConv(id)) {
        convSlot[id] = geo.size();
        geo.add(bound.geometry(id));
      }
      inOutput[id] = bound.inOutput(id);
      sizes[id] = bound.size(id);
    }
    geometry = geo.toArray(ConvGeometry[]::new);
    holderLeaves = new long[ids][words];
    for (int k = 0; k < n; k++) {
      for (int id : bound.operandIndices(k)) {
        holderLeaves[id][k >>> 6] |= 1L << (k & 63);
      }
    }
    if (trainable != null) {
      for (int t : trainable) {
        if (t < 0 || t >= n) {
          throw new ConvEinsumException("trainable operand " + t + " is out of range: the"
              + " expression has " + n + " operand" + (n == 1 ? "" : "s") + " (0.." + (n - 1)
              + ")");
        }
      }
    }
    allTrainable = trainable == null;
    leaves = new Intermediate[n];
    for (int k = 0; k < n; k++) {
      leaves[k] = makeLeaf(k, trainable == null || trainable.contains(k));
    }
  }

  private Intermediate makeLeaf(int k, boolean grad) {
    int[] axes = bound.operandIndices(k);
    long[] shape = bound.shape(k);
    int[] ids = Arrays.stream(axes).distinct().sorted().toArray();
    long[] masks = new long[geometry.length];
    long[] ell = new long[ellipsis];
    for (int a = 0; a < axes.length; a++) {
      int id = axes[a];
      if (convSlot[id] >= 0) {
        masks[convSlot[id]] = 1L << geometry[convSlot[id]].rankOf(k);
      } else if (id < ellipsis) {
        ell[id] = shape[a];
      }
    }
    long size = 1;
    for (long d : shape) {
      size = CostMath.multiply(size, d);
    }
    long[] lv = new long[words];
    lv[k >>> 6] = 1L << (k & 63);
    return new Intermediate(lv, ids, masks, ell, size, grad);
  }

  /** Returns the bound expression. */
  public BoundExpression bound() {
    return bound;
  }

  /** Returns the number of input operands. */
  public int operandCount() {
    return n;
  }

  /** Returns whether every input needs a gradient (no trainable set was given). */
  public boolean allTrainable() {
    return allTrainable;
  }

  /** Returns input operand {@code k} as a leaf of the contraction. */
  public Intermediate leaf(int k) {
    return leaves[k];
  }

  /** Returns whether index {@code id} is still needed by a tensor combining these inputs. */
  private boolean needed(int id, long[] w) {
    if (inOutput[id]) {
      return true;
    }
    long[] h = holderLeaves[id];
    for (int i = 0; i < words; i++) {
      if ((h[i] & ~w[i]) != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns whether combining U with a tensor that shares no index with it sums one of U's
   * indices: one in no other input and not in the output (so the step counts 2x).
   *
   * @param u a tensor of the contraction
   * @return whether U holds an index that such a step sums
   */
  public boolean sumsAlone(Intermediate u) {
    long[] w = u.leafWords();
    for (int id : u.indexArray()) {
      if (!needed(id, w)) {
        return true;
      }
    }
    return false;
  }

  private long[] union(Intermediate u, Intermediate v) {
    long[] a = u.leafWords();
    long[] b = v.leafWords();
    long[] w = new long[words];
    for (int i = 0; i < words; i++) {
      if ((a[i] & b[i]) != 0) {
        throw new IllegalArgumentException("the two operands of a step share an input: " + u
            + " and " + v);
      }
      w[i] = a[i] | b[i];
    }
    return w;
  }

  /**
   * Returns the number of pairs multiplied along a convolution index held by both sides.
   */
  private long pairs(int slot, long maskU, long maskV) {
    return geometry[slot].pairs(maskU, maskV);
  }

  /** Length along index id of a tensor holding it alone (not convolved in this step). */
  private long length(int id, Intermediate t, Intermediate other, boolean inT, boolean inOther) {
    int slot = convSlot[id];
    if (slot >= 0) {
      long mask = inT ? t.convMask(slot) : other.convMask(slot);
      return geometry[slot].storedLength(mask);
    }
    if (id < ellipsis) {
      return Math.max(inT ? t.ellipsisSize(id) : 0, inOther ? other.ellipsisSize(id) : 0);
    }
    return sizes[id];
  }

  /**
   * Returns the forward FLOPs of combining U and V, without building the result.
   *
   * @param u the first operand
   * @param v the second operand (sharing no input with U)
   * @return the saturated FLOP count
   */
  public long flops(Intermediate u, Intermediate v) {
    return count(u, v, null);
  }

  /**
   * Counts one step's FLOPs with a merge of the two sorted index arrays (steps of 1,000-operand
   * paths hold 1,000 indices); {@code parts}, when given, receives the ordinary count, the pair
   * count and whether the step sums (1 or 0).
   */
  private long count(Intermediate u, Intermediate v, long[] parts) {
    long[] w = union(u, v);
    int[] a = u.indexArray();
    int[] b = v.indexArray();
    long ordinary = 1;
    long pairs = 1;
    boolean sums = false;
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      int id;
      boolean inU;
      boolean inV;
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        id = a[i++];
        inU = true;
        inV = false;
      } else if (i >= a.length || b[j] < a[i]) {
        id = b[j++];
        inU = false;
        inV = true;
      } else {
        id = a[i++];
        j++;
        inU = true;
        inV = true;
      }
      int slot = convSlot[id];
      if (slot >= 0 && inU && inV) {
        pairs = CostMath.multiply(pairs, pairs(slot, u.convMask(slot), v.convMask(slot)));
        sums = true;
      } else {
        ordinary = CostMath.multiply(ordinary, inU ? length(id, u, v, true, inV)
            : length(id, v, u, true, false));
        if (!sums && !needed(id, w)) {
          sums = true;
        }
      }
    }
    long f = CostMath.multiply(CostMath.multiply(ordinary, pairs), sums ? 2 : 1);
    if (parts != null) {
      parts[0] = ordinary;
      parts[1] = pairs;
      parts[2] = sums ? 1 : 0;
    }
    return f;
  }

  /**
   * Returns the training FLOPs of combining U and V: forward x (1 + [U needs a gradient] + [V
   * needs a gradient]).
   */
  public long trainFlops(Intermediate u, Intermediate v) {
    return trainFactor(u, v, flops(u, v));
  }

  private static long trainFactor(Intermediate u, Intermediate v, long f) {
    return CostMath.multiply(f, 1 + (u.needsGrad() ? 1 : 0) + (v.needsGrad() ? 1 : 0));
  }

  /** Returns the forward or training FLOPs of combining U and V. */
  public long objective(Intermediate u, Intermediate v, boolean train) {
    return train ? trainFlops(u, v) : flops(u, v);
  }

  /**
   * Returns the tensor that combining U and V writes: the indices still needed, the absorbed
   * convolution holders, and its element count (stored lengths along convolution indices).
   */
  public Intermediate combine(Intermediate u, Intermediate v) {
    long[] w = union(u, v);
    int[] a = u.indexArray();
    int[] b = v.indexArray();
    int[] kept = new int[a.length + b.length];
    int c = 0;
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      int id;
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        id = a[i++];
      } else if (i >= a.length || b[j] < a[i]) {
        id = b[j++];
      } else {
        id = a[i++];
        j++;
      }
      if (needed(id, w)) {
        kept[c++] = id;
      }
    }
    kept = Arrays.copyOf(kept, c);
    long[] masks = u.convMaskArray().clone();
    long[] vm = v.convMaskArray();
    for (int s = 0; s < masks.length; s++) {
      masks[s] |= vm[s];
    }
    long[] ell = u.ellipsisArray().clone();
    long[] ve = v.ellipsisArray();
    for (int e = 0; e < ell.length; e++) {
      ell[e] = Math.max(ell[e], ve[e]);
    }
    long size = 1;
    for (int id : kept) {
      int slot = convSlot[id];
      long len = slot >= 0 ? geometry[slot].storedLength(masks[slot])
          : id < ellipsis ? ell[id] : sizes[id];
      size = CostMath.multiply(size, len);
    }
    return new Intermediate(w, kept, masks, ell, size, u.needsGrad() || v.needsGrad());
  }

  /**
   * Returns the full cost of one step: ordinary and pair counts, whether it sums, FLOPs,
   * training FLOPs and the result.
   */
  public StepCost step(Intermediate u, Intermediate v) {
    long[] parts = new long[3];
    long f = count(u, v, parts);
    return new StepCost(u, v, combine(u, v), parts[0], parts[1], parts[2] == 1, f,
        trainFactor(u, v, f));
  }

  /** Returns the ids held by U or V, ascending. */
  public int[] unionIndices(Intermediate u, Intermediate v) {
    return java.util.stream.IntStream.concat(Arrays.stream(u.indexArray()),
        Arrays.stream(v.indexArray())).distinct().sorted().toArray();
  }

  /**
   * Classifies an index of a step (SPEC section 2): convolution when both sides hold a convolved
   * index, batch or contraction when both hold an ordinary one, free or self-sum when one does.
   *
   * @param u the first operand
   * @param v the second operand
   * @param id an index held by U or V
   * @return its kind in this step
   */
  public IndexKind kind(Intermediate u, Intermediate v, int id) {
    boolean inU = u.hasIndex(id);
    boolean inV = v.hasIndex(id);
    boolean kept = needed(id, union(u, v));
    return IndexKind.of(convSlot[id] >= 0 && inU && inV, inU && inV, kept);
  }

  /**
   * Evaluates a path in opt_einsum notation: each pair names two positions of the current
   * operand list; both are removed and the result appended.
   *
   * @param pairs the steps, each {@code {i, j}}
   * @return the path's cost
   * @throws ConvEinsumException when a position is out of range, repeated, or the path does not
   *     end with one tensor
   */
  public PathCost evaluate(List<int[]> pairs) {
    List<Intermediate> ops = new ArrayList<>(Arrays.asList(leaves));
    List<StepCost> steps = new ArrayList<>();
    long flops = 0;
    long train = 0;
    long largest = 0;
    long written = 0;
    int k = 0;
    for (int[] p : pairs) {
      if (p.length != 2) {
        throw new ConvEinsumException("step " + k + " of the path has " + p.length
            + " positions; each step names two");
      }
      int i = p[0];
      int j = p[1];
      int m = ops.size();
      if (i < 0 || j < 0 || i >= m || j >= m) {
        throw new ConvEinsumException("step " + k + " of the path, [" + i + ", " + j
            + "], names a position out of range: " + m + " operand" + (m == 1 ? " is" : "s are")
            + " left (positions 0.." + (m - 1) + ")");
      }
      if (i == j) {
        throw new ConvEinsumException("step " + k + " of the path, [" + i + ", " + j
            + "], names the same position twice");
      }
      StepCost s = step(ops.get(i), ops.get(j));
      ops.remove(Math.max(i, j));
      ops.remove(Math.min(i, j));
      ops.add(s.result());
      steps.add(s);
      flops = CostMath.add(flops, s.flops());
      train = CostMath.add(train, s.trainFlops());
      largest = Math.max(largest, s.resultSize());
      written = CostMath.add(written, s.resultSize());
      k++;
    }
    if (ops.size() != 1) {
      throw new ConvEinsumException("the path has " + pairs.size() + " step"
          + (pairs.size() == 1 ? "" : "s") + " but " + n + " operand" + (n == 1 ? "" : "s")
          + " need " + (n - 1));
    }
    return new PathCost(steps, flops, train, largest, written);
  }
}
