package dev.conveinsum.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.RunOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A layer runs with RECOMPUTE through the facade: the same forward values and gradients as STORE
 * (the same kernels on the same data, only the schedule differs), and a peak no higher, predicted
 * and measured (float64: the layers' factors are float64).
 */
class RecomputeLayerTest {
  private static final RunOptions STORE = RunOptions.DEFAULT.withCheckpoint(Checkpoint.STORE);
  private static final RunOptions RECOMPUTE =
      RunOptions.DEFAULT.withCheckpoint(Checkpoint.RECOMPUTE);

  @ParameterizedTest
  @EnumSource(value = Decomposition.class, names = {"CP", "TK", "TT", "TR", "RCP"})
  void recomputeEqualsStoreWithAPeakNoHigher(Decomposition d) {
    LayerSpec s = TensorialLayerTest.spec(d, 8, 1, 3);
    TensorialLayer store = TensorialLayer.random(s, 11).withRunOptions(STORE);
    TensorialLayer recompute = store.withRunOptions(RECOMPUTE);
    Tensor x = Tensor.random(DType.FLOAT64, 5, 2, 8, 6, 6);
    Tensor y = store.forward(x);
    assertArrayEquals(y.toDoubleArray(), recompute.forward(x).toDoubleArray(), 0, d + " forward");
    Tensor g = Tensor.random(DType.FLOAT64, 6, y.shape());
    LayerGradients a = store.backward(x, g);
    LayerGradients b = recompute.backward(x, g);
    assertArrayEquals(a.input().toDoubleArray(), b.input().toDoubleArray(), 0, d + " input");
    assertEquals(a.factors().size(), b.factors().size());
    for (int i = 0; i < a.factors().size(); i++) {
      assertArrayEquals(a.factors().get(i).toDoubleArray(), b.factors().get(i).toDoubleArray(),
          0, d + " factor " + i);
    }
    // the plan the layer's backward pass runs: predicted and measured peaks
    CompiledPlan plan = store.trainingPlan(2, 6, 6);
    long predictedStore = plan.predictPeakBytes(DType.FLOAT64, true, Checkpoint.STORE);
    long predictedRecompute = plan.predictPeakBytes(DType.FLOAT64, true, Checkpoint.RECOMPUTE);
    assertTrue(predictedRecompute <= predictedStore,
        d + ": predicted RECOMPUTE " + predictedRecompute + " > STORE " + predictedStore);
    List<Tensor> ops = new ArrayList<>();
    ops.add(x.reshape(s.inputShape(2, 6, 6)));
    ops.addAll(store.factors());
    Tensor gp = g.reshape(plan.bound().outputShape());
    long measuredStore = plan.execute(ops, gp, STORE).peakBytes();
    long measuredRecompute = plan.execute(ops, gp, RECOMPUTE).peakBytes();
    assertEquals(predictedStore, measuredStore, d + " STORE peak");
    assertEquals(predictedRecompute, measuredRecompute, d + " RECOMPUTE peak");
  }
}
