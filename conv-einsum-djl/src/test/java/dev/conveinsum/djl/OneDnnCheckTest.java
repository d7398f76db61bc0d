package dev.conveinsum.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.djl.OneDnnCheck.Route;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.Tolerance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The oneDNN convolution bug of libtorch 2.7.1 (float32 3x3 and 1x3 convolutions with 24 or 28
 * input channels wrong on AMD Zen 5): reproduced where this CPU has it, and in any case the
 * backend's results right, by every route it may take.
 */
class OneDnnCheckTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager(Device.cpu());
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  /**
   * The raw DJL convolution on the reported shapes: where it is wrong, the probe must have
   * steered float32 convolutions away from it; where it is right, this test says so (it is
   * reported as skipped with the measured error) rather than passing without having seen the
   * bug.
   */
  @Test
  void rawConvolutionIsWrongHereAndTheBackendAvoidsIt() {
    Object[] worst = OneDnnCheck.worstError(manager, Route.DIRECT, true);
    double raw = (Double) worst[0];
    String where = (String) worst[1];
    OneDnnCheck.Verdict v = OneDnnCheck.verdict();
    System.out.printf("oneDNN probe on this CPU: raw float32 convolution worst relative error"
        + " %.3g (%s); backend route %s%n", raw, where, v.route());
    if (raw <= OneDnnCheck.WRONG) {
      assertEquals(Route.DIRECT, v.route(), "a right raw convolution needs no detour");
      Assumptions.abort(String.format("libtorch's oneDNN computes the reported float32 3x3 and"
          + " 1x3 convolutions with 24 and 28 channels right on this CPU (worst relative error"
          + " %.3g, %s): the bug does not reproduce here", raw, where));
    }
    assertNotEquals(Route.DIRECT, v.route(), "the raw convolution is wrong (" + raw + ", "
        + where + ") but the backend still uses it");
    double routed = (Double) OneDnnCheck.worstError(manager, v.route(), true)[0];
    assertTrue(routed <= OneDnnCheck.WRONG, "route " + v.route() + " is wrong too: " + routed);
  }

  /** The detours are right on the probe's own cases, outputs and both gradients. */
  @Test
  void detoursAreRightOnTheReportedConvolutions() {
    for (Route r : new Route[] {Route.IM2COL, Route.FLOAT64}) {
      double e = (Double) OneDnnCheck.worstError(manager, r, true)[0];
      assertTrue(e <= 1e-5, r + ": worst relative error " + e);
    }
  }

  /** The system property names a route, or is refused with the values it takes. */
  @Test
  void thePropertyOverridesTheProbe() {
    assertEquals(Route.DIRECT, OneDnnCheck.decide("trust").route());
    assertEquals(Route.IM2COL, OneDnnCheck.decide("im2col").route());
    assertEquals(Route.FLOAT64, OneDnnCheck.decide(" Float64 ").route());
    assertEquals("probe", OneDnnCheck.decide("auto").source());
    dev.conveinsum.ConvEinsumException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.conveinsum.ConvEinsumException.class, () -> OneDnnCheck.decide("never"));
    assertEquals("conv_einsum: system property conveinsum.djl.onednn is 'never'; expected"
        + " auto, trust, im2col or float64", e.getMessage());
    assertEquals(Route.DIRECT, OneDnnCheck.route(ai.djl.ndarray.types.DataType.FLOAT64,
        Device.cpu()), "float64 never needs a detour");
  }

  /** Every golden case in float32 by each detour, outputs and gradients (1e-4). */
  @Test
  void goldenCasesByEachDetour() {
    for (GoldenCases.Case c : GoldenCases.all()) {
      DjlPlan plan = DjlEinsum.compile(c.expression(), c.options(), c.shapes(),
          PlanOptions.DEFAULT);
      for (Route r : new Route[] {Route.IM2COL, Route.FLOAT64}) {
        check(plan, c.operands(), c.expected(), c.gradOutput(), c.expectedGrads(), r,
            c.name() + " by " + r);
      }
    }
  }

  /**
   * The layer the bug was found in: a CP-decomposed 3x3 convolution of rank 24 and 28 (its
   * steps are depthwise 3x3 / 1x3 convolutions of 24 or 28 channels), by the route the backend
   * chose and by each detour, against the JVM engine.
   */
  @Test
  void cpLayerOfRank24And28IsRight() {
    for (int rank : new int[] {24, 28}) {
      String expr = "bshw,rt,rs,rh,rw->bthw|hw";
      ConvOptions o = ConvOptions.fromMap(Map.of("kind", "CROSS_CORRELATION",
          "conv", Map.of("h", Map.of("padding", "SAME"), "w", Map.of("padding", "SAME"))));
      List<Tensor> ops = List.of(Tensor.random(DType.FLOAT64, 1, 2, 16, 8, 8),
          Tensor.random(DType.FLOAT64, 2, rank, 16), Tensor.random(DType.FLOAT64, 3, rank, 16),
          Tensor.random(DType.FLOAT64, 4, rank, 3), Tensor.random(DType.FLOAT64, 5, rank, 3));
      Tensor want = ConvEinsum.einsum(expr, o, ops.toArray(Tensor[]::new));
      Tensor grad = Tensor.random(DType.FLOAT64, 6, want.shape());
      List<Tensor> wantGrads = ConvEinsum.vjp(expr, o, ops, grad);
      for (String optimizer : new String[] {"optimal", "naive"}) {
        DjlPlan plan = DjlEinsum.compile(expr, o, ops.stream().map(Tensor::shape).toList(),
            PlanOptions.optimizer(optimizer));
        for (Route r : new Route[] {null, Route.IM2COL, Route.FLOAT64}) {
          check(plan, ops, want, grad, wantGrads, r, "rank " + rank + " " + optimizer
              + " path by " + (r == null ? "the chosen route" : r));
        }
      }
    }
  }

  private static void check(DjlPlan plan, List<Tensor> ops, Tensor want, Tensor gradOut,
      List<Tensor> wantGrads, Route route, String what) {
    try (NDManager m = manager.newSubManager()) {
      NDArray[] xs = new NDArray[ops.size()];
      for (int k = 0; k < xs.length; k++) {
        xs[k] = DjlTensors.toNDArray(m, ops.get(k).to(DType.FLOAT32));
        xs[k].setRequiresGradient(gradOut != null);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = plan.apply(route, xs);
        Tolerance.assertClose(want, DjlTensors.toTensor(y).to(DType.FLOAT64),
            Tolerance.FLOAT32, what);
        if (gradOut != null) {
          gc.backward(y.mul(DjlTensors.toNDArray(m, gradOut.to(DType.FLOAT32))).sum());
        }
      }
      if (gradOut != null) {
        for (int k = 0; k < xs.length; k++) {
          Tolerance.assertClose(wantGrads.get(k), DjlTensors.toTensor(xs[k].getGradient())
              .to(DType.FLOAT64), Tolerance.FLOAT32, what + " gradient " + k);
        }
      }
    }
  }
}
