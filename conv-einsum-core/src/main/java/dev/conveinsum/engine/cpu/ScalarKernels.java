package dev.conveinsum.engine.cpu;

/**
 * Portable kernels in plain Java, used when the Vector API is unavailable or disabled.
 *
 * <p>The GEMM is cache-blocked (KC x NC panels of B, copied contiguous when B is transposed) with
 * an i-p-j inner order whose unit-stride innermost loop HotSpot's C2 auto-vectorises. The float32
 * code is in {@link ScalarKernelsFloat}, its generated float64 twin in {@code ScalarKernelsDouble}.
 */
final class ScalarKernels extends ScalarKernelsDouble {

  /** The one instance. */
  static final ScalarKernels INSTANCE = new ScalarKernels();

  /** Depth of a block of B. */
  static final int KC = 256;
  /** Columns of a block of B. */
  static final int NC = 1024;

  private ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
  }
}
