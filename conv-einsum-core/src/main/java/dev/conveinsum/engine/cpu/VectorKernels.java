package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.DL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

/**
 * Kernels on the incubating Vector API ({@code jdk.incubator.vector}): the float32 code of
 * {@link VectorKernelsFloat} (GEMM in {@link VectorGemmFloat} and {@link VectorMicroFloat}, rows
 * in {@link VectorRowsFloat}, segment dots in {@link VectorDotsFloat}) and its generated float64
 * twins ({@code *Double}). Block sizes and species: {@link VectorShapes}.
 *
 * <p>Only {@link VectorSupport} refers to this class, reflectively and only after checking that the
 * module is in the boot layer, so it never links without the module.
 */
final class VectorKernels extends VectorKernelsDouble {

  private VectorKernels() {}

  /**
   * Creates the kernels, or throws when the preferred vector species is too narrow to pay off.
   *
   * @return the kernels
   */
  static VectorKernels create() {
    if (FS.vectorBitSize() < 128 || DL < 2) {
      throw new UnsupportedOperationException(
          "preferred vector size " + FS.vectorBitSize() + " bits is too small");
    }
    // Without hardware FMA (e.g. -XX:UseAVX=0) Vector.fma() is emulated lane by lane, about 100x
    // slower than scalar code; without C2 the Vector API is not intrinsified at all.
    if ("false".equals(vmOption("UseFMA"))) {
      throw new UnsupportedOperationException("the JVM does not use hardware FMA (UseFMA=false)");
    }
    String level = vmOption("TieredStopAtLevel");
    if (level != null && level.matches("\\d+") && Integer.parseInt(level) < 4) {
      throw new UnsupportedOperationException("C2 is disabled (TieredStopAtLevel=" + level + ")");
    }
    return new VectorKernels();
  }

  /** Reads a HotSpot VM option, or null when unavailable (no java.management, other VM). */
  private static String vmOption(String name) {
    try {
      return java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption(name)
          .getValue();
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  @Override
  public String name() {
    return "Vector API (" + FS.vectorBitSize() + "-bit)";
  }
}
