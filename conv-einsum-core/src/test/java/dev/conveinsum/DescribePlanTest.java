package dev.conveinsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A compiled plan names, per kernel step, what its engine runs, without running it; the lines are
 * the very instructions a profiled run times.
 */
class DescribePlanTest {
  private static final String CP = "bshw,rt,rs,rh,rw->bthw|hw";
  private static final List<long[]> SHAPES = List.of(new long[] {2, 6, 7, 7},
      new long[] {3, 5}, new long[] {3, 6}, new long[] {3, 3}, new long[] {3, 3});
  private static final ConvSpec SAME_SPEC = ConvSpec.DEFAULT.withPadding(Padding.SAME);
  private static final ConvOptions SAME = ConvOptions.DEFAULT
      .withKind(ConvKind.CROSS_CORRELATION).with("h", SAME_SPEC).with("w", SAME_SPEC);

  private static List<Tensor> operands() {
    Random r = new Random(7);
    List<Tensor> ts = new ArrayList<>();
    for (long[] s : SHAPES) {
      double[] d = new double[(int) Arrays.stream(s).reduce(1, (a, b) -> a * b)];
      for (int i = 0; i < d.length; i++) {
        d[i] = r.nextGaussian();
      }
      ts.add(Tensor.of(d, s));
    }
    return ts;
  }

  @Test
  void forwardLinesAreTheKernelsAProfiledRunTimes() {
    CompiledPlan plan = ConvEinsum.compile(CP, SAME, SHAPES);
    RunOptions cpu = RunOptions.DEFAULT.withEngine("cpu").withThreads(2);
    List<String> lines = plan.describe(false, cpu);
    // one kernel per pairwise step of the path
    assertEquals(plan.path().size(), lines.size(), lines::toString);
    Map<String, Long> profile = plan.execute(operands(), null, cpu.withProfile(true)).profile();
    List<String> timedKernels = profile.keySet().stream().filter(k -> k.contains(" :: "))
        .toList();
    assertEquals(lines, timedKernels);
    for (String line : lines) {
      String step = line.substring(line.indexOf(' ') + 1);
      if (step.startsWith("gemm")) {
        assertTrue(line.contains(":: GEMM"), line);
      } else {
        assertTrue(step.startsWith("depthwise") || step.startsWith("conv"), line);
      }
    }
  }

  @Test
  void trainingLinesAddTheBackwardStepsAndFollowTheEngine() {
    CompiledPlan plan = ConvEinsum.compile(CP, SAME, SHAPES, new boolean[] {true, true, true,
        true, true});
    List<String> forward = plan.describe(false, null);
    List<String> training = plan.describe(true, RunOptions.DEFAULT.withEngine("loops"));
    assertTrue(training.size() > forward.size(), training::toString);
    for (String line : training) {
      assertTrue(line.contains("loop ("), line);
    }
    Tensor grad = Tensor.of(new double[2 * 5 * 7 * 7], 2, 5, 7, 7);
    Map<String, Long> profile = plan.execute(operands(), grad,
        RunOptions.DEFAULT.withEngine("loops").withProfile(true)).profile();
    assertEquals(training, profile.keySet().stream().filter(k -> k.contains(" :: ")).toList());
  }
}
