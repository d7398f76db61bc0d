package dev.conveinsum.plan;

import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test oracle for optimizers: the minimum over every pairwise order, by brute force. Small
 * expressions enumerate every path literally and cost it with {@link CostModel#evaluate}; larger
 * ones walk every order too but remember the best completion of each set of current tensors.
 */
final class Exhaustive {
  private Exhaustive() {}

  /** Every path of n operands, literally (n <= 6 keeps this at 2700 paths). */
  static List<List<int[]>> allPaths(int n) {
    List<List<int[]>> out = new ArrayList<>();
    if (n <= 1) {
      out.add(new ArrayList<>());
      return out;
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        for (List<int[]> rest : allPaths(n - 1)) {
          List<int[]> p = new ArrayList<>();
          p.add(new int[] {i, j});
          p.addAll(rest);
          out.add(p);
        }
      }
    }
    return out;
  }

  /** The minimum forward or training FLOPs over every pairwise order. */
  static long minimum(CostModel model, boolean train) {
    int n = model.operandCount();
    if (n <= 5) {
      long best = Long.MAX_VALUE;
      for (List<int[]> p : allPaths(n)) {
        best = Math.min(best, model.evaluate(p).objective(train));
      }
      return best;
    }
    List<Intermediate> ops = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ops.add(model.leaf(k));
    }
    return walk(model, train, ops, new HashMap<>());
  }

  private static long walk(CostModel model, boolean train, List<Intermediate> ops,
      Map<String, Long> memo) {
    if (ops.size() == 1) {
      return 0;
    }
    long[] key = ops.stream().mapToLong(Intermediate::leafMask).sorted().toArray();
    String k = Arrays.toString(key);
    Long hit = memo.get(k);
    if (hit != null) {
      return hit;
    }
    long best = Long.MAX_VALUE;
    for (int i = 0; i < ops.size(); i++) {
      for (int j = i + 1; j < ops.size(); j++) {
        List<Intermediate> rest = new ArrayList<>(ops);
        rest.remove(j);
        rest.remove(i);
        rest.add(model.step(ops.get(i), ops.get(j)).result());
        long c = train ? model.trainFlops(ops.get(i), ops.get(j))
            : model.flops(ops.get(i), ops.get(j));
        best = Math.min(best, CostMath.add(c, walk(model, train, rest, memo)));
      }
    }
    memo.put(k, best);
    return best;
  }
}
