package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.reference.LoopEngine;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every combination of the GEMM layout flags agrees with the loop oracle, overwriting Y. */
class CpuEngineLayoutTest {
  @Test
  void everyLayoutFlagCombinationMatchesTheOracle() {
    SplittableRandom rnd = new SplittableRandom(5);
    CpuEngine cpu = new CpuEngine();
    LoopEngine loops = new LoopEngine();
    for (int i = 0; i < 200; i++) {
      int g = 1 + rnd.nextInt(i % 5 == 0 ? 80 : 4);
      int b = 1 + rnd.nextInt(9);
      int t = 1 + rnd.nextInt(9);
      int c = 1 + rnd.nextInt(9);
      ConvProblem p = new ConvProblem(g, b, t, c, List.of(), rnd.nextBoolean(),
          rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
      double[] x = random(rnd, (int) p.inputSize());
      double[] f = random(rnd, (int) p.filterSize());
      double[] want = new double[(int) p.outputSize()];
      double[] got = new double[want.length];
      java.util.Arrays.fill(got, Double.NaN); // the engine overwrites: recycled buffers are dirty
      loops.conv(p, x, f, want, 1);
      cpu.conv(p, x, f, got, 1 + i % 2);
      for (int k = 0; k < want.length; k++) {
        assertTrue(Math.abs(got[k] - want[k]) <= 1e-9 * (1 + Math.abs(want[k])),
            p + " element " + k + ": " + got[k] + " vs " + want[k]);
      }
      float[] xf = toFloat(x);
      float[] ff = toFloat(f);
      float[] gotF = new float[want.length];
      java.util.Arrays.fill(gotF, Float.NaN);
      cpu.conv(p, xf, ff, gotF, 2);
      for (int k = 0; k < want.length; k++) {
        assertTrue(Math.abs(gotF[k] - want[k]) <= 1e-4 * (1 + Math.abs(want[k])),
            p + " float32 element " + k);
      }
    }
  }

  private static double[] random(SplittableRandom rnd, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = rnd.nextDouble(-1, 1);
    }
    return d;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
