package dev.conveinsum.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ReferenceEvaluator#countProducts}, result types and operand checks. */
class ReferenceCountAndTypeTest {

  private static BoundExpression bind(String expr, Map<String, ?> options, long[]... shapes) {
    return BoundExpression.bind(Expression.parse(expr), ConvOptions.fromMap(options),
        List.of(shapes));
  }

  private static long count(String expr, Map<String, ?> options, long[]... shapes) {
    List<Tensor> ops = java.util.Arrays.stream(shapes)
        .map(s -> Tensor.zeros(DType.FLOAT64, s)).toList();
    return ReferenceEvaluator.countProducts(bind(expr, options, shapes), ops);
  }

  /**
   * x of length 4, w of length 2 (CONVOLUTION): tap pairs (t, u) land at t + u in [0, 5).
   * FULL keeps all 8; MAX keeps [0, 4): all but (3, 1) -> 7; VALID keeps [1, 4): 6;
   * MAX stride 2 keeps 0 and 2: (0,0), (1,1), (2,0) -> 3; CIRCULAR wraps, all 8.
   */
  @ParameterizedTest(name = "{0} stride {1}: {2}")
  @CsvSource({"FULL,1,8", "MAX,1,7", "SAME,1,7", "VALID,1,6", "MAX,2,3", "CIRCULAR,1,8",
      "CIRCULAR,2,4"})
  void productsOfOneConvolution(String padding, int stride, long want) {
    Map<String, Object> o = Map.of("conv", Map.of("i", Map.of("padding", padding,
        "stride", stride)));
    assertEquals(want, count("i,i->i|i", o, new long[] {4}, new long[] {2}));
    // ordinary x pairs: a batch of 3 multiplies it.
    assertEquals(3 * want, count("bi,bi->bi|i", o, new long[] {3, 4}, new long[] {3, 2}));
  }

  @Test
  void productsOfPlainEinsum() {
    assertEquals(24, count("ij,jk->ik", Map.of(), new long[] {2, 3}, new long[] {3, 4}));
    assertEquals(3, count("ii->", Map.of(), new long[] {3, 3}));
    assertEquals(0, count("ij,jk->ik", Map.of(), new long[] {2, 0}, new long[] {0, 4}));
  }

  @Test
  void resultTypeFollowsTheOperands() {
    BoundExpression b = bind("i,i->", Map.of(), new long[] {3}, new long[] {3});
    Tensor f = Tensor.of(new float[] {1, 2, 3}, 3);
    Tensor d = Tensor.of(new double[] {1, 2, 3}, 3);
    assertEquals(DType.FLOAT32, ReferenceEvaluator.evaluate(b, List.of(f, f)).dtype());
    assertEquals(DType.FLOAT64, ReferenceEvaluator.evaluate(b, List.of(f, d)).dtype());
    assertEquals(14, ReferenceEvaluator.evaluate(b, List.of(f, d)).getFlat(0));
    List<Tensor> grads = ReferenceEvaluator.vjp(b, List.of(f, d), Tensor.scalar(2));
    assertEquals(DType.FLOAT32, grads.get(0).dtype());
    assertEquals(DType.FLOAT64, grads.get(1).dtype());
    assertArrayEquals(new double[] {2, 4, 6}, grads.get(0).toDoubleArray(), 0);
  }

  @Test
  void operandsMustMatchTheBoundShapes() {
    BoundExpression b = bind("ij->j", Map.of(), new long[] {2, 3});
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> ReferenceEvaluator.evaluate(b, List.of(Tensor.zeros(DType.FLOAT64, 3, 2))));
    assertTrue(e.getMessage().contains("operand 0 has shape [3, 2] but the expression was bound"
        + " to [2, 3]"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> ReferenceEvaluator.vjp(b,
        List.of(Tensor.zeros(DType.FLOAT64, 2, 3)), Tensor.zeros(DType.FLOAT64, 2)));
    assertTrue(e.getMessage().contains("the output gradient has shape [2] but the output has"
        + " shape [3]"), e.getMessage());
  }
}
