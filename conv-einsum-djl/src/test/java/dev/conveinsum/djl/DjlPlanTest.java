package dev.conveinsum.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public API of the DJL backend: planning options, errors, types, managers, threads. */
class DjlPlanTest {
  private static final String CP = "bshw,rt,rs,rh,rw->bthw|hw";
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static List<long[]> cpShapes() {
    return List.of(new long[] {2, 4, 6, 6}, new long[] {3, 5}, new long[] {3, 4},
        new long[] {3, 3}, new long[] {3, 3});
  }

  private static List<Tensor> cpTensors() {
    List<Tensor> out = new ArrayList<>();
    int seed = 1;
    for (long[] s : cpShapes()) {
      out.add(Tensor.random(DType.FLOAT64, seed++, s));
    }
    return out;
  }

  @Test
  void planOptionsChooseThePathAndTheReportTellsIt() {
    DjlPlan naive = DjlEinsum.compile(CP, null, cpShapes(), PlanOptions.optimizer("naive"));
    DjlPlan optimal = DjlEinsum.compile(CP, null, cpShapes(), PlanOptions.optimizer("optimal"));
    assertEquals("naive", naive.info().optimizer());
    assertEquals("[[0,1],[0,3],[0,2],[0,1]]", naive.info().path().toString().replace(" ", ""));
    assertTrue(optimal.info().flops() <= naive.info().flops());
    assertArrayEquals(new long[] {2, 5, 6, 6}, optimal.outputShape());
    DjlPlan trained = DjlEinsum.compile(CP, null, cpShapes(),
        PlanOptions.optimizer("optimal").withTrain(Set.of(1, 2, 3, 4)));
    assertTrue(trained.info().trainFlops().isPresent());
  }

  @Test
  void bothPathsGiveTheSameResult() {
    List<Tensor> ops = cpTensors();
    Tensor want = ConvEinsum.einsum(CP, ConvOptions.DEFAULT, ops.toArray(Tensor[]::new));
    for (String opt : new String[] {"naive", "optimal", "greedy"}) {
      DjlPlan plan = DjlEinsum.compile(CP, null, cpShapes(), PlanOptions.optimizer(opt));
      try (NDManager m = manager.newSubManager()) {
        NDArray y = plan.apply(arrays(m, ops, DType.FLOAT64));
        Tolerance.assertClose(want, DjlTensors.toTensor(y), Tolerance.FLOAT64, opt);
      }
    }
  }

  @Test
  void einsumPlansAndEvaluatesInOneCall() {
    Map<String, Object> opts = Map.of("kind", "CROSS_CORRELATION",
        "conv", Map.of("h", Map.of("padding", List.of(1, 1), "stride", 2),
            "w", Map.of("padding", "CIRCULAR", "dilation", 2)));
    ConvOptions o = ConvOptions.fromMap(opts);
    List<Tensor> ops = List.of(Tensor.random(DType.FLOAT64, 1, 2, 3, 7, 8),
        Tensor.random(DType.FLOAT64, 2, 4, 3, 3, 3));
    Tensor want = ConvEinsum.einsum("bshw,tshw->bthw|hw", o, ops.toArray(Tensor[]::new));
    try (NDManager m = manager.newSubManager()) {
      NDArray y = DjlEinsum.einsum("bshw,tshw->bthw|hw", o, arrays(m, ops, DType.FLOAT64));
      Tolerance.assertClose(want, DjlTensors.toTensor(y), Tolerance.FLOAT64, "einsum");
    }
  }

  @Test
  void mixedTypesGiveFloat64AndGradientsOfEachOperandsType() {
    List<Tensor> ops = cpTensors();
    Tensor grad = Tensor.random(DType.FLOAT64, 9, 2, 5, 6, 6);
    List<Tensor> want = ConvEinsum.vjp(CP, ConvOptions.DEFAULT, ops, grad);
    DjlPlan plan = DjlEinsum.compile(CP, null, cpShapes(), null);
    try (NDManager m = manager.newSubManager()) {
      NDArray[] xs = arrays(m, ops, DType.FLOAT64);
      xs[0] = DjlTensors.toNDArray(m, ops.get(0).to(DType.FLOAT32));
      for (NDArray x : xs) {
        x.setRequiresGradient(true);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = plan.apply(xs);
        assertEquals(DataType.FLOAT64, y.getDataType());
        gc.backward(y.mul(DjlTensors.toNDArray(m, grad)).sum());
      }
      assertEquals(DataType.FLOAT32, xs[0].getGradient().getDataType());
      Tolerance.assertClose(want.get(0), DjlTensors.toTensor(xs[0].getGradient())
          .to(DType.FLOAT64), Tolerance.FLOAT32, "float32 operand");
      for (int k = 1; k < xs.length; k++) {
        Tolerance.assertClose(want.get(k), DjlTensors.toTensor(xs[k].getGradient()),
            Tolerance.FLOAT32, "operand " + k);
      }
    }
  }

  @Test
  void theResultLivesInTheFirstOperandsManagerAndIntermediatesAreFreed() {
    DjlPlan plan = DjlEinsum.compile(CP, null, cpShapes(), null);
    try (NDManager m = manager.newSubManager(); NDManager other = manager.newSubManager()) {
      NDArray[] xs = arrays(m, cpTensors(), DType.FLOAT32);
      xs[2] = xs[2].duplicate();
      xs[2].attach(other);
      int before = m.getManagedArrays().size();
      NDArray y = plan.apply(xs);
      assertSame(m, y.getManager());
      // The result is the only new array; the operands went back to their own managers.
      assertEquals(before + 1, m.getManagedArrays().size());
      assertSame(other, xs[2].getManager());
      assertSame(m, xs[0].getManager());
    }
  }

  @Test
  void anIdentityHandsBackACopy() {
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
      NDArray y = DjlEinsum.einsum("ij->ij", null, x);
      assertNotSame(x, y);
      assertArrayEquals(x.toFloatArray(), y.toFloatArray());
      x.close();
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, y.toFloatArray());
    }
  }

  @Test
  void badOperandsAreClearErrors() {
    DjlPlan plan = DjlEinsum.compile("ij,jk->ik", null, List.of(new long[] {2, 3},
        new long[] {3, 4}), null);
    try (NDManager m = manager.newSubManager()) {
      NDArray a = m.zeros(new Shape(2, 3));
      NDArray b = m.zeros(new Shape(3, 4));
      ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> plan.apply(a));
      assertEquals("conv_einsum: the expression \"ij,jk->ik\" has 2 operands but 1 arrays were"
          + " given", e.getMessage());
      e = assertThrows(ConvEinsumException.class, () -> plan.apply(a, a));
      assertEquals("conv_einsum: operand 1 has shape [2, 3] but the plan was compiled for"
          + " [3, 4]", e.getMessage());
      NDArray ints = m.zeros(new Shape(3, 4), DataType.INT32);
      e = assertThrows(ConvEinsumException.class, () -> plan.apply(a, ints));
      assertEquals("conv_einsum: operand 1 has data type int32; the DJL backend takes float32"
          + " or float64", e.getMessage());
      assertEquals(2, plan.apply(a, b).getShape().dimension());
    }
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> DjlEinsum.compile(
        "ij,jk->iq", null, List.of(new long[] {2, 3}, new long[] {3, 4}), null));
    assertTrue(e.getMessage().contains("'q'"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> DjlEinsum.compile("ij,jk->ik", null,
        List.of(new long[] {2, 3}, new long[] {3, 4}), PlanOptions.optimizer("fastest")));
    assertTrue(e.getMessage().contains("fastest"), e.getMessage());
    assertThrows(ConvEinsumException.class, () -> DjlEinsum.einsum("ij", null));
  }

  @Test
  void onePlanServesSeveralThreadsAtOnce() throws Exception {
    List<Tensor> ops = cpTensors();
    Tensor want = ConvEinsum.einsum(CP, ConvOptions.DEFAULT, ops.toArray(Tensor[]::new));
    DjlPlan plan = DjlEinsum.compile(CP, null, cpShapes(), null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Tensor>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> {
          try (NDManager m = manager.newSubManager()) {
            return DjlTensors.toTensor(plan.apply(arrays(m, ops, DType.FLOAT64)));
          }
        }));
      }
      for (Future<Tensor> f : results) {
        Tolerance.assertClose(want, f.get(), Tolerance.FLOAT64, "thread");
      }
    } finally {
      pool.shutdown();
    }
  }

  private static NDArray[] arrays(NDManager m, List<Tensor> ops, DType dtype) {
    NDArray[] xs = new NDArray[ops.size()];
    for (int k = 0; k < xs.length; k++) {
      xs[k] = DjlTensors.toNDArray(m, ops.get(k).to(dtype));
    }
    return xs;
  }
}
