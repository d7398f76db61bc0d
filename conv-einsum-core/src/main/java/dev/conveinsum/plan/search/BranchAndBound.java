package dev.conveinsum.plan.search;

import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code branch} optimizer: depth-first branch and bound over pairwise orders, as
 * opt_einsum's {@code branch-all}.
 *
 * <p>It starts from the greedy path's cost as the bound, explores at every node the pairs that
 * share an index (all pairs when none does, or with
 * {@link PlanOptions#alwaysConsiderOuter()}) cheapest first, prunes a branch as soon as its cost
 * reaches the best complete path, and remembers the cheapest cost at which each set of current
 * tensors was reached so that orders leading to the same state are explored once. A budget of
 * {@value #NODE_BUDGET} expanded nodes and {@value #STEP_BUDGET} costed steps bounds the time;
 * when it runs out the best path found so far is returned, so on large networks the result is at
 * least as good as greedy but not necessarily optimal. A time budget
 * ({@link PlanOptions#timeBudget()}) stops the search the same way.
 */
final class BranchAndBound implements PathOptimizer {
  static final int NODE_BUDGET = 20_000;
  /** Stop after costing this many candidate steps, whatever the node count. */
  static final int STEP_BUDGET = 400_000;

  @Override
  public String name() {
    return "branch";
  }

  @Override
  public Path optimize(CostModel model, PlanOptions options) {
    int n = model.operandCount();
    if (n == 1) {
      return Path.empty();
    }
    if (n > DynamicProgramming.MAX_OPERANDS) {
      return Optimizers.get("greedy").optimize(model, options);
    }
    Walk search = new Walk(model, options, Deadline.of(options));
    try {
      Path greedy = Optimizers.get("greedy").optimize(model, options);
      search.bestCost = model.evaluate(greedy.pairs()).objective(options.train());
      search.bestPath = greedy.pairs();
    } catch (IllegalArgumentException e) {
      search.bestCost = Long.MAX_VALUE;
    }
    List<Intermediate> ops = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ops.add(model.leaf(k));
    }
    search.dfs(ops, 0, new ArrayList<>());
    if (search.bestPath == null) {
      return Search.fallback(model, options);
    }
    return Path.of(search.bestPath);
  }

  private static final class Walk {
    private final CostModel model;
    private final PlanOptions options;
    private final Map<List<Long>, Long> reached = new HashMap<>();
    private long bestCost;
    private List<int[]> bestPath;
    private int expanded;
    private int costed;
    private final Deadline deadline;

    Walk(CostModel model, PlanOptions options, Deadline deadline) {
      this.model = model;
      this.options = options;
      this.deadline = deadline;
    }

    void dfs(List<Intermediate> ops, long cost, List<int[]> pairs) {
      if (ops.size() == 1) {
        if (bestPath == null || cost < bestCost) {
          bestCost = cost;
          bestPath = new ArrayList<>(pairs);
        }
        return;
      }
      if (expanded >= NODE_BUDGET || costed >= STEP_BUDGET || deadline.expired()) {
        return;
      }
      long[] key = new long[ops.size()];
      for (int i = 0; i < key.length; i++) {
        key[i] = ops.get(i).leafMask();
      }
      Arrays.sort(key);
      List<Long> state = Arrays.stream(key).boxed().toList();
      Long prev = reached.get(state);
      if (prev != null && prev <= cost) {
        return;
      }
      reached.put(state, cost);
      expanded++;
      List<long[]> moves = moves(ops, cost, true);
      if (moves.isEmpty()) {
        moves = moves(ops, cost, false);
      }
      moves.sort((x, y) -> Long.compare(x[0], y[0]));
      for (long[] mv : moves) {
        long next = CostMath.add(cost, mv[0]);
        if (bestPath != null && next >= bestCost) {
          break;
        }
        int i = (int) mv[1];
        int j = (int) mv[2];
        List<Intermediate> rest = new ArrayList<>(ops);
        Intermediate w = model.combine(ops.get(i), ops.get(j));
        rest.remove(j);
        rest.remove(i);
        rest.add(w);
        pairs.add(new int[] {i, j});
        dfs(rest, next, pairs);
        pairs.remove(pairs.size() - 1);
      }
    }

    private List<long[]> moves(List<Intermediate> ops, long cost, boolean connectedOnly) {
      List<long[]> moves = new ArrayList<>();
      boolean all = !connectedOnly || options.alwaysConsiderOuter();
      for (int i = 0; i < ops.size(); i++) {
        for (int j = i + 1; j < ops.size(); j++) {
          Intermediate u = ops.get(i);
          Intermediate v = ops.get(j);
          if (!all && !Search.shares(u, v)) {
            continue;
          }
          if (options.limit() != Long.MAX_VALUE && model.combine(u, v).size() > options.limit()) {
            continue;
          }
          costed++;
          moves.add(new long[] {model.objective(u, v, options.train()), i, j});
        }
      }
      return moves;
    }
  }
}
