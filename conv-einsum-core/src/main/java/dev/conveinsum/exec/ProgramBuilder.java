package dev.conveinsum.exec;

import dev.conveinsum.engine.ForwardProgram;
import java.util.ArrayList;
import java.util.List;

/** Collects slots and instructions while a program is compiled; data-movement helpers. */
final class ProgramBuilder {
  final List<Layout> layouts = new ArrayList<>();
  final List<Op> ops = new ArrayList<>();
  /**
   * Whether the program must use only the instructions {@link ForwardProgram} documents, so that
   * another backend can run it: no in-place depthwise kernels, which only {@code Engine}
   * implementations run.
   */
  final boolean portable;

  ProgramBuilder() {
    this(false);
  }

  ProgramBuilder(boolean portable) {
    this.portable = portable;
  }

  int slot(Layout l) {
    layouts.add(l);
    return layouts.size() - 1;
  }

  Layout layout(int slot) {
    return layouts.get(slot);
  }

  int add(Op op) {
    ops.add(op);
    return op.output();
  }

  /** Gather into a new slot of the given layout; tables are per output axis. */
  int gather(int in, Layout out, int[][] tables) {
    int s = slot(out);
    return add(new LinearMap(in, s, true, out.dims.clone(), tables, out.size(),
        new ForwardProgram.Instruction.Gather(in, s, tables)));
  }

  /** A gather whose meaning {@code what} names, given the new slot. */
  private int gather(int in, Layout out, int[][] tables,
      java.util.function.IntFunction<ForwardProgram.Instruction> what) {
    int s = slot(out);
    return add(new LinearMap(in, s, true, out.dims.clone(), tables, out.size(), what.apply(s)));
  }

  /** Scatter-add into a new zeroed slot; tables are per input axis; {@code what} names it. */
  private int scatter(int in, Layout out, int[][] tables,
      java.util.function.IntFunction<ForwardProgram.Instruction> what) {
    int s = slot(out);
    return add(new LinearMap(in, s, false, layout(in).dims.clone(), tables, out.size(),
        what.apply(s)));
  }

  /** Reorders the axes to the given id order; no instruction when already in that order. */
  int permute(int in, int[] order) {
    Layout l = layout(in);
    if (java.util.Arrays.equals(l.ids, order)) {
      return in;
    }
    Layout out = l.select(order);
    int[] stride = l.strides();
    int[][] tables = new int[order.length][];
    int[] axes = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      int a = l.axisOf(order[i]);
      axes[i] = a;
      tables[i] = ramp(out.dims[i], stride[a], 0);
    }
    return gather(in, out, tables, s -> new ForwardProgram.Instruction.Permute(in, s, axes));
  }

  /** Sums over axis {@code a}. */
  int reduce(int in, int a) {
    Layout l = layout(in);
    Layout out = l.without(a);
    int[] os = out.strides();
    int[][] tables = new int[l.rank()][];
    for (int i = 0, j = 0; i < l.rank(); i++) {
      tables[i] = i == a ? new int[l.dims[i]] : ramp(l.dims[i], os[j++], 0);
    }
    return scatter(in, out, tables, s -> new ForwardProgram.Instruction.Reduce(in, s, a));
  }

  /** Reverses axis {@code a}; its positions become {@code start + step*(n-1)} with -step. */
  int reverse(int in, int a) {
    Layout l = layout(in);
    int n = l.dims[a];
    Layout out = l.withAxis(a, n, l.positioned[a], l.start[a] + l.step[a] * (n - 1), -l.step[a]);
    int[] stride = l.strides();
    int[][] tables = new int[l.rank()][];
    for (int i = 0; i < l.rank(); i++) {
      tables[i] = ramp(l.dims[i], stride[i], 0);
    }
    int[] t = new int[n];
    for (int e = 0; e < n; e++) {
      t[e] = (n - 1 - e) * stride[a];
    }
    tables[a] = t;
    return gather(in, out, tables, s -> new ForwardProgram.Instruction.Reverse(in, s, a));
  }

  /** Inserts {@code factor - 1} zeros between elements along axis {@code a}. */
  int dilate(int in, int a, int factor) {
    Layout l = layout(in);
    int n = l.dims[a];
    Layout out = l.withAxis(a, (n - 1) * factor + 1, l.positioned[a], l.start[a],
        l.step[a] / factor);
    int[] os = out.strides();
    int[][] tables = new int[l.rank()][];
    for (int i = 0; i < l.rank(); i++) {
      tables[i] = ramp(l.dims[i], os[i] * (i == a ? factor : 1), 0);
    }
    return scatter(in, out, tables,
        s -> new ForwardProgram.Instruction.Dilate(in, s, a, factor));
  }

  /** Folds axis {@code a} modulo {@code period}: element e goes to floorMod(e + shift, period). */
  int fold(int in, int a, int shift, int period) {
    Layout l = layout(in);
    Layout out = l.withAxis(a, period, l.positioned[a], 0, 1);
    int[] os = out.strides();
    int[][] tables = new int[l.rank()][];
    for (int i = 0; i < l.rank(); i++) {
      tables[i] = ramp(l.dims[i], os[i], 0);
    }
    int[] t = new int[l.dims[a]];
    for (int e = 0; e < t.length; e++) {
      t[e] = Math.floorMod(e + shift, period) * os[a];
    }
    tables[a] = t;
    return scatter(in, out, tables,
        s -> new ForwardProgram.Instruction.Fold(in, s, a, shift, period));
  }

  /** Broadcasts a new axis of the given length at position {@code a} (all copies equal). */
  int broadcast(int in, int a, int id, int len, boolean pos, int start, int step) {
    Layout l = layout(in);
    Layout out = l.insert(a, id, len, pos, start, step);
    int[] stride = l.strides();
    int[][] tables = new int[out.rank()][];
    for (int i = 0, j = 0; i < out.rank(); i++) {
      tables[i] = i == a ? new int[len] : ramp(out.dims[i], stride[j++], 0);
    }
    return gather(in, out, tables);
  }

  /** The same buffer with another layout of equal dimensions. */
  int alias(int in, Layout l) {
    return add(new AliasOp(in, slot(l)));
  }

  static int[] ramp(int n, int stride, int base) {
    int[] t = new int[n];
    for (int e = 0; e < n; e++) {
      t[e] = base + e * stride;
    }
    return t;
  }
}
