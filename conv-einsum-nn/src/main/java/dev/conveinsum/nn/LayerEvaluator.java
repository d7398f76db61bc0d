package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.RunOptions;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.Tensor;
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

  /** Returns the evaluator layers use unless told otherwise: {@link #fast()}. */
  static LayerEvaluator defaultEvaluator() {
    return fast();
  }

  /**
   * Returns an evaluator backed by {@link ConvEinsum} with {@link RunOptions#DEFAULT}: optimal
   * path, compiled and cached plans, the fastest engine; gradients by the plan's reverse mode.
   */
  static LayerEvaluator fast() {
    return of(RunOptions.DEFAULT);
  }

  /**
   * Returns an evaluator backed by {@link ConvEinsum} with the given run options: the engine, the
   * threads, and what the backward pass keeps ({@link dev.conveinsum.Checkpoint#RECOMPUTE} gives
   * the same gradients with a peak no higher than STORE's).
   *
   * @param run the run options
   * @return the evaluator
   */
  static LayerEvaluator of(RunOptions run) {
    ConvEinsumException.requireNonNull(run, "the run options");
    return new LayerEvaluator() {
      @Override
      public Tensor evaluate(String expression, ConvOptions options, List<Tensor> operands) {
        return ConvEinsum.einsum(expression, options, run, operands.toArray(Tensor[]::new));
      }

      @Override
      public List<Tensor> vjp(String expression, ConvOptions options, List<Tensor> operands,
          Tensor gradOutput) {
        return ConvEinsum.vjp(expression, options, run, operands, gradOutput);
      }
    };
  }
}
