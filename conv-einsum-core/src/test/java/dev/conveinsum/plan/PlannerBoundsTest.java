package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.cost.CostModel;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.plan.search.Planner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * The planner's cost is bounded by the structure of the expression, not by its sizes: the
 * reproductions of issue 12 plan in well under a second, with FLOP counts computed by hand.
 */
class PlannerBoundsTest {
  private static final Duration QUICK = Duration.ofSeconds(2);

  private static BoundExpression bind(String expr, ConvOptions o, long[]... shapes) {
    return BoundExpression.bind(Expression.parse(expr), o, List.of(shapes));
  }

  private static PlanInfo plan(BoundExpression b, String optimizer) {
    return Planner.plan(b, PlanOptions.optimizer(optimizer));
  }

  @Test
  void longConvolutionPlansInMilliseconds() {
    assertTimeoutPreemptively(QUICK, () -> {
      // 131072 samples, 2 taps, MAX: 131072 + 131071 (output, tap) pairs, each a
      // multiply-add: 2 x 262143 FLOPs.
      PlanInfo p = plan(bind("i,i->i|i", ConvOptions.DEFAULT, new long[] {131_072},
          new long[] {2}), "auto");
      assertEquals(2L * 262_143, p.flops());
      // 10^6 samples against 1000 taps, MAX: output 10^6, offset floor(999/2) = 499; tap b
      // meets signal u when 0 <= u + b - 499 < 10^6: 10^6 * 1000 minus the corner triangles
      // 499*500/2 + 500*501/2 (sums below 499 and at or past 10^6 + 499).
      long pairs = 1_000_000L * 1000 - 499L * 500 / 2 - 500L * 501 / 2;
      assertEquals(2 * pairs, plan(bind("i,i->i|i", ConvOptions.DEFAULT,
          new long[] {1_000_000}, new long[] {1000}), "optimal").flops());
    });
  }

  @Test
  void hugeDilationsPlanInMilliseconds() {
    assertTimeoutPreemptively(QUICK, () -> {
      // 2;2;2 with dilation 2^20, MAX: every pairwise step keeps positions that reach the
      // window; the first step multiplies 2 x 2 taps.
      ConvOptions o = ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.MAX, 1, 1 << 20));
      PlanInfo p = plan(bind("i,i,i->i|i", o, new long[] {2}, new long[] {2}, new long[] {2}),
          "optimal");
      assertArrayEquals(new long[] {(1 << 20) + 1}, p.outputShape());
      // 2;2 with dilation 268435455, MAX: the sums 0, 1, d land in [0, d], d + 1 does not.
      ConvOptions big = ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.MAX, 1,
          268_435_455));
      assertEquals(2 * 3, plan(bind("i,i->i|i", big, new long[] {2}, new long[] {2}), "auto")
          .flops());
    });
  }

  @Test
  void strideNearIntMaxKeepsOneOutput() {
    ConvOptions o = ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.MAX, Integer.MAX_VALUE,
        1));
    PlanInfo p = plan(bind("i,i->i|i", o, new long[] {5}, new long[] {3}), "auto");
    assertArrayEquals(new long[] {1}, p.outputShape());
    // L = 5, offset 1: output 0 is full position 1, the sums (1, 0) and (0, 1): 2 pairs.
    assertEquals(4, p.flops());
  }

  @Test
  void convIndexSharedBySixtyTwoOperands() {
    assertTimeoutPreemptively(QUICK, () -> {
      long[][] shapes = new long[62][];
      Arrays.fill(shapes, new long[] {3});
      BoundExpression b = bind("i" + ",i".repeat(61) + "->i|i",
          ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.FULL, 1, 1)), shapes);
      PlanInfo p = plan(b, "auto");
      assertArrayEquals(new long[] {62 * 2 + 1}, p.outputShape());
      assertEquals(61, p.path().pairs().size());
    });
  }

  private static BoundExpression independent(int n) {
    StringJoiner in = new StringJoiner(",");
    StringBuilder out = new StringBuilder();
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      in.add("(x" + k + ")");
      out.append("(x").append(k).append(")");
      shapes.add(new long[] {2 + k % 3});
    }
    return BoundExpression.bind(Expression.parse(in + "->" + out), ConvOptions.DEFAULT, shapes);
  }

  @Test
  void thousandIndependentOperandsPlanWellUnderASecond() {
    BoundExpression b = independent(1000);
    for (String opt : List.of("greedy", "random-greedy", "auto")) {
      long t0 = System.nanoTime();
      PlanInfo p = assertTimeoutPreemptively(QUICK, () -> plan(b, opt));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(999, p.path().pairs().size(), opt);
      assertTrue(ms < 1500, opt + " took " + ms + " ms");
    }
  }

  @Test
  void outerProductsBeyondTheExhaustiveLimitStillPickTheSmallest() {
    // 80 independent operands: the first outer product multiplies two of the size-2 tensors
    // (the smallest), as trying every pair would.
    BoundExpression b = independent(80);
    CostModel model = new CostModel(b);
    PlanInfo p = plan(b, "greedy");
    int[] first = p.path().pairs().get(0);
    assertEquals(2, model.leaf(first[0]).size());
    assertEquals(2, model.leaf(first[1]).size());
  }

  @Test
  void exactOptimizersReturnAPathWhenTheBudgetRunsOut() {
    // 40 operands of a ring: the connected DP is slow here; a 50 ms budget must return a
    // complete path (greedy's or the best found) quickly.
    StringJoiner in = new StringJoiner(",");
    List<long[]> shapes = new ArrayList<>();
    int n = 40;
    for (int k = 0; k < n; k++) {
      in.add("(a" + k + ")(a" + ((k + 1) % n) + ")(b" + k + ")");
      shapes.add(new long[] {4, 4, 3});
    }
    BoundExpression b = BoundExpression.bind(Expression.parse(in.toString()),
        ConvOptions.DEFAULT, shapes);
    for (String opt : List.of("optimal", "branch", "random-greedy", "greedy")) {
      PlanOptions o = PlanOptions.optimizer(opt).withTimeBudget(Duration.ofMillis(50));
      long t0 = System.nanoTime();
      PlanInfo p = assertTimeoutPreemptively(QUICK, () -> Planner.plan(b, o));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(n - 1, p.path().pairs().size(), opt);
      assertTrue(ms < 1000, opt + " took " + ms + " ms with a 50 ms budget");
    }
  }

  @Test
  void exactSearchIsBoundedByTheDefaultBudget() {
    // 18 operands that all share 'a': the exact search is exponential (20 s and more here);
    // without a budget of its own it stops at PlanOptions.DEFAULT_TIME_BUDGET with greedy's path.
    StringJoiner in = new StringJoiner(",");
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < 18; k++) {
      in.add(k % 3 == 0 ? "aaa" : "aa");
      shapes.add(k % 3 == 0 ? new long[] {5, 5, 5} : new long[] {5, 5});
    }
    BoundExpression b = BoundExpression.bind(Expression.parse(in + "->a"), ConvOptions.DEFAULT,
        shapes);
    PlanOptions o = PlanOptions.optimizer("optimal").withTrain(null);
    long t0 = System.nanoTime();
    PlanInfo p = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Planner.plan(b, o));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(17, p.path().pairs().size());
    assertTrue(ms < 1000 + PlanOptions.DEFAULT_TIME_BUDGET.toMillis(), "took " + ms + " ms");
  }
}
