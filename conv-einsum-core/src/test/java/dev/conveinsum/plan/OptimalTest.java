package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.CostModelGoldenTest;
import dev.conveinsum.cost.PathCost;
import dev.conveinsum.cost.RandomExpressions;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.search.Optimizers;
import dev.conveinsum.testing.GoldenCases;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code optimal} is exact: paths.json optima and an exhaustive search on random networks. */
class OptimalTest {

  static Stream<JsonNode> goldenCases() {
    return StreamSupport.stream(GoldenCases.paths().get("cases").spliterator(), false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void findsEveryGoldenOptimum(JsonNode c) {
    BoundExpression b = CostModelGoldenTest.bind(c);
    CostModel forward = new CostModel(b);
    Path p = Optimizers.get("optimal").optimize(forward, PlanOptions.optimizer("optimal"));
    assertEquals(c.get("optimal_flops").asLong(), p.cost(forward).flops());
    Set<Integer> trainable = CostModelGoldenTest.trainable(c);
    CostModel training = new CostModel(b, trainable);
    Path t = Optimizers.get("dp").optimize(training,
        PlanOptions.optimizer("dp").withTrain(trainable));
    assertEquals(c.get("train_optimal_flops").asLong(), t.cost(training).trainFlops());
  }

  /** Hundreds of random networks of 1 to 7 operands: optimal == exhaustive, both objectives. */
  @Test
  void equalsExhaustiveSearchOnRandomNetworks() {
    Random rnd = new Random(7L);
    int withConv = 0;
    int mway = 0;
    for (int t = 0; t < 400; t++) {
      int n = 1 + t % 7;
      BoundExpression b = RandomExpressions.generate(rnd, n, 2, 4);
      Set<Integer> trainable = new HashSet<>();
      for (int k = 0; k < n; k++) {
        if (rnd.nextBoolean()) {
          trainable.add(k);
        }
      }
      CostModel model = new CostModel(b, trainable);
      String what = b + " " + b.options() + " trainable " + trainable;
      Path forward = Optimizers.get("optimal").optimize(model, PlanOptions.optimizer("optimal"));
      assertEquals(Exhaustive.minimum(model, false), forward.cost(model).flops(), what);
      Path train = Optimizers.get("optimal").optimize(model,
          PlanOptions.optimizer("optimal").withTrain(trainable));
      assertEquals(Exhaustive.minimum(model, true), train.cost(model).trainFlops(), what);
      for (int id = 0; id < b.indexCount(); id++) {
        if (b.isConv(id)) {
          withConv++;
          mway += b.geometry(id).holderCount() >= 3 ? 1 : 0;
        }
      }
    }
    assertTrue(withConv > 200 && mway > 50, withConv + " conv indices, " + mway + " m-way");
  }

  /** The connected search used above ten operands is never worse than greedy. */
  @Test
  void connectedSearchOnLargerNetworks() {
    Random rnd = new Random(11L);
    for (int t = 0; t < 6; t++) {
      BoundExpression b = RandomExpressions.generate(rnd, 11 + t % 3, 2, 3);
      CostModel model = new CostModel(b);
      PlanOptions o = PlanOptions.optimizer("optimal");
      PathCost opt = Optimizers.get("optimal").optimize(model, o).cost(model);
      PathCost greedy = Optimizers.get("greedy").optimize(model, o).cost(model);
      assertTrue(opt.flops() <= greedy.flops(), b.toString());
      if (t < 2) {
        PathCost outer = Optimizers.get("optimal").optimize(model,
            o.withAlwaysConsiderOuter(true)).cost(model);
        assertTrue(outer.flops() <= opt.flops(), b.toString());
      }
    }
  }

  @Test
  void singleOperandHasTheEmptyPath() {
    BoundExpression b = RandomExpressions.generate(new Random(3), 1, 0, 3);
    for (String name : Optimizers.names()) {
      assertEquals(Path.empty(), Optimizers.get(name).optimize(new CostModel(b),
          PlanOptions.optimizer(name)));
    }
    assertEquals(List.of(), Path.empty().pairs());
  }
}
