package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.PathCost;
import dev.conveinsum.cost.RandomExpressions;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.search.Optimizers;
import dev.conveinsum.plan.search.Planner;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every optimizer gives valid paths, costed consistently, never below the optimum. */
class OptimizersTest {

  @Test
  void everyOptimizerOnRandomNetworks() {
    Random rnd = new Random(99L);
    for (int t = 0; t < 120; t++) {
      int n = 1 + t % 7;
      BoundExpression b = RandomExpressions.generate(rnd, n, 2, 4);
      CostModel model = new CostModel(b);
      long optimum = Exhaustive.minimum(model, false);
      for (String name : Optimizers.names()) {
        PlanOptions o = PlanOptions.optimizer(name).withSeed(t);
        Path p = Optimizers.get(name).optimize(model, o).validate(n);
        PathCost c = model.evaluate(p.pairs());
        String what = name + " on " + b + " " + b.options();
        assertTrue(c.flops() >= optimum, what);
        PlanInfo info = Planner.plan(b, o);
        assertEquals(p, info.path(), what);
        assertEquals(c.flops(), info.flops(), what);
        assertEquals(c.largestIntermediate(), info.largestIntermediate(), what);
        if (name.equals("optimal") || name.equals("dp") || name.equals("auto")) {
          assertEquals(optimum, c.flops(), what);
        }
      }
    }
  }

  @Test
  void greedyIsDeterministicAndRandomGreedyIsSeeded() {
    Random rnd = new Random(5L);
    for (int t = 0; t < 10; t++) {
      BoundExpression b = RandomExpressions.generate(rnd, 9, 2, 4);
      CostModel model = new CostModel(b);
      PlanOptions o = PlanOptions.optimizer("x").withSeed(42);
      assertEquals(Optimizers.get("greedy").optimize(model, o),
          Optimizers.get("greedy").optimize(model, o));
      assertEquals(Optimizers.get("random-greedy").optimize(model, o),
          Optimizers.get("random-greedy").optimize(model, o));
      long greedy = Optimizers.get("greedy").optimize(model, o).cost(model).flops();
      long random = Optimizers.get("random-greedy").optimize(model, o).cost(model).flops();
      assertTrue(random <= greedy, b.toString());
    }
  }

  /** Conv-free networks: evaluating the path step by step equals evaluating the whole. */
  @Test
  void pairwiseEvaluationEqualsTheWholeExpression() {
    Random rnd = new Random(123L);
    for (int t = 0; t < 60; t++) {
      int n = 2 + t % 5;
      BoundExpression b = RandomExpressions.generate(rnd, n, 0, 3);
      List<Tensor> ops = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        ops.add(Tensor.random(DType.FLOAT64, 1000L * t + k, b.shape(k)));
      }
      Tensor whole = ReferenceEvaluator.evaluate(b, ops);
      for (String name : List.of("optimal", "greedy", "branch", "random-greedy")) {
        PlanInfo info = Planner.plan(b, PlanOptions.optimizer(name));
        List<Tensor> current = new ArrayList<>(ops);
        for (PlanInfo.StepInfo s : info.steps()) {
          int i = s.positions().get(0);
          int j = s.positions().get(1);
          Tensor u = current.get(i);
          Tensor v = current.get(j);
          BoundExpression step = BoundExpression.bind(Expression.parse(s.contraction()),
              ConvOptions.DEFAULT, List.of(u.shape(), v.shape()));
          Tensor w = ReferenceEvaluator.evaluate(step, List.of(u, v));
          current.remove(Math.max(i, j));
          current.remove(Math.min(i, j));
          current.add(w);
        }
        Tolerance.assertClose(whole, current.get(0), Tolerance.FLOAT64, name + " " + b);
      }
    }
  }

  @Test
  void unknownNameListsTheValidOnes() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> Optimizers.get("fastest"));
    assertTrue(e.getMessage().contains("unknown optimizer 'fastest'"), e.getMessage());
    for (String name : List.of("auto", "branch", "dp", "greedy", "naive", "optimal",
        "random-greedy")) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
    assertEquals("optimal", Optimizers.get("OPTIMAL").name());
  }
}
