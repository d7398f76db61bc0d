package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.RandomExpressions;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.search.Optimizers;
import dev.conveinsum.plan.search.Planner;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every optimizer honours a memory limit on the largest intermediate. */
class MemoryLimitTest {
  // ij,jk first writes 2x50 = 100 elements, jk,kl first 30x5 = 150, ij,kl first 15000; the last
  // step writes the 2x5 output. The smallest achievable largest intermediate is 100.
  static final BoundExpression CHAIN = BoundExpression.bind(Expression.parse("ij,jk,kl->il"),
      ConvOptions.DEFAULT, List.of(new long[] {2, 30}, new long[] {30, 50},
          new long[] {50, 5}));

  @Test
  void errorNamesTheLimitAndTheSmallestAchievable() {
    for (String name : Optimizers.names()) {
      ConvEinsumException e = assertThrows(ConvEinsumException.class,
          () -> Planner.plan(CHAIN, PlanOptions.optimizer(name).withMemoryLimit(99)),
          name);
      assertTrue(e.getMessage().contains("memory limit of 99 elements"), e.getMessage());
      assertTrue(e.getMessage().contains("smallest achievable largest intermediate is 100"),
          e.getMessage());
    }
  }

  @Test
  void aPathWithinTheLimitWhenOneFits() {
    PlanInfo free = Planner.plan(CHAIN, PlanOptions.optimizer("optimal"));
    assertEquals(100, free.largestIntermediate());
    for (String name : Optimizers.names()) {
      PlanInfo p = Planner.plan(CHAIN, PlanOptions.optimizer(name).withMemoryLimit(100));
      assertEquals(100, p.largestIntermediate(), name);
      assertEquals(List.of(0, 1), p.steps().get(0).positions(), name);
    }
  }

  @Test
  void optimalUnderALimitEqualsExhaustiveSearchAmongFittingPaths() {
    Random rnd = new Random(31L);
    for (int t = 0; t < 60; t++) {
      int n = 2 + t % 5;
      BoundExpression b = RandomExpressions.generate(rnd, n, 2, 4);
      CostModel model = new CostModel(b);
      long best = Long.MAX_VALUE;
      long smallest = Long.MAX_VALUE;
      long limit = 0;
      List<List<int[]>> all = Exhaustive.allPaths(n);
      for (List<int[]> p : all) {
        smallest = Math.min(smallest, model.evaluate(p).largestIntermediate());
      }
      limit = Math.max(1, smallest + rnd.nextInt(3));
      for (List<int[]> p : all) {
        var c = model.evaluate(p);
        if (c.largestIntermediate() <= limit) {
          best = Math.min(best, c.flops());
        }
      }
      PlanOptions o = PlanOptions.optimizer("optimal").withMemoryLimit(limit);
      Path p = Optimizers.get("optimal").optimize(model, o);
      assertEquals(best, p.cost(model).flops(), b.toString());
      for (String name : Optimizers.names()) {
        if (!name.equals("naive")) {
          Path q = Optimizers.get(name).optimize(model, o.withOptimizer(name));
          assertTrue(q.cost(model).largestIntermediate() <= limit, name + " " + b);
        }
      }
      if (smallest > 1) {
        long tooSmall = smallest - 1;
        ConvEinsumException e = assertThrows(ConvEinsumException.class,
            () -> Optimizers.get("greedy").optimize(model, o.withMemoryLimit(tooSmall)));
        assertTrue(e.getMessage().contains("is " + smallest + " elements"), e.getMessage());
      }
    }
  }
}
