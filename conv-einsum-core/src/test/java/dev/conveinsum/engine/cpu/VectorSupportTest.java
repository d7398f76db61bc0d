package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Checks the kernel selection in fresh JVMs, since it is fixed when {@link VectorSupport} loads. */
class VectorSupportTest {

  /** Entry point of the child JVM: prints the active kernels and checks a GEMM and a conv. */
  public static void main(String[] args) {
    float[] a = new float[40 * 50];
    float[] b = new float[50 * 60];
    for (int i = 0; i < a.length; i++) {
      a[i] = (i % 7) - 3;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (i % 5) - 2;
    }
    float[] c = new float[40 * 60];
    Gemm.sgemm(1, 40, 60, 50, a, 0, false, b, 0, false, c, 0, false);
    double[] want = GemmTest.naive(1, 40, 60, 50, GemmTest.toDouble(a), false, GemmTest.toDouble(b), false, null, false);
    GemmTest.assertClose(want, c, 0, 0, "gemm in child JVM");
    ConvProblem s = ConvProblem.of(2, 1, 1, 1, new ConvDim(40, 3, 40, 1, 1, 1, true, 0));
    float[] y = new float[80];
    float[] yr = new float[80];
    ConvKernel.convolve(s, a, 0, b, 0, y, 0, false, ConvKernel.Algorithm.DIRECT, Parallelism.serial());
    ConvKernel.reference(s, a, 0, b, 0, yr, 0, false);
    GemmTest.assertClose(GemmTest.toDouble(yr), y, 0, 0, "conv in child JVM");
    System.out.println("KERNELS=" + VectorSupport.description());
  }

  private static String runChild(List<String> jvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(VectorSupportTest.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void propertyForcesScalarKernels() throws Exception {
    String out = runChild(List.of("--add-modules", "jdk.incubator.vector", "-Dconveinsum.vector=false"));
    assertTrue(out.contains("KERNELS=scalar"), out);
  }

  @Test
  void missingModuleFallsBackWithOneHint() throws Exception {
    String out = runChild(List.of());
    assertTrue(out.contains("KERNELS=scalar"), out);
    long hints = out.lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).count();
    assertEquals(1, hints, out);
  }

  @Test
  void moduleEnablesVectorKernels() throws Exception {
    String out = runChild(List.of("--add-modules", "jdk.incubator.vector"));
    // Either the fast path is on, or the hardware/JVM lacks something (no FMA, C2 off) and the
    // reason was logged; never a silent fallback.
    assertTrue(out.contains("KERNELS=Vector API") || out.contains("Vector API not used ("), out);
  }

  /** The avx2-kernels surefire run relies on this flag selecting the 6-row, 256-bit kernels. */
  @Test
  void avx2FlagSelects256BitKernels() throws Exception {
    Assumptions.assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "x86 only");
    String out = runChild(List.of("--add-modules", "jdk.incubator.vector", "-XX:UseAVX=2"));
    assertTrue(out.contains("KERNELS=Vector API (256-bit)") || out.contains("Vector API not used ("), out);
  }

  @Test
  void warmUpStaysInBoundsForBothKernelSets() {
    // runs the warm-up directly (the background thread swallows failures), a few rounds each
    VectorSupport.warmUp(VectorSupport.kernels(), 20_000_000L);
    VectorSupport.warmUp(VectorSupport.scalarKernels(), 20_000_000L);
  }
}
