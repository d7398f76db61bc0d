package dev.conveinsum.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Results and thread counts (see {@link Parallelism}): a given thread count gives the same bits
 * however many threads actually run (so {@link ConvEinsum#defaults()}, a fixed count, gives the
 * same bits on every machine); different counts agree within the float summation bound
 * {@code |dy| <= 2 K eps sum|x||w|}.
 */
class ThreadCountDeterminismTest {
  /** An upper bound on the terms summed into one output or gradient element in these cases. */
  private static final int MAX_TERMS = 4096;

  private record Case(String expr, ConvOptions options, long[]... shapes) {}

  private static ConvOptions cc(Padding p, int stride, int dilation) {
    return ConvOptions.fromMap(Map.of("kind", "CROSS_CORRELATION")).with("h",
        new ConvSpec(p, stride, dilation)).with("w", new ConvSpec(p, stride, dilation));
  }

  private static final List<Case> CASES = List.of(
      new Case("bshw,tshw->bthw|hw", cc(Padding.SAME, 1, 1), new long[] {8, 16, 12, 12},
          new long[] {16, 16, 3, 3}),
      new Case("bshw,tshw->bthw|hw", cc(Padding.MAX, 2, 1), new long[] {4, 32, 17, 17},
          new long[] {24, 32, 3, 3}),
      new Case("bshw,tshw->bthw|hw", cc(Padding.SAME, 1, 2), new long[] {2, 64, 9, 9},
          new long[] {8, 64, 3, 3}),
      new Case("bshw,rt,rs,rh,rw->bthw|hw", ConvOptions.DEFAULT, new long[] {4, 32, 16, 16},
          new long[] {6, 32}, new long[] {6, 32}, new long[] {6, 3}, new long[] {6, 3}),
      new Case("ij,jk->ik", ConvOptions.DEFAULT, new long[] {70, 300}, new long[] {300, 90}),
      new Case("bij,bjk->bik", ConvOptions.DEFAULT, new long[] {3, 50, 400},
          new long[] {3, 400, 40}));

  private static RunOptions options(int threads) {
    return new RunOptions(ConvEinsum.defaultEngine(), threads, Checkpoint.STORE);
  }

  private static double[] data(Tensor t) {
    return t.to(DType.FLOAT64).doubleData();
  }

  private static Tensor abs(Tensor t) {
    double[] d = data(t).clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.abs(d[i]);
    }
    return Tensor.of(d, t.shape());
  }

  private static List<Tensor> operands(Case c, DType dtype) {
    List<Tensor> ops = new ArrayList<>();
    for (int k = 0; k < c.shapes().length; k++) {
      ops.add(Tensor.random(dtype, 100 + k, c.shapes()[k]));
    }
    return ops;
  }

  @Test
  void einsumUsesAFixedThreadCountNotTheProcessorCount() {
    // issue 12: einsum used availableProcessors(), so its bits depended on the machine
    assertEquals(4, ConvEinsum.defaults().threads());
    assertEquals(ConvEinsum.DEFAULT_THREADS, ConvEinsum.defaults().threads());
  }

  @Test
  void aThreadCountGivesTheSameBitsHoweverManyThreadsRun() {
    for (Case c : CASES) {
      List<Tensor> ops = operands(c, DType.FLOAT32);
      CompiledPlan plan = ConvEinsum.compile(c.expr(), c.options(), List.of(c.shapes()));
      Tensor g = Tensor.random(DType.FLOAT32, 7, plan.bound().outputShape());
      Execution pooled = plan.execute(ops, g, ConvEinsum.defaults());
      // Inside a pool loop every kernel loop runs inline: the same tasks on one thread, as on a
      // one-processor machine.
      Execution[] alone = new Execution[1];
      Parallelism.of(2).forEach(2, i -> {
        if (i == 0) {
          alone[0] = plan.execute(ops, g, ConvEinsum.defaults());
        }
      });
      assertArrayEquals(data(pooled.output()), data(alone[0].output()), c.expr());
      for (int k = 0; k < ops.size(); k++) {
        assertArrayEquals(data(pooled.gradients().get(k)), data(alone[0].gradients().get(k)),
            c.expr() + " gradient " + k);
      }
    }
  }

  @Test
  void otherThreadCountsAgreeWithinTheSummationBound() {
    double eps = Math.ulp(1.0f) / 2;
    int compared = 0;
    for (Case c : CASES) {
      List<Tensor> ops = operands(c, DType.FLOAT32);
      CompiledPlan plan = ConvEinsum.compile(c.expr(), c.options(), List.of(c.shapes()));
      Tensor g = Tensor.random(DType.FLOAT32, 7, plan.bound().outputShape());
      // sum |x||w| per element: the same plan on absolute values, in float64
      List<Tensor> absOps = ops.stream().map(ThreadCountDeterminismTest::abs).toList();
      Execution scale = plan.execute(absOps, abs(g), options(1));
      Execution one = plan.execute(ops, g, options(1));
      for (int threads : new int[] {2, 3, 8}) {
        Execution e = plan.execute(ops, g, options(threads));
        List<double[]> want = new ArrayList<>(List.of(data(one.output())));
        List<double[]> got = new ArrayList<>(List.of(data(e.output())));
        List<double[]> bound = new ArrayList<>(List.of(data(scale.output())));
        for (int k = 0; k < ops.size(); k++) {
          want.add(data(one.gradients().get(k)));
          got.add(data(e.gradients().get(k)));
          bound.add(data(scale.gradients().get(k)));
        }
        for (int a = 0; a < want.size(); a++) {
          assertEquals(want.get(a).length, got.get(a).length);
          for (int i = 0; i < want.get(a).length; i++) {
            double diff = Math.abs(want.get(a)[i] - got.get(a)[i]);
            double limit = 2 * MAX_TERMS * eps * bound.get(a)[i];
            assertTrue(diff <= limit, c.expr() + " threads " + threads + " array " + a + " at "
                + i + ": " + diff + " > " + limit);
            compared++;
          }
        }
      }
    }
    assertTrue(compared > 100_000, "compared " + compared);
  }
}
