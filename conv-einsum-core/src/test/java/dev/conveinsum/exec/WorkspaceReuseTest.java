package dev.conveinsum.exec;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A compiled plan recycles its intermediates across calls: later calls must still be right
 * (recycled buffers hold stale values, so an instruction that relies on zeros must clear them),
 * and what earlier calls returned must never be overwritten.
 */
class WorkspaceReuseTest {
  @Test
  void repeatedCallsAreCorrectAndNeverTouchEarlierResults() {
    SplittableRandom rnd = new SplittableRandom(91);
    Engine cpu = dev.conveinsum.engine.Engines.get("cpu");
    for (int i = 0; i < 120; i++) {
      RandomExpressions.Case c = RandomExpressions.next(rnd, Settings.CONV.withOperands(1, 4));
      BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
          c.convOptions(), c.shapes());
      int[][] path = ExecGoldenTest.randomPath(b.operandCount(), rnd);
      CompiledProgram plan = CompiledProgram.compile(b, path, null);
      var options = new RunOptions(cpu, 1 + i % 2, Checkpoint.values()[i % 2]);
      String what = "case " + i + ": " + c + " path " + Arrays.deepToString(path);

      List<Tensor> first = c.operands(2 * i);
      Tensor grad = Tensor.random(DType.FLOAT64, 500 + i, b.outputShape());
      Execution e1 = plan.execute(first, grad, options);
      List<double[]> saved = snapshot(e1);

      for (int call = 0; call < 3; call++) {
        List<Tensor> other = c.operands(7919L * (i + 1) + call);
        Tensor otherGrad = Tensor.random(DType.FLOAT64, 900 + call, b.outputShape());
        Execution e = call == 1 ? plan.execute(other, null, options)
            : plan.execute(other, otherGrad, options);
        assertClose(ReferenceEvaluator.evaluate(b, other), e.output(), Tolerance.FLOAT64,
            what + " call " + call);
        if (call != 1) {
          List<Tensor> want = ReferenceEvaluator.vjp(b, other, otherGrad);
          for (int k = 0; k < want.size(); k++) {
            assertClose(want.get(k), e.gradients().get(k), Tolerance.FLOAT64,
                what + " call " + call + " grad " + k);
          }
        }
      }
      List<double[]> after = snapshot(e1);
      for (int k = 0; k < saved.size(); k++) {
        assertArrayEquals(saved.get(k), after.get(k), what + ": returned tensor " + k
            + " changed by a later call");
      }
    }
  }

  private static List<double[]> snapshot(Execution e) {
    List<double[]> out = new ArrayList<>();
    out.add(e.output().toDoubleArray());
    for (Tensor g : e.gradients()) {
      out.add(g == null ? new double[0] : g.toDoubleArray());
    }
    return out;
  }
}
