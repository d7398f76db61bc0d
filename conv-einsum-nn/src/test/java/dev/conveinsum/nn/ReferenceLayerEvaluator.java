package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.List;

/**
 * Test oracle: a layer evaluator backed by core's loop-by-loop reference evaluator (exact,
 * float64, for small sizes). Test sources only: production code runs through the facade.
 */
final class ReferenceLayerEvaluator {
  private ReferenceLayerEvaluator() {}

  static LayerEvaluator create() {
    return new LayerEvaluator() {
      @Override
      public Tensor evaluate(String expression, ConvOptions options, List<Tensor> operands) {
        return ReferenceEvaluator.evaluate(bind(expression, options, operands), operands);
      }

      @Override
      public List<Tensor> vjp(String expression, ConvOptions options, List<Tensor> operands,
          Tensor gradOutput) {
        return ReferenceEvaluator.vjp(bind(expression, options, operands), operands,
            gradOutput);
      }
    };
  }

  private static BoundExpression bind(String expression, ConvOptions options,
      List<Tensor> operands) {
    List<long[]> shapes = new ArrayList<>();
    operands.forEach(t -> shapes.add(t.shape()));
    return ConvEinsum.bind(expression, options, shapes);
  }
}
