package dev.conveinsum.engine.reference;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.testing.GoldenCases.Case;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceGoldenTest {
  static Stream<Case> cases() {
    return GoldenCases.all().stream();
  }

  static Stream<Case> casesWithGradients() {
    return GoldenCases.all().stream().filter(Case::hasGrads);
  }

  @Test
  void allEightyFourCasesAreLoaded() {
    assertEquals(84, GoldenCases.all().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void outputMatches(Case c) {
    BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()), c.options(),
        c.shapes());
    assertClose(c.expected(), ReferenceEvaluator.evaluate(b, c.operands()), Tolerance.FLOAT64,
        c.name());
  }

  @Test
  void fortySevenCasesHaveGradients() {
    assertEquals(47, casesWithGradients().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("casesWithGradients")
  void gradientsMatch(Case c) {
    BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()), c.options(),
        c.shapes());
    List<dev.conveinsum.tensor.Tensor> grads =
        ReferenceEvaluator.vjp(b, c.operands(), c.gradOutput());
    for (int k = 0; k < grads.size(); k++) {
      assertClose(c.expectedGrads().get(k), grads.get(k), Tolerance.FLOAT64,
          c.name() + " grad " + k);
    }
  }
}
