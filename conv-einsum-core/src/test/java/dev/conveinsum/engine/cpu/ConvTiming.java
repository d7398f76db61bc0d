package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Plain timing harness for the workload shapes of the tensorial-layer benchmarks (not a test).
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:DEPS
 * dev.conveinsum.engine.cpu.ConvTiming [filter]}. Prints the best-of-N milliseconds per shape after
 * at least 1.5 s of warm-up per shape, float32, 2 threads.
 */
public final class ConvTiming {

  private ConvTiming() {}

  static ConvDim same(int in, boolean flip) {
    return new ConvDim(in, 3, in, 1, 1, 1, flip, 0);
  }

  static ConvDim grad(int in, boolean flip) {
    return new ConvDim(in, in, 3, 1, 1, 0, flip, 0);
  }

  /** Named workload shapes; gemm shapes have no dims. */
  static List<Object[]> shapes() {
    List<Object[]> s = new ArrayList<>();
    s.add(new Object[] {"dw1d G56 B512 T1 C1 16*3", ConvProblem.of(56, 512, 1, 1, same(16, false))});
    s.add(new Object[] {"1d G1 B512 T32 C32 16*3", ConvProblem.of(1, 512, 32, 32, same(16, false))});
    s.add(new Object[] {"1d G1 B5120 T5 C5 32*3", ConvProblem.of(1, 5120, 5, 5, same(32, false))});
    s.add(new Object[] {"2d G1 B32 T28 C28 16x16 3x3", ConvProblem.of(1, 32, 28, 28, same(16, false), same(16, false))});
    s.add(new Object[] {"2d G1 B32 T128 C128 16x16 3x3", ConvProblem.of(1, 32, 128, 128, same(16, false), same(16, false))});
    for (boolean flip : new boolean[] {false, true}) {
      String f = flip ? " flip" : "";
      s.add(new Object[] {"wg G56 B1 T1 C512 16*16->3" + f, ConvProblem.of(56, 1, 1, 512, grad(16, flip))});
      s.add(new Object[] {"wg G1 B32 T32 C512 16*16->3" + f, ConvProblem.of(1, 32, 32, 512, grad(16, flip))});
      s.add(new Object[] {"wg G1 B128 T128 C32 2d->3x3" + f, ConvProblem.of(1, 128, 128, 32, grad(16, flip), grad(16, flip))});
      s.add(new Object[] {"wg G1 B28 T28 C32 2d->3x3" + f, ConvProblem.of(1, 28, 28, 32, grad(16, flip), grad(16, flip))});
      s.add(new Object[] {"wg G1 B5 T5 C5120 32*32->3" + f, ConvProblem.of(1, 5, 5, 5120, grad(32, flip))});
    }
    int[][] gemms = {
      {1, 8192, 128, 32}, {1, 8192, 32, 128}, {1, 8192, 56, 128}, {1, 128, 56, 8192}, {1, 56, 128, 8192},
      {140, 64, 9, 1}, {140, 16, 16, 1}, {140, 16, 1, 16}, {1, 256, 576, 140}};
    for (int[] g : gemms) {
      s.add(new Object[] {"gemm G" + g[0] + " B" + g[1] + " T" + g[2] + " C" + g[3], ConvProblem.of(g[0], g[1], g[2], g[3])});
    }
    return s;
  }

  static final ConvKernel.Algorithm FORCE = System.getProperty("algo") == null ? null
      : ConvKernel.Algorithm.valueOf(System.getProperty("algo"));

  static void run(CpuEngine eng, ConvProblem p, float[] x, float[] w, float[] y) {
    if (FORCE != null && !p.dims().isEmpty()) {
      ConvKernel.convolve(p, x, 0, w, 0, y, 0, false, FORCE, Parallelism.of(2));
    } else {
      eng.conv(p, x, w, y, 2);
    }
  }

  public static void main(String[] args) {
    String filter = args.length > 0 ? args[0] : "";
    double warm = args.length > 1 ? Double.parseDouble(args[1]) : 1.5;
    CpuEngine eng = new CpuEngine();
    for (int pass = 0; pass < 2; pass++) {
      measure(eng, filter, pass == 0 ? warm : 0.3, pass == 1);
    }
  }

  static void measure(CpuEngine eng, String filter, double warm, boolean print) {
    Random r = new Random(1);
    for (Object[] e : shapes()) {
      String name = (String) e[0];
      if (!name.contains(filter)) {
        continue;
      }
      ConvProblem p = (ConvProblem) e[1];
      float[] x = new float[(int) p.inputSize()];
      float[] w = new float[(int) p.filterSize()];
      float[] y = new float[(int) p.outputSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextFloat() - 0.5f;
      }
      for (int i = 0; i < w.length; i++) {
        w[i] = r.nextFloat() - 0.5f;
      }
      long end = System.nanoTime() + (long) (warm * 1e9);
      while (System.nanoTime() < end) {
        run(eng, p, x, w, y);
      }
      double[] t = new double[15];
      for (int i = 0; i < t.length; i++) {
        long t0 = System.nanoTime();
        run(eng, p, x, w, y);
        t[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(t);
      if (!print) {
        continue;
      }
      String algo = p.dims().isEmpty() ? "gemm" : FORCE != null ? "*" + FORCE : ConvKernel.choose(p).toString();
      String est = p.dims().isEmpty() ? "" : Arrays.toString(
          Arrays.stream(ConvKernel.estimate(p)).map(v -> Math.round(v / 1e3) / 1e3).toArray());
      System.out.printf("%-36s %-7s min %8.3f  med %8.3f ms  (%.1f MMAC) est1t %s%n", name, algo, t[0],
          t[t.length / 2], p.multiplyAdds() / 1e6, est);
    }
  }
}
