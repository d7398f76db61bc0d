package dev.conveinsum.benchmarks;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvKernel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-threaded float32 convolution, each algorithm forced.
 *
 * <ul>
 *   <li>{@code dense56}: batch 32, 64 -&gt; 64 channels, 56x56, 3x3, padding 1.
 *   <li>{@code depthwise32}: 256 groups (e.g. rank 8 x batch 32), C = T = 1, 32x32, 3x3, padding 1.
 *   <li>{@code long1d}: batch 8, 8 -&gt; 8 channels, length 4096, filter 256, padding 128.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ConvBenchmark {

  /** The convolution. */
  @Param({"dense56", "depthwise32", "long1d"})
  public String problem;

  /** The algorithm forced. */
  @Param({"DIRECT", "IM2COL", "FFT"})
  public String algorithm;

  private ConvProblem shape;
  private float[] x;
  private float[] w;
  private float[] y;
  private ConvKernel.Algorithm algo;

  /** Allocates and fills the operands. */
  @Setup(Level.Trial)
  public void setup() {
    ConvDim d56 = new ConvDim(56, 3, 56, 1, 1, 1, false, 0);
    ConvDim d32 = new ConvDim(32, 3, 32, 1, 1, 1, false, 0);
    shape = switch (problem) {
      case "dense56" -> ConvProblem.of(1, 32, 64, 64, d56, d56);
      case "depthwise32" -> ConvProblem.of(256, 1, 1, 1, d32, d32);
      case "long1d" -> ConvProblem.of(1, 8, 8, 8, new ConvDim(4096, 256, 4096, 1, 1, 128, false, 0));
      default -> throw new IllegalArgumentException(problem);
    };
    algo = ConvKernel.Algorithm.valueOf(algorithm);
    Random r = new Random(1);
    x = new float[Math.toIntExact(shape.inputSize())];
    w = new float[Math.toIntExact(shape.filterSize())];
    y = new float[Math.toIntExact(shape.outputSize())];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() - 0.5f;
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextFloat() - 0.5f;
    }
    System.out.println("\n# " + problem + ": " + shape.multiplyAdds() + " multiply-adds; AUTO picks "
        + ConvKernel.choose(shape));
  }

  /**
   * One convolution with the forced algorithm, one thread.
   *
   * @return Y, to defeat dead-code elimination
   */
  @Benchmark
  public float[] conv() {
    ConvKernel.convolve(shape, x, 0, w, 0, y, 0, false, algo, Parallelism.serial());
    return y;
  }
}
