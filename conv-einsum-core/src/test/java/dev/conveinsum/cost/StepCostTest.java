package dev.conveinsum.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Step costs against an independent count, and the arithmetic's edge cases. */
class StepCostTest {

  static BoundExpression bind(String expr, long[]... shapes) {
    return BoundExpression.bind(Expression.parse(expr), ConvOptions.DEFAULT, List.of(shapes));
  }

  static List<Tensor> zeros(BoundExpression b) {
    List<Tensor> ops = new ArrayList<>();
    for (long[] s : b.shapes()) {
      ops.add(Tensor.zeros(DType.FLOAT64, s));
    }
    return ops;
  }

  /** Whether the whole expression sums an index or convolves, from its text alone. */
  static boolean sums(BoundExpression b) {
    for (int id = 0; id < b.indexCount(); id++) {
      if (!b.inOutput(id) || b.isConv(id)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void randomTwoOperandStepsMatchTheProductCount() {
    Random rnd = new Random(20240611L);
    int convSteps = 0;
    for (int t = 0; t < 300; t++) {
      BoundExpression b = RandomExpressions.generate(rnd, 2, 2, 3);
      CostModel m = new CostModel(b);
      long want = ReferenceEvaluator.countProducts(b, zeros(b)) * (sums(b) ? 2 : 1);
      StepCost s = m.step(m.leaf(0), m.leaf(1));
      assertEquals(want, s.flops(), b.toString() + " " + b.options());
      assertEquals(want, m.flops(m.leaf(0), m.leaf(1)), b.toString());
      assertEquals(want, m.flops(m.leaf(1), m.leaf(0)), b.toString());
      convSteps += s.pairs() > 1 ? 1 : 0;
    }
    assertTrue(convSteps > 50, "enough steps convolve: " + convSteps);
  }

  @Test
  void matmulAndOuterProduct() {
    CostModel mm = new CostModel(bind("ij,jk->ik", new long[] {2, 3}, new long[] {3, 4}));
    assertEquals(2 * 2 * 3 * 4, mm.flops(mm.leaf(0), mm.leaf(1)));
    CostModel outer = new CostModel(bind("i,j->ij", new long[] {5}, new long[] {7}));
    StepCost s = outer.step(outer.leaf(0), outer.leaf(1));
    assertEquals(35, s.flops());
    assertEquals(false, s.sums());
    assertEquals(35, s.resultSize());
  }

  @Test
  void ellipsisCountsAtTheLargerSize() {
    BoundExpression b = bind("...i,...i->...", new long[] {1, 3}, new long[] {4, 3});
    CostModel m = new CostModel(b);
    StepCost s = m.step(m.leaf(0), m.leaf(1));
    assertEquals(4 * 3 * 2, s.flops());
    assertEquals(4, s.resultSize());
    assertEquals(ReferenceEvaluator.countProducts(b, zeros(b)) * 2, s.flops());
  }

  @Test
  void trainingCountsOneGradientPerTrainableSide() {
    BoundExpression b = bind("ij,jk,kl->il", new long[] {2, 3}, new long[] {3, 4},
        new long[] {4, 5});
    CostModel m = new CostModel(b, Set.of(2));
    PathCost c = m.evaluate(List.of(new int[] {0, 1}, new int[] {0, 1}));
    long f0 = 2L * 2 * 3 * 4;
    long f1 = 2L * 2 * 4 * 5;
    assertEquals(f0 + f1, c.flops());
    assertEquals(f0 + 2 * f1, c.trainFlops());
    assertEquals(List.of(8L, 10L), c.intermediateSizes());
    assertEquals(10, c.largestIntermediate());
    assertEquals(18, c.totalElementsWritten());
    assertThrows(ConvEinsumException.class, () -> new CostModel(b, Set.of(3)));
  }

  @Test
  void hugeCostsSaturate() {
    long big = 1L << 40;
    BoundExpression b = bind("ij,jk->ik", new long[] {big, big}, new long[] {big, big});
    CostModel m = new CostModel(b);
    assertEquals(CostMath.SATURATED, m.flops(m.leaf(0), m.leaf(1)));
    assertEquals(CostMath.SATURATED, CostMath.add(Long.MAX_VALUE - 1, 5));
    assertEquals(CostMath.SATURATED, CostMath.multiply(1L << 62, 4));
    assertEquals(12, CostMath.multiply(3, 4));
  }

  @Test
  void badPathsAreRejected() {
    CostModel m = new CostModel(bind("ij,jk->ik", new long[] {2, 3}, new long[] {3, 4}));
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> m.evaluate(List.of(new int[] {0, 2})));
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> m.evaluate(List.of(new int[] {1, 1})));
    assertTrue(e.getMessage().contains("same position twice"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> m.evaluate(List.of()));
    assertTrue(e.getMessage().contains("need 1"), e.getMessage());
  }
}
