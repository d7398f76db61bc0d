package dev.conveinsum.plan.search;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact optimizer ({@code optimal}, alias {@code dp}): dynamic programming over subsets of
 * the inputs in the style of netcon (Pfeifer, Haegeman, Verstraete, Phys. Rev. E 90, 033315,
 * 2014) and opt_einsum's {@code dp}.
 *
 * <p>Under the cost model of SPEC section 4 the cost of a step depends only on the two sets of
 * inputs it combines, so the cheapest contraction tree of a set S is the cheapest split of S into
 * two parts plus their own cheapest trees. Up to {@value #FULL_SEARCH_LIMIT} operands every
 * split is tried, outer products and scalars included, which is exact. Above that the search
 * runs netcon-style: only connected subsets, combined when they share an index or when an outer
 * product can pay off (both parts are attached to a common third tensor and their product is no
 * larger than the largest input), all outer products with
 * {@link PlanOptions#alwaysConsiderOuter()}; with cost capping (a subset is only kept if its
 * tree costs at most the cap, and the cap grows 8x until the whole set is reached, which keeps
 * the result exact within that search space); disconnected components are each solved exactly
 * and then combined by the exact search over up to {@value #FULL_SEARCH_LIMIT} components
 * (cheapest pair first beyond). Above {@value #FULL_SEARCH_LIMIT} operands the greedy path is
 * also costed and kept if it is cheaper, so the result is never worse than greedy.
 * Intermediates larger than the memory limit are never formed. When the time budget
 * ({@link PlanOptions#timeBudget()}) runs out during the connected search, greedy's path is
 * returned.
 */
final class DynamicProgramming implements PathOptimizer {
  /** Up to this many operands every split, outer products included, is searched. */
  static final int FULL_SEARCH_LIMIT = 10;
  /** The most operands the subset masks can hold. */
  static final int MAX_OPERANDS = 62;
  /** Heuristics that fail a memory limit fall back to this search up to this many operands. */
  static final int MAX_OPERANDS_FOR_FALLBACK = 24;

  private final String name;

  DynamicProgramming(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path optimize(CostModel model, PlanOptions options) {
    int n = model.operandCount();
    if (n == 1) {
      return Path.empty();
    }
    if (n > MAX_OPERANDS) {
      throw new ConvEinsumException("the " + name + " optimizer handles at most " + MAX_OPERANDS
          + " operands; this expression has " + n + "; use greedy or random-greedy");
    }
    Path p;
    if (n <= FULL_SEARCH_LIMIT) {
      long[] leaves = new long[n];
      Intermediate[] inter = new Intermediate[n];
      for (int k = 0; k < n; k++) {
        leaves[k] = 1L << k;
        inter[k] = model.leaf(k);
      }
      Map<Long, Long> tree = new HashMap<>();
      p = full(model, options, leaves, inter, tree) ? Search.toPath(n, (1L << n) - 1, tree)
          : null;
    } else {
      // Greedy first: when the time budget runs out the search returns greedy's path.
      Deadline deadline = Deadline.of(options);
      Path greedy = new Greedy("greedy", 1).search(model, options);
      try {
        p = connected(model, options, deadline);
      } catch (Deadline.Expired e) {
        p = null;
      }
      if (greedy != null && (p == null || model.evaluate(greedy.pairs()).objective(
          options.train()) < model.evaluate(p.pairs()).objective(options.train()))) {
        p = greedy;
      }
    }
    if (p != null) {
      return p;
    }
    if (n <= Search.EXACT_MEMORY_LIMIT) {
      Search.Bottleneck b = Search.bottleneck(model);
      if (b.largest() <= options.limit()) {
        return b.path();
      }
      throw Search.noFit(options.limit(), b);
    }
    throw Search.noFit(model, options.limit());
  }

  /**
   * Exact search over every split of every subset of the given groups (3^g pairs): each group is
   * a set of inputs already contracted to {@code inter[i]}. Records the split of every subset in
   * {@code tree} (keyed by input masks) and returns whether the union of all groups was reached.
   */
  private static boolean full(CostModel model, PlanOptions options, long[] groups,
      Intermediate[] groupInter, Map<Long, Long> tree) {
    int g = groups.length;
    boolean train = options.train();
    long limit = options.limit();
    int all = (1 << g) - 1;
    Intermediate[] inter = new Intermediate[all + 1];
    long[] mask = new long[all + 1];
    long[] best = new long[all + 1];
    boolean[] found = new boolean[all + 1];
    int[] split = new int[all + 1];
    for (int k = 0; k < g; k++) {
      inter[1 << k] = groupInter[k];
      mask[1 << k] = groups[k];
      found[1 << k] = true;
    }
    for (int s = 1; s <= all; s++) {
      if (Integer.bitCount(s) < 2) {
        continue;
      }
      int low = s & -s;
      inter[s] = model.combine(inter[low], inter[s ^ low]);
      mask[s] = mask[low] | mask[s ^ low];
      if (inter[s].size() > limit) {
        continue;
      }
      for (int a = (s - 1) & s; a > 0; a = (a - 1) & s) {
        int b = s ^ a;
        if ((a & low) == 0 || !found[a] || !found[b]) {
          continue;
        }
        long c = CostMath.add(best[a], best[b]);
        if (found[s] && c >= best[s]) {
          continue;
        }
        c = CostMath.add(c, model.objective(inter[a], inter[b], train));
        if (!found[s] || c < best[s]) {
          best[s] = c;
          split[s] = a;
          found[s] = true;
        }
      }
    }
    if (!found[all]) {
      return false;
    }
    record(all, split, mask, tree);
    return true;
  }

  private static void record(int s, int[] split, long[] mask, Map<Long, Long> tree) {
    if (Integer.bitCount(s) < 2) {
      return;
    }
    tree.put(mask[s], mask[split[s]]);
    record(split[s], split, mask, tree);
    record(s ^ split[s], split, mask, tree);
  }

  private record Entry(long cost, long left) {}

  /** Netcon-style search over connected subsets with cost capping. */
  private static Path connected(CostModel model, PlanOptions options, Deadline deadline) {
    int n = model.operandCount();
    long[] nb = Search.neighbours(model);
    State st = new State(model, options, nb, deadline);
    Map<Long, Long> tree = new HashMap<>();
    List<Long> roots = new ArrayList<>();
    long seen = 0;
    if (options.alwaysConsiderOuter()) {
      long all = n == 64 ? -1L : (1L << n) - 1;
      if (!st.solve(all, tree)) {
        return null;
      }
      return Search.toPath(n, all, tree);
    }
    for (int k = 0; k < n; k++) {
      if ((seen & (1L << k)) != 0) {
        continue;
      }
      long comp = 1L << k;
      long frontier = comp;
      while (frontier != 0) {
        long next = 0;
        for (long f = frontier; f != 0; f &= f - 1) {
          next |= nb[Long.numberOfTrailingZeros(f)];
        }
        frontier = next & ~comp;
        comp |= next;
      }
      seen |= comp;
      if (Long.bitCount(comp) > 1 && !st.solve(comp, tree)) {
        return null;
      }
      roots.add(comp);
    }
    // Combine the components: exactly when there are few, else cheapest step first.
    if (roots.size() > 1 && roots.size() <= FULL_SEARCH_LIMIT) {
      long[] groups = roots.stream().mapToLong(Long::longValue).toArray();
      Intermediate[] inter = new Intermediate[groups.length];
      for (int i = 0; i < groups.length; i++) {
        inter[i] = st.inter(groups[i]);
      }
      if (!full(model, options, groups, inter, tree)) {
        return null;
      }
      long all = 0;
      for (long r : groups) {
        all |= r;
      }
      return Search.toPath(n, all, tree);
    }
    while (roots.size() > 1) {
      int bi = -1;
      int bj = -1;
      long bc = 0;
      for (int i = 0; i < roots.size(); i++) {
        for (int j = i + 1; j < roots.size(); j++) {
          long a = roots.get(i);
          long b = roots.get(j);
          if (st.inter(a | b, a, b).size() > options.limit()) {
            continue;
          }
          long c = model.objective(st.inter(a), st.inter(b), options.train());
          if (bi < 0 || c < bc) {
            bi = i;
            bj = j;
            bc = c;
          }
        }
      }
      if (bi < 0) {
        return null;
      }
      long a = roots.get(bi);
      long b = roots.get(bj);
      roots.remove(bj);
      roots.remove(bi);
      roots.add(a | b);
      tree.put(a | b, a);
    }
    return Search.toPath(n, roots.get(0), tree);
  }

  /** Memoised intermediates and the capped search of one component. */
  private static final class State {
    private final CostModel model;
    private final PlanOptions options;
    private final long[] nb;
    private final Map<Long, Intermediate> inter = new HashMap<>();
    private final Map<Long, Long> nbOf = new HashMap<>();
    private final Deadline deadline;
    private int ticks;

    State(CostModel model, PlanOptions options, long[] nb, Deadline deadline) {
      this.model = model;
      this.options = options;
      this.nb = nb;
      this.deadline = deadline;
      for (int k = 0; k < model.operandCount(); k++) {
        inter.put(1L << k, model.leaf(k));
      }
    }

    Intermediate inter(long s) {
      return inter.get(s);
    }

    Intermediate inter(long s, long a, long b) {
      Intermediate w = inter.get(s);
      if (w == null) {
        w = model.combine(inter.get(a), inter.get(b));
        inter.put(s, w);
      }
      return w;
    }

    long neighbours(long s) {
      Long v = nbOf.get(s);
      if (v == null) {
        long m = 0;
        for (long f = s; f != 0; f &= f - 1) {
          m |= nb[Long.numberOfTrailingZeros(f)];
        }
        v = m & ~s;
        nbOf.put(s, v);
      }
      return v;
    }

    boolean solve(long comp, Map<Long, Long> tree) {
      boolean train = options.train();
      long limit = options.limit();
      int size = Long.bitCount(comp);
      long maxLeaf = 1;
      long minStep = Long.MAX_VALUE;
      for (long f = comp; f != 0; f &= f - 1) {
        int k = Long.numberOfTrailingZeros(f);
        maxLeaf = Math.max(maxLeaf, model.leaf(k).size());
        for (long g = nb[k] & ~((2L << k) - 1); g != 0; g &= g - 1) {
          int j = Long.numberOfTrailingZeros(g);
          minStep = Math.min(minStep, model.objective(model.leaf(k), model.leaf(j), train));
        }
      }
      long cap = Math.max(1, minStep);
      while (true) {
        List<Map<Long, Entry>> x = new ArrayList<>();
        x.add(Map.of());
        Map<Long, Entry> first = new LinkedHashMap<>();
        for (long f = comp; f != 0; f &= f - 1) {
          first.put(f & -f, new Entry(0, 0));
        }
        x.add(first);
        for (int m = 2; m <= size; m++) {
          Map<Long, Entry> cur = new LinkedHashMap<>();
          for (int k = 1; k <= m / 2; k++) {
            for (Map.Entry<Long, Entry> e1 : x.get(k).entrySet()) {
              long s1 = e1.getKey();
              long n1 = neighbours(s1);
              for (Map.Entry<Long, Entry> e2 : x.get(m - k).entrySet()) {
                long s2 = e2.getKey();
                if ((++ticks & 1023) == 0 && deadline.expired()) {
                  throw new Deadline.Expired();
                }
                if ((s1 & s2) != 0 || (k == m - k && s1 >= s2)) {
                  continue;
                }
                if ((n1 & s2) == 0 && !options.alwaysConsiderOuter()
                    && !outerPaysOff(s1, s2, n1, maxLeaf)) {
                  continue;
                }
                long c = CostMath.add(e1.getValue().cost(), e2.getValue().cost());
                if (c > cap) {
                  continue;
                }
                long s = s1 | s2;
                Entry old = cur.get(s);
                if (old != null && c >= old.cost()) {
                  continue;
                }
                if (inter(s, s1, s2).size() > limit) {
                  continue;
                }
                c = CostMath.add(c, model.objective(inter(s1), inter(s2), train));
                if (c <= cap && (old == null || c < old.cost())) {
                  cur.put(s, new Entry(c, s1));
                }
              }
            }
          }
          x.add(cur);
        }
        if (x.get(size).containsKey(comp)) {
          record(comp, x, tree);
          return true;
        }
        if (cap == Long.MAX_VALUE) {
          return false;
        }
        cap = CostMath.multiply(cap, 8);
      }
    }

    private boolean outerPaysOff(long s1, long s2, long n1, long maxLeaf) {
      long common = n1 & neighbours(s2) & ~(s1 | s2);
      return common != 0
          && CostMath.multiply(inter(s1).size(), inter(s2).size()) <= maxLeaf;
    }

    private static void record(long s, List<Map<Long, Entry>> x, Map<Long, Long> tree) {
      if (Long.bitCount(s) < 2) {
        return;
      }
      long a = x.get(Long.bitCount(s)).get(s).left();
      tree.put(s, a);
      record(a, x, tree);
      record(s ^ a, x, tree);
    }
  }
}
