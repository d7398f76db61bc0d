package dev.conveinsum.benchmarks;

import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.RunOptions;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Float32 GEMM, {@code C = A B} with row-major A [M,K], B [K,N]: conv-einsum (the einsum
 * {@code ik,kj->ij} through a compiled plan, so its Vector API kernel) vs OpenBLAS
 * {@code cblas_sgemm} vs conv-einsum's scalar fallback, on 1 thread by default
 * ({@code -p threads=1,2} for both).
 *
 * <p>Measured through the public API, conv-einsum's time includes what every call pays: the
 * operand checks and a freshly allocated result (OpenBLAS writes into a preallocated C).
 * GFLOPS = 2*M*N*K / time. Shapes are {@code MxNxK}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class GemmBenchmark {

  /**
   * M x N x K: square sizes, the skinny shapes of the engine issue, and the per-group GEMMs the
   * engine runs for the tensorial layers of tnn_layers.json at batch 32 (M = output channels,
   * N = pixels, X read in place): TR-stage1 first/last step 25x1024x64 and 64x1024x25, TT-stage2
   * 32x256x128 and 128x256x32, CP-stage2 56x256x128 and 128x256x56, TK-stage2 28x256x128 (M not a
   * multiple of the 8-row tile: its last 4 rows run the 4-row tile) and 128x256x28, RCP-stage2's
   * kernel rebuild 256x576x140; plus 1024x25x64, the TR first step in the other orientation.
   */
  @Param({"256x256x256", "512x512x512", "1024x1024x1024", "64x50176x16", "16x50176x64",
      "512x512x8", "25x1024x64", "64x1024x25", "32x256x128", "128x256x32", "56x256x128",
      "128x256x56", "28x256x128", "128x256x28", "256x576x140", "1024x25x64"})
  public String shape;

  /** Threads for both libraries (OpenBLAS's own threading, our run options). */
  @Param({"1"})
  public int threads;


  private int m;
  private int n;
  private int k;
  private float[] a;
  private float[] b;
  private float[] c;
  private CompiledPlan plan;
  private List<Tensor> operands;
  private RunOptions run;
  private FloatPointer pa;
  private FloatPointer pb;
  private FloatPointer pc;

  /** Allocates and fills the operands. */
  @Setup(Level.Trial)
  public void setup() {
    String[] p = shape.split("x");
    m = Integer.parseInt(p[0]);
    n = Integer.parseInt(p[1]);
    k = Integer.parseInt(p[2]);
    Random r = new Random(1);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextFloat() - 0.5f;
    }
    plan = ConvEinsum.compile("ik,kj->ij", ConvOptions.DEFAULT,
        List.of(new long[] {m, k}, new long[] {k, n}));
    operands = List.of(Tensor.wrap(a, m, k), Tensor.wrap(b, k, n));
    run = RunOptions.DEFAULT.withThreads(threads);
    pa = new FloatPointer(a);
    pb = new FloatPointer(b);
    pc = new FloatPointer(c);
    openblas.blas_set_num_threads(threads);
    System.out.println("\n# engine: " + run.engine().name() + ", Vector API "
        + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("conveinsum.vector")) ? "on" : "off")
        + ", OpenBLAS threads: " + openblas.blas_get_num_threads() + ", core: "
        + openblas.OPENBLAS_CHAR_CORENAME);
  }

  /** Frees the off-heap buffers. */
  @TearDown(Level.Trial)
  public void tearDown() {
    pa.close();
    pb.close();
    pc.close();
  }

  /**
   * conv-einsum GEMM (Vector API when the module is enabled) through a compiled plan.
   *
   * @return C, to defeat dead-code elimination
   */
  @Benchmark
  public Tensor ours() {
    return plan.execute(operands, null, run).output();
  }

  /**
   * OpenBLAS cblas_sgemm on off-heap buffers, one thread.
   *
   * @return C, to defeat dead-code elimination
   */
  @Benchmark
  public FloatPointer openblas() {
    openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
        m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
    return pc;
  }

  /**
   * conv-einsum scalar fallback (Vector API disabled by the system property), through a compiled
   * plan.
   *
   * @return C, to defeat dead-code elimination
   */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Dconveinsum.vector=false"})
  public Tensor scalar() {
    return plan.execute(operands, null, run).output();
  }
}
