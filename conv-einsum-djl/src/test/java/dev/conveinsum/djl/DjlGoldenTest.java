package dev.conveinsum.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case of the SPEC's test vectors through the DJL backend, in float64 (1e-9) and
 * float32 (1e-4): outputs, and gradients from DJL's autograd against the vectors' gradients.
 */
class DjlGoldenTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static Stream<Arguments> cases() {
    return GoldenCases.all().stream().flatMap(c -> Stream.of(Arguments.of(c, DType.FLOAT64),
        Arguments.of(c, DType.FLOAT32)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesTheGoldenVectors(GoldenCases.Case c, DType dtype) {
    double tol = dtype == DType.FLOAT64 ? Tolerance.FLOAT64 : Tolerance.FLOAT32;
    DjlPlan plan = DjlEinsum.compile(c.expression(), c.options(), c.shapes(),
        PlanOptions.DEFAULT);
    try (NDManager m = manager.newSubManager()) {
      NDArray[] ops = new NDArray[c.operands().size()];
      for (int k = 0; k < ops.length; k++) {
        ops[k] = DjlTensors.toNDArray(m, c.operands().get(k).to(dtype));
        ops[k].setRequiresGradient(c.hasGrads());
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = plan.apply(ops);
        assertEquals(dtype == DType.FLOAT64 ? "float64" : "float32",
            y.getDataType().toString().toLowerCase(java.util.Locale.ROOT));
        Tolerance.assertClose(c.expected(), DjlTensors.toTensor(y).to(DType.FLOAT64), tol,
            c.name() + " output");
        if (c.hasGrads()) {
          NDArray g = DjlTensors.toNDArray(m, c.gradOutput().to(dtype));
          gc.backward(y.mul(g).sum());
        }
      }
      if (c.hasGrads()) {
        List<Tensor> want = c.expectedGrads();
        for (int k = 0; k < ops.length; k++) {
          Tolerance.assertClose(want.get(k), DjlTensors.toTensor(ops[k].getGradient())
              .to(DType.FLOAT64), tol, c.name() + " gradient of operand " + k);
        }
      }
    }
  }
}
