package dev.conveinsum.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.Execution;
import dev.conveinsum.djl.DjlEinsum;
import dev.conveinsum.djl.DjlPlan;
import dev.conveinsum.djl.DjlTensors;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code eval --engine djl}: a case evaluated by the DJL backend (the optimal path, every step a
 * DJL NDArray operation on DJL's default device), gradients from DJL's autograd.
 */
final class DjlCaseEvaluator {
  /** The engine names {@code --engine} takes. */
  static final String JVM = "jvm";
  static final String DJL = "djl";

  private DjlCaseEvaluator() {}

  /**
   * The natives come from the pytorch-native jar on the class path, so DJL never needs the
   * network; and DJL's logging must not add lines to the command's standard error when no
   * SLF4J provider is on the class path. Both only where the user set nothing.
   */
  private static void quietOffline() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
  }

  /**
   * Checks an {@code --engine} value.
   *
   * @return whether it names the DJL backend
   * @throws ConvEinsumException for an unknown name
   */
  static boolean isDjl(String engine) {
    if (DJL.equals(engine)) {
      return true;
    }
    if (JVM.equals(engine)) {
      return false;
    }
    throw new ConvEinsumException("unknown engine '" + engine + "' for --engine; expected "
        + JVM + " or " + DJL);
  }

  /**
   * Evaluates a case with the DJL backend.
   *
   * @param expression the expression
   * @param options its options
   * @param operands the operands, all of the case's element type
   * @param grad the output gradient, or null for forward only
   * @return the output and, with {@code grad}, one gradient per operand
   */
  static Execution evaluate(String expression, ConvOptions options, List<Tensor> operands,
      Tensor grad) {
    quietOffline();
    List<long[]> shapes = operands.stream().map(Tensor::shape).toList();
    DjlPlan plan = DjlEinsum.compile(expression, options, shapes, PlanOptions.DEFAULT);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray[] xs = new NDArray[operands.size()];
      for (int k = 0; k < xs.length; k++) {
        xs[k] = DjlTensors.toNDArray(manager, operands.get(k));
        xs[k].setRequiresGradient(grad != null);
      }
      if (grad == null) {
        return new Execution(DjlTensors.toTensor(plan.apply(xs)), null, 0, 0, null);
      }
      Tensor output;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = plan.apply(xs);
        output = DjlTensors.toTensor(y);
        gc.backward(y.mul(DjlTensors.toNDArray(manager, grad)).sum());
      }
      List<Tensor> grads = new ArrayList<>();
      for (NDArray x : xs) {
        grads.add(DjlTensors.toTensor(x.getGradient()));
      }
      return new Execution(output, grads, 0, 0, null);
    }
  }
}
