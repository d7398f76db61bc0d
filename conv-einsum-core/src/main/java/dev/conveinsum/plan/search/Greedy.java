package dev.conveinsum.plan.search;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The greedy optimizers: {@code greedy} takes the cheapest next step, {@code random-greedy}
 * keeps the best of several randomised greedy runs.
 *
 * <p>Candidates are the pairs of current tensors that share an index, costed by the
 * convolution-aware cost model (training FLOPs in training mode); only when no such pair is left
 * are outer products considered: every pair up to {@value #EXHAUSTIVE_OUTER} current tensors,
 * beyond that the pairs among the few smallest tensors of each kind (see {@code Outer}), so that
 * 1,000 operands with no shared index plan in milliseconds rather than O(n^3) costings. {@code greedy} takes the cheapest candidate, ties broken by the
 * smaller result and then by the lower operand numbers, so it is deterministic. A priority queue
 * keeps the candidates: a step's cost depends only on the inputs its operands combine, so a
 * candidate stays valid until one of its operands is consumed, and each step only adds the new
 * tensor's pairs with its neighbours (O(n log n) steps on sparse networks). {@code random-greedy}
 * runs plain greedy first, then {@code trials - 1} runs that pick among the four cheapest
 * candidates with probability proportional to {@code cheapest / cost}, seeded by
 * {@link PlanOptions#seed()}, and returns the cheapest path found; it stops early when the time
 * budget runs out or when a run made no random choice (the others would repeat it). Candidates whose result would
 * exceed the memory limit are skipped; if a run gets stuck the exact search takes over.
 */
final class Greedy implements PathOptimizer {
  private static final int CHOICES = 4;
  private final String name;
  private final int trials;

  /**
   * Creates a greedy optimizer.
   *
   * @param name the registered name
   * @param trials 1 for plain greedy; more for random-greedy
   */
  Greedy(String name, int trials) {
    if (trials < 1) {
      throw new ConvEinsumException("random-greedy needs at least 1 trial, got " + trials);
    }
    this.name = name;
    this.trials = trials;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path optimize(CostModel model, PlanOptions options) {
    if (model.operandCount() == 1) {
      return Path.empty();
    }
    Path p = search(model, options);
    return p != null ? p : Search.fallback(model, options);
  }

  /**
   * Returns the best path of the runs, or null when every run got stuck under the limit. Stops
   * early when the time budget runs out (after the first run) and when a randomised run made no
   * random choice (every further run would repeat it).
   */
  Path search(CostModel model, PlanOptions options) {
    Deadline deadline = Deadline.of(options);
    SplittableRandom random = new SplittableRandom(options.seed());
    Run best = null;
    for (int t = 0; t < trials; t++) {
      if (t > 0 && deadline.expired()) {
        break;
      }
      Run r = run(model, options, t == 0 ? null : random.split());
      if (r != null && (best == null || r.cost < best.cost)) {
        best = r;
      }
      if (t > 0 && r != null && !r.randomised) {
        break;
      }
    }
    return best == null ? null : Path.of(best.pairs);
  }

  private record Run(List<int[]> pairs, long cost, boolean randomised) {}

  private record Candidate(long cost, long size, int a, int b) implements Comparable<Candidate> {
    @Override
    public int compareTo(Candidate o) {
      int c = Long.compare(cost, o.cost);
      if (c == 0) {
        c = Long.compare(size, o.size);
      }
      if (c == 0) {
        c = Integer.compare(a, o.a);
      }
      return c == 0 ? Integer.compare(b, o.b) : c;
    }
  }

  /** One greedy run; null when it gets stuck under the memory limit. */
  private static Run run(CostModel model, PlanOptions options, SplittableRandom random) {
    int n = model.operandCount();
    boolean train = options.train();
    long limit = options.limit();
    List<Intermediate> nodes = new ArrayList<>();
    List<Boolean> alive = new ArrayList<>();
    List<Set<Integer>> holders = new ArrayList<>();
    for (int id = 0; id < model.bound().indexCount(); id++) {
      holders.add(new LinkedHashSet<>());
    }
    List<Integer> current = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Intermediate leaf = model.leaf(k);
      nodes.add(leaf);
      alive.add(true);
      current.add(k);
      for (int id : leaf.indices()) {
        holders.get(id).add(k);
      }
    }
    PriorityQueue<Candidate> queue = new PriorityQueue<>();
    Set<Long> seen = new HashSet<>();
    for (Set<Integer> h : holders) {
      Integer[] hs = h.toArray(Integer[]::new);
      for (int i = 0; i < hs.length; i++) {
        for (int j = i + 1; j < hs.length; j++) {
          offer(model, nodes, queue, seen, hs[i], hs[j], train, limit);
        }
      }
    }
    Outer outer = n > EXHAUSTIVE_OUTER ? new Outer(model, nodes) : null;
    if (outer != null) {
      for (int k = 0; k < n; k++) {
        outer.add(k);
      }
    }
    List<int[]> pairs = new ArrayList<>();
    long total = 0;
    boolean[] randomised = {false};
    while (current.size() > 1) {
      Candidate pick = random == null ? poll(queue, alive)
          : pollRandom(queue, alive, random, randomised);
      if (pick == null) {
        pick = outer == null ? cheapestOuter(model, nodes, current, train, limit)
            : outer.cheapest(train, limit);
        if (pick == null && outer != null) {
          pick = cheapestOuter(model, nodes, current, train, limit);
        }
        if (pick == null) {
          return null;
        }
      }
      Intermediate u = nodes.get(pick.a);
      Intermediate v = nodes.get(pick.b);
      Intermediate w = model.combine(u, v);
      int i = current.indexOf(pick.a);
      int j = current.indexOf(pick.b);
      pairs.add(new int[] {i, j});
      current.remove(Math.max(i, j));
      current.remove(Math.min(i, j));
      int id = nodes.size();
      nodes.add(w);
      alive.set(pick.a, false);
      alive.set(pick.b, false);
      alive.add(true);
      current.add(id);
      if (outer != null) {
        outer.remove(pick.a);
        outer.remove(pick.b);
        outer.add(id);
      }
      total = CostMath.add(total, pick.cost);
      for (int x : u.indices()) {
        holders.get(x).remove(pick.a);
      }
      for (int x : v.indices()) {
        holders.get(x).remove(pick.b);
      }
      Set<Integer> near = new LinkedHashSet<>();
      for (int x : w.indices()) {
        near.addAll(holders.get(x));
        holders.get(x).add(id);
      }
      for (int other : near) {
        offer(model, nodes, queue, seen, other, id, train, limit);
      }
    }
    return new Run(pairs, total, randomised[0]);
  }

  /** Up to this many operands the cheapest outer product is found by trying every pair. */
  static final int EXHAUSTIVE_OUTER = 64;
  /** Beyond that, the smallest tensors of each kind are tried, this many per kind. */
  private static final int OUTER_PER_KIND = 3;

  /**
   * The current tensors by kind (whether an outer product with them sums an index, whether they
   * need a gradient: the two things besides the sizes that set an outer product's cost), each
   * kind ordered by size. The cheapest outer product is then among the smallest few of each
   * kind, so a step costs O(log n) instead of trying all O(n^2) pairs (opt_einsum's greedy
   * likewise multiplies the smallest tensors when nothing shares an index).
   */
  private static final class Outer {
    private final CostModel model;
    private final List<Intermediate> nodes;
    private final List<TreeSet<long[]>> kinds = new ArrayList<>();
    private final List<long[]> keys = new ArrayList<>();

    Outer(CostModel model, List<Intermediate> nodes) {
      this.model = model;
      this.nodes = nodes;
      for (int k = 0; k < 4; k++) {
        kinds.add(new TreeSet<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
            : Long.compare(x[1], y[1])));
      }
    }

    private int kind(int id) {
      Intermediate t = nodes.get(id);
      return (model.sumsAlone(t) ? 2 : 0) + (t.needsGrad() ? 1 : 0);
    }

    void add(int id) {
      while (keys.size() <= id) {
        keys.add(null);
      }
      long[] key = {nodes.get(id).size(), id, kind(id)};
      keys.set(id, key);
      kinds.get((int) key[2]).add(key);
    }

    void remove(int id) {
      long[] key = keys.get(id);
      kinds.get((int) key[2]).remove(key);
    }

    Candidate cheapest(boolean train, long limit) {
      List<Integer> few = new ArrayList<>();
      for (TreeSet<long[]> kind : kinds) {
        int taken = 0;
        for (long[] key : kind) {
          if (taken++ == OUTER_PER_KIND) {
            break;
          }
          few.add((int) key[1]);
        }
      }
      return cheapestOuter(model, nodes, few, train, limit);
    }
  }

  private static void offer(CostModel model, List<Intermediate> nodes,
      PriorityQueue<Candidate> queue, Set<Long> seen, int a, int b, boolean train, long limit) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    // times an odd constant: still one key per pair, but hashing spreads (Long's own hash of
    // lo << 32 | hi is lo ^ hi, which collides for most pairs)
    if (!seen.add((((long) lo << 32) | hi) * 0x9E3779B97F4A7C15L)) {
      return;
    }
    Intermediate u = nodes.get(lo);
    Intermediate v = nodes.get(hi);
    long size = model.combine(u, v).size();
    if (size > limit) {
      return;
    }
    queue.add(new Candidate(model.objective(u, v, train), size, lo, hi));
  }

  private static Candidate poll(PriorityQueue<Candidate> queue, List<Boolean> alive) {
    while (!queue.isEmpty()) {
      Candidate c = queue.poll();
      if (alive.get(c.a) && alive.get(c.b)) {
        return c;
      }
    }
    return null;
  }

  private static Candidate pollRandom(PriorityQueue<Candidate> queue, List<Boolean> alive,
      SplittableRandom random, boolean[] randomised) {
    List<Candidate> top = new ArrayList<>();
    while (top.size() < CHOICES) {
      Candidate c = poll(queue, alive);
      if (c == null) {
        break;
      }
      top.add(c);
    }
    if (top.isEmpty()) {
      return null;
    }
    if (top.size() == 1) {
      return top.get(0);
    }
    randomised[0] = true;
    double[] w = new double[top.size()];
    double sum = 0;
    double best = Math.max(1, top.get(0).cost);
    for (int i = 0; i < w.length; i++) {
      w[i] = best / Math.max(1, top.get(i).cost);
      sum += w[i];
    }
    double r = random.nextDouble() * sum;
    int pick = 0;
    while (pick < w.length - 1 && (r -= w[pick]) > 0) {
      pick++;
    }
    for (int i = 0; i < top.size(); i++) {
      if (i != pick) {
        queue.add(top.get(i));
      }
    }
    return top.get(pick);
  }

  private static Candidate cheapestOuter(CostModel model, List<Intermediate> nodes,
      List<Integer> current, boolean train, long limit) {
    Candidate best = null;
    for (int i = 0; i < current.size(); i++) {
      for (int j = i + 1; j < current.size(); j++) {
        int a = Math.min(current.get(i), current.get(j));
        int b = Math.max(current.get(i), current.get(j));
        Intermediate u = nodes.get(a);
        Intermediate v = nodes.get(b);
        long size = model.combine(u, v).size();
        if (size > limit) {
          continue;
        }
        Candidate c = new Candidate(model.objective(u, v, train), size, a, b);
        if (best == null || c.compareTo(best) < 0) {
          best = c;
        }
      }
    }
    return best;
  }
}
