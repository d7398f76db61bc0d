package dev.conveinsum.exec;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A convolved index of length 0 in one operand: no pair of positions meets, so the result and
 * every gradient are empty sums. Found by PlannerFuzzTest (a gradient step built a filter of
 * length 0, which the engine refuses).
 */
class EmptyConvAxisTest {

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "db,ab,da->ab|d; 7x1,0x1,7x0",
      "db,ab,,da,bbd,c,|d; 7x1,0x1,,7x0,1x1x3,2,"})
  void forwardAndGradientsMatchTheReference(String expression, String shapeList) {
    ConvOptions options = ConvOptions.DEFAULT.withKind(ConvKind.CONVOLUTION);
    String[] parts = shapeList.split(",", -1);
    List<long[]> shapes = new ArrayList<>();
    for (String p : parts) {
      shapes.add(p.isEmpty() ? new long[0]
          : Arrays.stream(p.split("x")).mapToLong(Long::parseLong).toArray());
    }
    BoundExpression b = BoundExpression.bind(Expression.parse(expression), options, shapes);
    List<Tensor> ops = new ArrayList<>();
    for (int k = 0; k < shapes.size(); k++) {
      ops.add(Tensor.random(DType.FLOAT64, 11 + k, shapes.get(k)));
    }
    Tensor want = ReferenceEvaluator.evaluate(b, ops);
    Tolerance.assertClose(want, ConvEinsum.einsum(expression, options,
        ops.toArray(Tensor[]::new)), Tolerance.FLOAT64, expression);
    Tensor g = Tensor.random(DType.FLOAT64, 5, b.outputShape());
    List<Tensor> wantGrads = ReferenceEvaluator.vjp(b, ops, g);
    for (String optimizer : List.of("optimal", "greedy")) {
      PlanInfo info = ConvEinsum.path(expression, options, shapes,
          PlanOptions.optimizer(optimizer));
      CompiledProgram plan = CompiledProgram.compile(b,
          info.path().pairs().toArray(int[][]::new), null);
      Execution e = plan.execute(ops, g, RunOptions.DEFAULT);
      Tolerance.assertClose(want, e.output(), Tolerance.FLOAT64, expression);
      for (int k = 0; k < ops.size(); k++) {
        Tolerance.assertClose(wantGrads.get(k), e.gradients().get(k), Tolerance.FLOAT64,
            expression + " " + optimizer + " gradient " + k);
      }
    }
    List<Tensor> got = ConvEinsum.vjp(expression, options, ops, g);
    for (int k = 0; k < ops.size(); k++) {
      Tolerance.assertClose(wantGrads.get(k), got.get(k), Tolerance.FLOAT64,
          expression + " gradient " + k);
    }
  }
}
