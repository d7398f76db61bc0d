package dev.conveinsum.exec;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.engine.ForwardProgram;
import dev.conveinsum.exec.StepCompiler.OutAxis;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.geometry.ConvGeometry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a bound expression and a path into a {@link Program}: operand preparation
 * (diagonals, broadcasting, self-sums), one generalised step per pair of the path, and the
 * final permutation; optionally the reverse-mode program for gradients.
 */
final class Lowering {
  private Lowering() {}

  /** A compiled forward and (optionally) backward program over one slot space. */
  record Compiled(Program program, int forwardOps, int gradOutputSlot, int[] gradSlots,
      int[] backwardGroup, int[][] groupNeeds) {}

  static Compiled compile(BoundExpression b, int[][] path, boolean[] trainable) {
    return compile(b, path, trainable, false);
  }

  /** Compiles; {@code portable} keeps to the instructions {@link ForwardProgram} documents. */
  static Compiled compile(BoundExpression b, int[][] path, boolean[] trainable,
      boolean portable) {
    ProgramBuilder pb = new ProgramBuilder(portable);
    int n = b.operandCount();
    int[] leaves = new int[n];
    for (int k = 0; k < n; k++) {
      leaves[k] = pb.slot(leafLayout(b, k));
    }
    List<Integer> live = new ArrayList<>();
    List<Long> liveOperands = new ArrayList<>();
    int[] outIds = b.outputIndices();
    for (int k = 0; k < n; k++) {
      live.add(prepare(pb, b, k, leaves[k]));
      liveOperands.add(1L << k);
    }
    if (n > 64) {
      throw new ConvEinsumException("at most 64 operands can be evaluated; got " + n);
    }
    if (path.length != Math.max(0, n - 1)) {
      throw new ConvEinsumException("a path for " + n + " operands has " + Math.max(0, n - 1)
          + " steps; got " + path.length);
    }
    for (int[] pair : path) {
      int i = pair[0];
      int j = pair[1];
      if (pair.length != 2 || i == j || i < 0 || j < 0 || i >= live.size()
          || j >= live.size()) {
        throw new ConvEinsumException("path step " + java.util.Arrays.toString(pair)
            + " is not a pair of distinct positions below " + live.size());
      }
      int u = live.get(i);
      int v = live.get(j);
      long opsU = liveOperands.get(i);
      long opsV = liveOperands.get(j);
      List<Integer> rest = new ArrayList<>();
      List<Long> restOps = new ArrayList<>();
      for (int p = 0; p < live.size(); p++) {
        if (p != i && p != j) {
          rest.add(live.get(p));
          restOps.add(liveOperands.get(p));
        }
      }
      Layout lu = pb.layout(u);
      Layout lv = pb.layout(v);
      Map<Integer, OutAxis> conv = new LinkedHashMap<>();
      List<Integer> keep = new ArrayList<>();
      for (Layout l : new Layout[] {lu, lv}) {
        for (int id : l.ids) {
          if (keep.contains(id) || conv.containsKey(id)) {
            continue;
          }
          boolean needed = StepCompiler.contains(outIds, id);
          for (int r : rest) {
            needed |= pb.layout(r).has(id);
          }
          ConvGeometry g = b.geometry(id);
          if (g != null && lu.has(id) && lv.has(id)) {
            conv.put(id, outAxis(g, holderMask(g, opsU | opsV)));
          }
          if (needed) {
            keep.add(id);
          }
        }
      }
      int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
      // The last step writes the output order directly when its kernel can.
      boolean last = rest.isEmpty() && kept.length == outIds.length
          && java.util.Arrays.stream(kept).allMatch(id -> StepCompiler.contains(outIds, id));
      int w = StepCompiler.pairStep(pb, u, v, last ? outIds : kept, last, conv);
      rest.add(w);
      restOps.add(opsU | opsV);
      live = rest;
      liveOperands = restOps;
    }
    int result = pb.permute(live.get(0), outIds);
    Layout rl = pb.layout(result);
    for (int a = 0; a < outIds.length; a++) {
      if (rl.dims[a] != b.size(outIds[a])) {
        throw new IllegalStateException("internal: output axis " + a + " has " + rl.dims[a]
            + " elements, expected " + b.size(outIds[a]));
      }
    }
    int forwardOps = pb.ops.size();
    if (trainable == null) {
      Program p = new Program(pb.layouts, pb.ops, leaves, result, forwardOps);
      return new Compiled(p, forwardOps, -1, null, null, null);
    }
    return backward(pb, leaves, result, forwardOps, trainable);
  }

  private static long holderMask(ConvGeometry g, long operands) {
    long m = 0;
    for (int r = 0; r < g.holderCount(); r++) {
      if ((operands & (1L << g.holder(r))) != 0) {
        m |= 1L << r;
      }
    }
    return m;
  }

  /** Where an intermediate holding the given holders keeps its positions (hull, gcd step). */
  private static OutAxis outAxis(ConvGeometry g, long mask) {
    if (mask == g.allHolders()) {
      return new OutAxis(g.offset(), g.spec().stride(), g.outputLength(),
          g.circular() ? g.cropLength() : 0);
    }
    long[] h = g.hull(mask);
    if (h[2] == 0) {
      return new OutAxis(0, 1, 1, 0);
    }
    return new OutAxis((int) h[0], (int) h[1], Math.toIntExact(h[2]), 0);
  }

  private static Layout leafLayout(BoundExpression b, int k) {
    int[] ids = b.operandIndices(k);
    long[] shape = b.shape(k);
    int[] dims = new int[ids.length];
    for (int a = 0; a < ids.length; a++) {
      dims[a] = Math.toIntExact(shape[a]);
    }
    Layout l = Layout.plain(ids, dims);
    for (int a = 0; a < ids.length; a++) {
      ConvGeometry g = b.geometry(ids[a]);
      if (g != null) {
        int r = g.rankOf(k);
        int n = dims[a];
        int p0 = g.realPosition(r, 0);
        int step = n > 1 ? g.realPosition(r, 1) - p0 : 1;
        l = l.withAxis(a, n, true, p0, step);
      }
    }
    return l;
  }

  /** Diagonals, broadcasting of size-1 ellipsis dimensions, and sums no one else needs. */
  private static int prepare(ProgramBuilder pb, BoundExpression b, int k, int slot) {
    Layout l = pb.layout(slot);
    int[] stride = l.strides();
    List<Integer> distinct = new ArrayList<>();
    for (int id : l.ids) {
      if (!distinct.contains(id)) {
        distinct.add(id);
      }
    }
    boolean broadcast = false;
    for (int a = 0; a < l.rank(); a++) {
      broadcast |= l.dims[a] == 1 && b.size(l.ids[a]) > 1 && !b.isConv(l.ids[a]);
    }
    if (distinct.size() < l.rank() || broadcast) {
      int[] ids = distinct.stream().mapToInt(Integer::intValue).toArray();
      Layout out = l.select(ids);
      int[][] tables = new int[ids.length][];
      for (int i = 0; i < ids.length; i++) {
        int id = ids[i];
        int a0 = l.axisOf(id);
        boolean bc = l.dims[a0] == 1 && b.size(id) > 1 && !b.isConv(id);
        int len = bc ? Math.toIntExact(b.size(id)) : l.dims[a0];
        int s = 0;
        for (int a = 0; a < l.rank(); a++) {
          if (l.ids[a] == id) {
            s += stride[a];
          }
        }
        out = out.withAxis(i, len, out.positioned[i], out.start[i], out.step[i]);
        tables[i] = ProgramBuilder.ramp(len, bc ? 0 : s, 0);
      }
      slot = pb.gather(slot, out, tables);
    }
    int[] out = b.outputIndices();
    boolean again = true;
    while (again) {
      again = false;
      Layout cur = pb.layout(slot);
      for (int a = 0; a < cur.rank(); a++) {
        int id = cur.ids[a];
        boolean elsewhere = StepCompiler.contains(out, id);
        for (int o = 0; o < b.operandCount() && !elsewhere; o++) {
          elsewhere = o != k && StepCompiler.contains(b.operandIndices(o), id);
        }
        if (!elsewhere) {
          slot = pb.reduce(slot, a);
          again = true;
          break;
        }
      }
    }
    return slot;
  }

  private static Compiled backward(ProgramBuilder pb, int[] leaves, int result, int forwardOps,
      boolean[] trainable) {
    int forwardSlots = pb.layouts.size();
    boolean[] requires = new boolean[forwardSlots];
    for (int k = 0; k < leaves.length; k++) {
      requires[leaves[k]] = trainable[k];
    }
    for (Op op : pb.ops) {
      for (int s : op.inputs()) {
        requires[op.output()] |= requires[s];
      }
    }
    Map<Integer, Integer> grads = new HashMap<>();
    int gradOut = pb.slot(pb.layout(result));
    grads.put(result, gradOut);
    List<Op> forward = new ArrayList<>(pb.ops);
    List<Integer> groupOf = new ArrayList<>();
    List<int[]> needs = new ArrayList<>();
    for (int i = forward.size() - 1; i >= 0; i--) {
      Op op = forward.get(i);
      Integer g = grads.get(op.output());
      if (g == null) {
        continue;
      }
      int before = pb.ops.size();
      int[] need = new int[0];
      if (op instanceof LinearMap m && requires[m.in]) {
        int gi = pb.add(m.transpose(g, pb.slot(pb.layout(m.in)), pb.layout(m.in).size()));
        accumulate(pb, grads, m.in, gi);
      } else if (op instanceof AliasOp a && requires[a.in()]) {
        accumulate(pb, grads, a.in(), pb.alias(g, pb.layout(a.in())));
      } else if (op instanceof KernelOp k) {
        need = new int[] {k.x, k.f};
        if (requires[k.x]) {
          accumulate(pb, grads, k.x, convGrad(pb, g, k.f, k.x, k));
        }
        if (requires[k.f] && k.depthwise != null) {
          // a depthwise filter's gradient: per tap, dot products of dY with the shifted input,
          // both read in place
          int df = pb.add(KernelOp.filterGradient(k.x, g, pb.slot(pb.layout(k.f)), k.depthwise));
          accumulate(pb, grads, k.f, df);
        } else if (requires[k.f] && k.oneTapIds.length > 0) {
          accumulate(pb, grads, k.f, oneTapFilterGrad(pb, g, k));
        } else if (requires[k.f]) {
          accumulate(pb, grads, k.f, convGrad(pb, g, k.x, k.f, k));
        }
      }
      for (int o = before; o < pb.ops.size(); o++) {
        groupOf.add(needs.size());
      }
      needs.add(need);
    }
    int[] gradSlots = new int[leaves.length];
    for (int k = 0; k < leaves.length; k++) {
      Integer g = grads.get(leaves[k]);
      gradSlots[k] = g == null ? -1 : g;
    }
    Program p = new Program(pb.layouts, pb.ops, leaves, result, forwardOps);
    return new Compiled(p, forwardOps, gradOut, gradSlots,
        groupOf.stream().mapToInt(Integer::intValue).toArray(), needs.toArray(int[][]::new));
  }

  /** Gradient of a kernel operand: the output gradient convolved with the other operand. */
  private static int convGrad(ProgramBuilder pb, int gradY, int other, int target, KernelOp k) {
    Layout lo = pb.layout(other);
    Layout negated = lo.select(lo.ids);
    Layout lt = pb.layout(target);
    Map<Integer, OutAxis> conv = new LinkedHashMap<>();
    for (int i = 0; i < k.convIds.length; i++) {
      int id = k.convIds[i];
      int a = lo.axisOf(id);
      negated = negated.withAxis(a, lo.dims[a], true, -lo.start[a], -lo.step[a]);
      int t = lt.axisOf(id);
      conv.put(id, new OutAxis(lt.start[t], lt.step[t], lt.dims[t], k.periods[i]));
    }
    int neg = pb.alias(other, negated);
    return StepCompiler.pairStep(pb, gradY, neg, lt.ids, true, conv);
  }

  /**
   * The filter gradient of a step that ran free axes of X as one-tap convolved axes: those axes
   * are summed (as in a plain step), not convolved to length one, and the result is viewed with
   * the filter's size-1 axes.
   */
  private static int oneTapFilterGrad(ProgramBuilder pb, int gradY, KernelOp k) {
    Layout lf = pb.layout(k.f);
    Layout target = lf;
    for (int id : k.oneTapIds) {
      target = target.without(target.axisOf(id));
    }
    Layout lo = pb.layout(k.x);
    Layout negated = lo.select(lo.ids);
    Map<Integer, OutAxis> conv = new LinkedHashMap<>();
    for (int i = 0; i < k.convIds.length; i++) {
      int id = k.convIds[i];
      if (StepCompiler.contains(k.oneTapIds, id)) {
        continue;
      }
      int a = lo.axisOf(id);
      negated = negated.withAxis(a, lo.dims[a], true, -lo.start[a], -lo.step[a]);
      int t = lf.axisOf(id);
      conv.put(id, new OutAxis(lf.start[t], lf.step[t], lf.dims[t], k.periods[i]));
    }
    int neg = pb.alias(k.x, negated);
    int gf = StepCompiler.pairStep(pb, gradY, neg, target.ids, true, conv);
    return pb.alias(gf, lf);
  }

  private static void accumulate(ProgramBuilder pb, Map<Integer, Integer> grads, int slot,
      int grad) {
    Integer old = grads.get(slot);
    if (old == null) {
      grads.put(slot, grad);
      return;
    }
    Layout l = pb.layout(slot);
    int sum = pb.slot(l);
    pb.add(new AddOp(old, grad, sum, l.size()));
    grads.put(slot, sum);
  }
}
