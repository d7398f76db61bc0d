package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.engine.reference.ReferenceEvaluator;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What a tensorial layer needs from an engine: evaluate one conv_einsum, and its vector-Jacobian
 * product. The layers call only this interface, so an engine is swapped in one place,
 * {@link #defaultEvaluator()}.
 */
public interface LayerEvaluator {

  /**
   * Evaluates an expression.
   *
   * @param expression the expression, e.g. {@code "bshw,rt,rs,rh,rw->bthw|hw"}
   * @param options the convolution options
   * @param operands one tensor per input term
   * @return the result
   */
  Tensor evaluate(String expression, ConvOptions options, List<Tensor> operands);

  /**
   * Returns the gradient of {@code <gradOutput, evaluate(...)>} with respect to every operand.
   *
   * @param expression the expression
   * @param options the convolution options
   * @param operands one tensor per input term
   * @param gradOutput a tensor of the output's shape
   * @return one gradient per operand, each of that operand's shape
   */
  List<Tensor> vjp(String expression, ConvOptions options, List<Tensor> operands,
      Tensor gradOutput);

  /**
   * Returns the evaluator layers use unless told otherwise: today the exact (and slow)
   * {@link ReferenceEvaluator}; point this at the fast engine once it exists.
   */
  static LayerEvaluator defaultEvaluator() {
    return fast();
  }

  /**
   * Returns an evaluator backed by {@link ConvEinsum}: optimal path, compiled and cached plans,
   * the fastest engine; gradients by the plan's reverse mode.
   */
  static LayerEvaluator fast() {
    return new LayerEvaluator() {
      @Override
      public Tensor evaluate(String expression, ConvOptions options, List<Tensor> operands) {
        return ConvEinsum.einsum(expression, options, operands.toArray(Tensor[]::new));
      }

      @Override
      public List<Tensor> vjp(String expression, ConvOptions options, List<Tensor> operands,
          Tensor gradOutput) {
        return ConvEinsum.vjp(expression, options, operands, gradOutput);
      }
    };
  }

  /** Returns an evaluator backed by the reference evaluator (exact, float64, for small sizes). */
  static LayerEvaluator reference() {
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

      private BoundExpression bind(String expression, ConvOptions options,
          List<Tensor> operands) {
        List<long[]> shapes = new ArrayList<>();
        operands.forEach(t -> shapes.add(t.shape()));
        return BoundExpression.bind(Expression.parse(expression), options, shapes);
      }
    };
  }
}
