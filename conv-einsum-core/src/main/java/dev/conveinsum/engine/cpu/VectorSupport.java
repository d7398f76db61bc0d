package dev.conveinsum.engine.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Detects whether the incubating Vector API ({@code jdk.incubator.vector}) can be used and selects
 * the kernel implementation accordingly.
 *
 * <p>The vectorised kernels are several times faster than the scalar ones (about 25x for GEMM on
 * an AVX-512 machine), but the module is incubating on JDK 17 and must be enabled explicitly with
 * {@code --add-modules jdk.incubator.vector}. Following Lucene's approach, the vectorised class is
 * loaded reflectively only after {@code ModuleLayer.boot().findModule("jdk.incubator.vector")}
 * succeeds, so it never links without the module. When the module is absent, one line is logged
 * through {@link System.Logger} explaining how to enable the fast path. The system property {@code
 * conveinsum.vector=false} forces the scalar kernels.
 */
public final class VectorSupport {

  /** System property that disables the Vector API kernels when set to {@code false}. */
  public static final String PROPERTY = "conveinsum.vector";

  private static final String MODULE = "jdk.incubator.vector";
  private static final String IMPL = "dev.conveinsum.engine.cpu.VectorKernels";

  private static final CpuKernels KERNELS = load();

  private VectorSupport() {}

  /**
   * Returns whether the kernels in this package run on the Vector API.
   *
   * @return true when the vectorised kernels are active, false when the scalar fallback is used
   */
  public static boolean isVectorized() {
    return KERNELS != ScalarKernels.INSTANCE;
  }

  /**
   * Describes the active kernel implementation, for logs and benchmark reports.
   *
   * @return e.g. {@code "Vector API (512-bit)"} or {@code "scalar"}
   */
  public static String description() {
    return KERNELS.name();
  }

  /** The active kernels. */
  static CpuKernels kernels() {
    return KERNELS;
  }

  /** The scalar kernels, regardless of what is active (tests, benchmarks of the fallback). */
  static CpuKernels scalarKernels() {
    return ScalarKernels.INSTANCE;
  }

  private static CpuKernels load() {
    System.Logger log = System.getLogger(VectorSupport.class.getName());
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
      log.log(System.Logger.Level.INFO, "conv-einsum: Vector API disabled by -D" + PROPERTY + "=false; using scalar kernels");
      return ScalarKernels.INSTANCE;
    }
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      log.log(
          System.Logger.Level.WARNING,
          "conv-einsum: module " + MODULE + " is not enabled; using slower scalar kernels."
              + " Add the JVM option --add-modules " + MODULE + " to enable the fast path.");
      return ScalarKernels.INSTANCE;
    }
    try {
      Class<?> impl = Class.forName(IMPL, true, VectorSupport.class.getClassLoader());
      return (CpuKernels)
          MethodHandles.lookup()
              .findStatic(impl, "create", MethodType.methodType(impl))
              .invoke();
    } catch (UnsupportedOperationException e) {
      log.log(System.Logger.Level.WARNING, "conv-einsum: Vector API not used (" + e.getMessage() + "); using scalar kernels");
      return ScalarKernels.INSTANCE;
    } catch (Throwable e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      log.log(System.Logger.Level.WARNING, "conv-einsum: Vector API kernels failed to load (" + e + "); using scalar kernels");
      return ScalarKernels.INSTANCE;
    }
  }
}
