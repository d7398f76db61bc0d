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

  /** System property that disables the background warm-up of the vector kernels when "false". */
  public static final String WARMUP_PROPERTY = "conveinsum.warmup";

  private static final CpuKernels KERNELS = load();

  static {
    if (KERNELS != ScalarKernels.INSTANCE
        && !"false".equalsIgnoreCase(System.getProperty(WARMUP_PROPERTY, "true").trim())) {
      Thread t = new Thread(() -> {
        try {
          warmUp(KERNELS, 1_500_000_000L);
        } catch (RuntimeException e) {
          // best effort: a warm-up failure must never break the engine
        }
      }, "conv-einsum-warmup");
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      t.start();
    }
  }

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

  /** Warm-up vectors of {@code convTiles}: windows, and Y offsets in units of 16 (the fourth lane by lane). */
  private static final int[] TILE_VEC_P = {0, 16, 32, 48, 64, 80};
  private static final int[] TILE_VEC_Y = {0, 16, 32, -1, 64, 80};

  /** Lane-by-lane destinations of the warm-up's fourth vector: every other lane. */
  private static int[] tileLanes(int lanes) {
    int[] d = new int[lanes];
    for (int l = 0; l < lanes; l++) {
      d[l] = l % 2 == 0 ? 48 + l : -1;
    }
    return d;
  }

  /**
   * Runs every branch of the vector kernels (GEMM tiles and edges, packed and unpacked B, the
   * transposed and dot-product paths, row correlations of several tap shapes) on small data for
   * up to {@code budgetNanos}, on a daemon thread at class load. Without it the Vector API code
   * runs in C1, where it is not intrinsified and about 100 times slower, until each kernel has
   * been called thousands of times; and a kernel that C2 compiled with a narrow profile
   * deoptimises back to C1 when a new shape takes an untried branch. Disabled with
   * {@code -Dconveinsum.warmup=false}.
   */
  static void warmUp(CpuKernels k, long budgetNanos) {
    long end = System.nanoTime() + budgetNanos;
    float[] af = new float[64 * 600];
    float[] bf = new float[64 * 600];
    float[] cf = new float[80 * 80];
    double[] ad = new double[64 * 600];
    double[] bd = new double[64 * 600];
    double[] cd = new double[80 * 80];
    for (int i = 0; i < af.length; i++) {
      af[i] = (i % 7) * 0.25f;
      bf[i] = (i % 5) * 0.5f;
      ad[i] = af[i];
      bd[i] = bf[i];
    }
    // {m, n, k, transB}; 28 rows end in the 4-row tile (a TK layer's channels)
    int[][] gemms = {
      {8, 32, 64, 0}, {40, 70, 300, 0}, {13, 45, 40, 0}, {16, 64, 96, 1}, {40, 33, 70, 1},
      {70, 3, 64, 0}, {1, 3, 600, 1}, {5, 15, 500, 1}, {3, 8, 300, 1}, {6, 48, 32, 0},
      {28, 64, 40, 0}};
    int[] rows = new int[300];
    for (int p = 0; p < rows.length; p++) {
      rows[p] = (p * 97) % 30000;
    }
    int[] dotRows = {0, 300, 600, 900, 1200, 1500, 1800, 2100};
    int[] segs = {0, 60, 120, 3000, 3060, 3120};
    for (int round = 0; round < 3000 && System.nanoTime() < end; round++) {
      boolean acc = (round & 1) == 1;
      for (int[] g : gemms) {
        int m = g[0];
        int n = g[1];
        int kk = g[2];
        int bRs = g[3] == 1 ? 1 : n;
        int bCs = g[3] == 1 ? kk : 1;
        k.sgemm(m, n, kk, af, 0, kk, 1, bf, 0, bRs, bCs, cf, 0, n, acc);
        k.dgemm(m, n, kk, ad, 0, kk, 1, bd, 0, bRs, bCs, cd, 0, n, acc);
        // the same products with A packed once (CpuEngine's products sharing one F), so that
        // the blocked loop's profile has seen both forms of A
        float[][] pf = k.sgemmPackA(m, n, kk, af, 0, kk, 1, bRs);
        if (pf != null) {
          k.sgemmPackedA(m, n, kk, pf, bf, 0, bRs, bCs, cf, 0, n, acc);
        }
        double[][] pd = k.dgemmPackA(m, n, kk, ad, 0, kk, 1, bRs);
        if (pd != null) {
          k.dgemmPackedA(m, n, kk, pd, bd, 0, bRs, bCs, cd, 0, n, acc);
        }
      }
      for (int taps1 = 1; taps1 <= 3; taps1 += 2) {
        for (int taps2 : new int[] {1, 3, 5, 16}) {
          for (int len : new int[] {16, 37, 64}) {
            int stride = 1 + (round + len) % 2;
            int dil = 1 + (round / 2 + taps2) % 2;
            k.corrRow(cf, 0, len, af, 0, 200, stride, dil, bf, 0, taps1, taps2);
            k.corrRow(cd, 0, len, ad, 0, 200, stride, dil, bd, 0, taps1, taps2);
          }
        }
      }
      // the implicit im2col's tiles: a full and a part-filled tile, a vector stored lane by
      // lane, a filter tail past the 4-row panels
      int lanesF = k.floatLanes() > 1 ? k.floatLanes() : 16;
      int lanesD = k.doubleLanes() > 1 ? k.doubleLanes() : 16;
      k.convTiles(6, 90, af, 0, bf, round % 3, rows, lanesF, TILE_VEC_P, TILE_VEC_Y, tileLanes(lanesF),
          0, TILE_VEC_P.length, cf, 0, 100, acc);
      k.convTiles(6, 90, ad, 0, bd, round % 3, rows, lanesD, TILE_VEC_P, TILE_VEC_Y, tileLanes(lanesD),
          0, TILE_VEC_P.length, cd, 0, 100, acc);
      if (round % 4 == 0 && k != ScalarKernels.INSTANCE) {
        DepthwiseKernels.warmUp();
        SumGroupsFloat.warmUp();
        SumGroupsDouble.warmUp();
        ConvWinogradFloat.warmUp(k);
        ConvWinogradDouble.warmUp(k);
      }
      for (int len : new int[] {16, 37, 56}) {
        k.sdotSegments(8, 8, len, af, dotRows, segs, bf, dotRows, round % 5, segs, 0, segs.length, cf, 0, 8);
        k.ddotSegments(8, 8, len, ad, dotRows, segs, bd, dotRows, round % 5, segs, 0, segs.length, cd, 0, 8);
      }
    }
  }
}
