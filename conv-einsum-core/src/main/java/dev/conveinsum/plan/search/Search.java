package dev.conveinsum.plan.search;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Helpers the optimizers share: trees to paths, graph structure, memory-limit errors. */
final class Search {
  /** Up to this many operands the smallest achievable largest intermediate is exact. */
  static final int EXACT_MEMORY_LIMIT = 12;

  private Search() {}

  /** Converts a contraction tree (split of every internal subset) to an opt_einsum path. */
  static Path toPath(int n, long root, Map<Long, Long> split) {
    List<long[]> steps = new ArrayList<>();
    emit(root, split, steps);
    List<Long> ops = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ops.add(1L << k);
    }
    List<int[]> pairs = new ArrayList<>();
    for (long[] s : steps) {
      int i = ops.indexOf(s[0]);
      int j = ops.indexOf(s[1]);
      pairs.add(new int[] {i, j});
      ops.remove(Math.max(i, j));
      ops.remove(Math.min(i, j));
      ops.add(s[0] | s[1]);
    }
    return Path.of(pairs);
  }

  private static void emit(long s, Map<Long, Long> split, List<long[]> steps) {
    if (Long.bitCount(s) == 1) {
      return;
    }
    long a = split.get(s);
    long b = s ^ a;
    emit(a, split, steps);
    emit(b, split, steps);
    steps.add(new long[] {a, b});
  }

  /** Returns, per operand, the mask of the other operands it shares an index with. */
  static long[] neighbours(CostModel model) {
    int n = model.operandCount();
    long[] nb = new long[n];
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        if (shares(model.leaf(a), model.leaf(b))) {
          nb[a] |= 1L << b;
          nb[b] |= 1L << a;
        }
      }
    }
    return nb;
  }

  /** Returns whether two tensors hold a common index. */
  static boolean shares(Intermediate u, Intermediate v) {
    int[] a = u.indices();
    int[] b = v.indices();
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        return true;
      }
      if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return false;
  }

  /** The smallest largest intermediate and a path achieving it. */
  record Bottleneck(long largest, Path path, boolean exact) {}

  /**
   * Finds the smallest achievable largest intermediate: exactly by dynamic programming over all
   * subsets up to {@link #EXACT_MEMORY_LIMIT} operands, else by a greedy that always writes the
   * smallest result.
   */
  static Bottleneck bottleneck(CostModel model) {
    int n = model.operandCount();
    if (n == 1) {
      return new Bottleneck(0, Path.empty(), true);
    }
    if (n <= EXACT_MEMORY_LIMIT) {
      int full = (1 << n) - 1;
      Intermediate[] inter = new Intermediate[full + 1];
      long[] bn = new long[full + 1];
      Map<Long, Long> split = new HashMap<>();
      for (int k = 0; k < n; k++) {
        inter[1 << k] = model.leaf(k);
      }
      for (int s = 1; s <= full; s++) {
        if (Integer.bitCount(s) < 2) {
          continue;
        }
        int low = s & -s;
        inter[s] = model.combine(inter[low], inter[s ^ low]);
        long m = Long.MAX_VALUE;
        int arg = -1;
        for (int a = (s - 1) & s; a > 0; a = (a - 1) & s) {
          if ((a & low) == 0) {
            continue;
          }
          long v = Math.max(bn[a], bn[s ^ a]);
          if (arg < 0 || v < m) {
            m = v;
            arg = a;
          }
        }
        bn[s] = Math.max(inter[s].size(), m);
        split.put((long) s, (long) arg);
      }
      return new Bottleneck(bn[full], toPath(n, full, split), true);
    }
    List<Intermediate> ops = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ops.add(model.leaf(k));
    }
    List<int[]> pairs = new ArrayList<>();
    long largest = 0;
    while (ops.size() > 1) {
      int bi = -1;
      int bj = -1;
      Intermediate best = null;
      for (int i = 0; i < ops.size(); i++) {
        for (int j = i + 1; j < ops.size(); j++) {
          Intermediate w = model.combine(ops.get(i), ops.get(j));
          if (best == null || w.size() < best.size()) {
            best = w;
            bi = i;
            bj = j;
          }
        }
      }
      pairs.add(new int[] {bi, bj});
      ops.remove(bj);
      ops.remove(bi);
      ops.add(best);
      largest = Math.max(largest, best.size());
    }
    return new Bottleneck(largest, Path.of(pairs), false);
  }

  /** Returns the error for a memory limit that no path fits. */
  static ConvEinsumException noFit(CostModel model, long limit) {
    Bottleneck b = bottleneck(model);
    return noFit(limit, b);
  }

  static ConvEinsumException noFit(long limit, Bottleneck b) {
    return new ConvEinsumException("no contraction path keeps every intermediate within the"
        + " memory limit of " + limit + " elements; the smallest "
        + (b.exact() ? "achievable" : "found") + " largest intermediate is "
        + CostMath.format(b.largest()) + " elements");
  }

  /**
   * Finds a path within the limit after a heuristic found none: the exact dynamic programme when
   * the expression is small enough, else an error.
   */
  static Path fallback(CostModel model, PlanOptions options) {
    if (model.operandCount() <= DynamicProgramming.MAX_OPERANDS_FOR_FALLBACK) {
      return new DynamicProgramming("optimal").optimize(model, options);
    }
    Bottleneck b = bottleneck(model);
    if (b.largest() <= options.limit()) {
      return b.path();
    }
    throw noFit(options.limit(), b);
  }
}
