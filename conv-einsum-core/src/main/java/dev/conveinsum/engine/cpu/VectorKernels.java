package dev.conveinsum.engine.cpu;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API ({@code jdk.incubator.vector}).
 *
 * <p>Only {@link VectorSupport} refers to this class, reflectively and only after checking that the
 * module is in the boot layer, so it never links without the module.
 *
 * <p>GEMM: BLIS-style loops (NC columns of B, KC depth, MR-row panels of A) around an MR-row x
 * 2-vector FMA micro-kernel: 8 rows (16 vector accumulators, 8 x 32 floats per tile) with 512-bit
 * vectors, 6 rows (12 accumulators) with 256-bit or narrower ones, which have only 16 registers. A is always packed into MR-row micro-panels (KC x MR, stays in L1). B is packed into
 * contiguous NR-column panels when it is transposed or when M &gt; 32 and N &gt; 512; for M &lt;= 32
 * each element of B is used at most 4 times, so packing would cost as much memory traffic as the
 * product, and for N &lt;= 512 one block of B stays in cache: the micro-kernel then reads rows of
 * B in place.
 */
final class VectorKernels implements CpuKernels {

  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final int FL = FS.length();
  private static final int DL = DS.length();

  /**
   * Rows of the micro-tile: 8 x 2 vectors (16 accumulators) with 32 vector registers (AVX-512),
   * 6 x 2 (12 accumulators, the classic Haswell shape) with 16 (AVX2 and narrower).
   */
  private static final int MR = FS.vectorBitSize() >= 512 ? 8 : 6;
  /** Columns of the micro-tile: two vectors. */
  private static final int NRF = 2 * FL;
  private static final int NRD = 2 * DL;
  /** Depth of a packed block. */
  private static final int KC = 256;
  /** Columns of a packed B block (KC x NC floats = 512 KiB, fits L2). */
  private static final int NCF = 512;
  private static final int NCD = 256;
  /** B is packed only when A has more rows than this. */
  private static final int PACK_B_MIN_M = 32;
  /**
   * B with at most this many contiguous columns is read in place whatever M (one column block,
   * at most KC x 512 floats): per-image 1x1 products such as 56x256x128 ran 5-20 % faster than
   * with B packed, 512-column squares no slower (2 threads' worth of load on the machine).
   */
  private static final int INPLACE_B_MAX_N = 512;
  /** Problems with fewer multiply-adds than this go to the scalar kernel (no packing overhead). */
  private static final long SMALL_MNK = 2048;
  /** Inner-dimension block of the dot-product path (16 KiB of float32 per row or column). */
  private static final int DOT_KC = 4096;

  private static final ThreadLocal<float[]> F_PA = ThreadLocal.withInitial(() -> new float[KC * MR]);
  private static final ThreadLocal<float[]> F_PB = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> F_TILE = ThreadLocal.withInitial(() -> new float[MR * NRF]);
  private static final ThreadLocal<double[]> D_PA = ThreadLocal.withInitial(() -> new double[KC * MR]);
  private static final ThreadLocal<double[]> D_PB = ThreadLocal.withInitial(() -> new double[0]);
  private static final ThreadLocal<double[]> D_TILE = ThreadLocal.withInitial(() -> new double[MR * NRD]);

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
  public int floatLanes() {
    return FL;
  }

  @Override
  public int doubleLanes() {
    return DL;
  }

  @Override
  public String name() {
    return "Vector API (" + FS.vectorBitSize() + "-bit)";
  }

  // BEGIN FLOAT
  @Override
  public void sgemm(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0 || (long) m * n * k < SMALL_MNK) {
      ScalarKernels.INSTANCE.sgemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (aCs == 1 && bRs == 1 && k >= 2 * FL && 3L * m * n < (long) roundUp(m, MR) * roundUp(n, NRF)) {
      // Few rows and columns with a long contiguous inner dimension (e.g. weight gradients): the
      // register tiles would be mostly padding, so take vectorised dot products instead.
      dotsF(m, n, k, a, aOff, aRs, b, bOff, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (n <= NRF / 2 && m > 2 * n) {
      // Few columns (e.g. a matrix-vector product): the 2-vector-wide tiles would be mostly
      // padding, so compute C^T = B^T A^T (M becomes the vectorised dimension) and transpose back.
      float[] ct = new float[n * m];
      sgemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, ct, 0, m, false);
      for (int i = 0; i < m; i++) {
        int row = cOff + i * ldc;
        for (int j = 0; j < n; j++) {
          c[row + j] = accumulate ? c[row + j] + ct[j * m + i] : ct[j * m + i];
        }
      }
      return;
    }
    blockedF(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, null, c, cOff, ldc, accumulate);
  }

  @Override
  public void sgemmRows(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int[] bRows, int bShift,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0) {
      ScalarKernels.INSTANCE.sgemmRows(m, n, k, a, aOff, aRs, aCs, b, bRows, bShift, c, cOff, ldc, accumulate);
      return;
    }
    blockedF(m, n, k, a, aOff, aRs, aCs, b, bShift, 0, 1, bRows, c, cOff, ldc, accumulate);
  }

  /**
   * The packed, register-blocked product. B is strided ({@code bRows == null}) or row-indexed:
   * element (p, j) at {@code b[bRows[p] + bOff + j]}, always packed.
   */
  private static void blockedF(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int bOff, int bRs, int bCs, int[] bRows,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    // a row-indexed B is read in place by the 8-row kernels (its rows are windows of one padded
    // input, which overlap: fewer cache lines than a packed copy), so it needs no column blocks
    boolean rowsInPlace = bRows != null && MR == 8;
    boolean packB = !rowsInPlace && (bRows != null || m > PACK_B_MIN_M && n > INPLACE_B_MAX_N || bCs != 1);
    int ncBlock = rowsInPlace ? n : NCF;
    float[] pa = F_PA.get();
    float[] tile = F_TILE.get();
    int pbSize = packB ? KC * (Math.min(NCF, roundUp(n, NRF))) : KC * NRF;
    float[] pb = F_PB.get();
    if (pb.length < pbSize) {
      pb = new float[pbSize];
      F_PB.set(pb);
    }
    for (int jc = 0; jc < n; jc += ncBlock) {
      int nc = Math.min(ncBlock, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean load = accumulate || pc > 0;
        int bBase = bOff + pc * bRs + jc * bCs;
        int tailStart = nc / NRF * NRF;
        if (rowsInPlace) {
          if (tailStart < nc) {
            packRows(b, bRows, pc, bOff + jc + tailStart, kc, nc - tailStart, pb, 0);
          }
        } else if (bRows != null) {
          for (int jr = 0; jr < nc; jr += NRF) {
            packRows(b, bRows, pc, bOff + jc + jr, kc, Math.min(NRF, nc - jr), pb, (jr / NRF) * kc * NRF);
          }
        } else if (packB) {
          for (int jr = 0; jr < nc; jr += NRF) {
            packPanel(b, bBase + jr * bCs, bRs, bCs, kc, Math.min(NRF, nc - jr), pb, (jr / NRF) * kc * NRF);
          }
        } else if (tailStart < nc) {
          packPanel(b, bBase + tailStart * bCs, bRs, bCs, kc, nc - tailStart, pb, 0);
        }
        for (int ir = 0; ir < m; ir += MR) {
          int mr = Math.min(MR, m - ir);
          packA(a, aOff + ir * aRs + pc * aCs, aRs, aCs, mr, kc, pa);
          for (int jr = 0; jr < nc; jr += NRF) {
            int nr = Math.min(NRF, nc - jr);
            float[] bs;
            int bsOff;
            int bsStride;
            if (packB) {
              bs = pb;
              bsOff = (jr / NRF) * kc * NRF;
              bsStride = NRF;
            } else if (nr == NRF) {
              bs = b;
              bsOff = bBase + jr;
              bsStride = bRs;
            } else {
              bs = pb;
              bsOff = 0;
              bsStride = NRF;
            }
            int ci = cOff + ir * ldc + jc + jr;
            if (rowsInPlace && nr == NRF) {
              if (mr == MR) {
                if (load) {
                  kernelRowsAcc8F(kc, pa, b, bRows, pc, bOff + jc + jr, c, ci, ldc);
                } else {
                  kernelRows8F(kc, pa, b, bRows, pc, bOff + jc + jr, c, ci, ldc);
                }
              } else {
                kernelRows8F(kc, pa, b, bRows, pc, bOff + jc + jr, tile, 0, NRF);
                for (int i = 0; i < mr; i++) {
                  int row = ci + i * ldc;
                  int t = i * NRF;
                  if (load) {
                    for (int j = 0; j < nr; j++) {
                      c[row + j] += tile[t + j];
                    }
                  } else {
                    System.arraycopy(tile, t, c, row, nr);
                  }
                }
              }
            } else if (mr == MR && nr == NRF) {
              if (load) {
                kernelAccF(kc, pa, bs, bsOff, bsStride, c, ci, ldc);
              } else {
                kernelF(kc, pa, bs, bsOff, bsStride, c, ci, ldc);
              }
            } else {
              kernelF(kc, pa, bs, bsOff, bsStride, tile, 0, NRF);
              for (int i = 0; i < mr; i++) {
                int row = ci + i * ldc;
                int t = i * NRF;
                if (load) {
                  for (int j = 0; j < nr; j++) {
                    c[row + j] += tile[t + j];
                  }
                } else {
                  System.arraycopy(tile, t, c, row, nr);
                }
              }
            }
          }
        }
      }
    }
  }

  /** Packs rows [0,mr) x depth [0,kc) of A into pa[p*MR + i], zero-padding rows mr..MR-1. */
  private static void packA(float[] a, int base, int aRs, int aCs, int mr, int kc, float[] pa) {
    if (mr < MR) {
      Arrays.fill(pa, 0, kc * MR, 0f);
    }
    if (aCs == 1) {
      for (int i = 0; i < mr; i++) {
        int src = base + i * aRs;
        for (int p = 0; p < kc; p++) {
          pa[p * MR + i] = a[src + p];
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int src = base + p * aCs;
        int dst = p * MR;
        for (int i = 0; i < mr; i++) {
          pa[dst + i] = a[src + i * aRs];
        }
      }
    }
  }

  /** Packs depth [0,kc) x columns [0,nr) of B into pb[dst + p*NR + j], zero-padding to NR columns. */
  private static void packPanel(float[] b, int base, int bRs, int bCs, int kc, int nr, float[] pb, int dst) {
    if (nr < NRF) {
      Arrays.fill(pb, dst, dst + kc * NRF, 0f);
    }
    if (bCs == 1) {
      for (int p = 0; p < kc; p++) {
        System.arraycopy(b, base + p * bRs, pb, dst + p * NRF, nr);
      }
    } else {
      for (int j = 0; j < nr; j++) {
        int src = base + j * bCs;
        for (int p = 0; p < kc; p++) {
          pb[dst + p * NRF + j] = b[src + p * bRs];
        }
      }
    }
  }

  /**
   * Packs depth [p0, p0+kc) x columns [0,nr) of a row-indexed B, row p at {@code b[rows[p] +
   * shift]}, into pb[dst + p*NR + j], zero-padding to NR columns.
   */
  private static void packRows(float[] b, int[] rows, int p0, int shift, int kc, int nr, float[] pb, int dst) {
    if (nr == NRF) {
      for (int p = 0; p < kc; p++) {
        int src = rows[p0 + p] + shift;
        FloatVector.fromArray(FS, b, src).intoArray(pb, dst + p * NRF);
        FloatVector.fromArray(FS, b, src + FL).intoArray(pb, dst + p * NRF + FL);
      }
      return;
    }
    Arrays.fill(pb, dst, dst + kc * NRF, 0f);
    for (int p = 0; p < kc; p++) {
      System.arraycopy(b, rows[p0 + p] + shift, pb, dst + p * NRF, nr);
    }
  }

  // Two micro-kernel variants instead of one with a flag: a single method with a conditional
  // load-add-store epilogue exceeds C2's NodeCountInliningCutoff, so part of the epilogue is not
  // inlined and the vectors get boxed (measured: 5x slower).
  /** Dispatches to the micro-kernel for MR rows (a constant, so C2 folds the branch). */
  private static void kernelF(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernel8F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernel6F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** Accumulating variant of {@code kernelF}. */
  private static void kernelAccF(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernelAcc8F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernelAcc6F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** 8 x 2-vector micro-kernel: C tile = packedA (kc x 8) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel8F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c40 = FloatVector.zero(FS);
    FloatVector c41 = FloatVector.zero(FS);
    FloatVector c50 = FloatVector.zero(FS);
    FloatVector c51 = FloatVector.zero(FS);
    FloatVector c60 = FloatVector.zero(FS);
    FloatVector c61 = FloatVector.zero(FS);
    FloatVector c70 = FloatVector.zero(FS);
    FloatVector c71 = FloatVector.zero(FS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }

  /** 8 x 2-vector micro-kernel: C tile += packedA (kc x 8) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc8F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    FloatVector c40 = FloatVector.fromArray(FS, c, cOff + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(FS, c, cOff + 4 * ldc + FL);
    FloatVector c50 = FloatVector.fromArray(FS, c, cOff + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(FS, c, cOff + 5 * ldc + FL);
    FloatVector c60 = FloatVector.fromArray(FS, c, cOff + 6 * ldc);
    FloatVector c61 = FloatVector.fromArray(FS, c, cOff + 6 * ldc + FL);
    FloatVector c70 = FloatVector.fromArray(FS, c, cOff + 7 * ldc);
    FloatVector c71 = FloatVector.fromArray(FS, c, cOff + 7 * ldc + FL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }

  /** Row-indexed variant of {@code kernel8F}: row p of B starts at {@code b[rows[p0 + p] + shift]}. */
  private static void kernelRows8F(int kc, float[] pa, float[] b, int[] rows, int p0, int shift, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c40 = FloatVector.zero(FS);
    FloatVector c41 = FloatVector.zero(FS);
    FloatVector c50 = FloatVector.zero(FS);
    FloatVector c51 = FloatVector.zero(FS);
    FloatVector c60 = FloatVector.zero(FS);
    FloatVector c61 = FloatVector.zero(FS);
    FloatVector c70 = FloatVector.zero(FS);
    FloatVector c71 = FloatVector.zero(FS);
    int ai = 0;
    for (int p = 0; p < kc; p++, ai += MR) {
      int bi = rows[p0 + p] + shift;
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }
  /** Row-indexed variant of {@code kernelAcc8F}: row p of B starts at {@code b[rows[p0 + p] + shift]}. */
  private static void kernelRowsAcc8F(int kc, float[] pa, float[] b, int[] rows, int p0, int shift, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    FloatVector c40 = FloatVector.fromArray(FS, c, cOff + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(FS, c, cOff + 4 * ldc + FL);
    FloatVector c50 = FloatVector.fromArray(FS, c, cOff + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(FS, c, cOff + 5 * ldc + FL);
    FloatVector c60 = FloatVector.fromArray(FS, c, cOff + 6 * ldc);
    FloatVector c61 = FloatVector.fromArray(FS, c, cOff + 6 * ldc + FL);
    FloatVector c70 = FloatVector.fromArray(FS, c, cOff + 7 * ldc);
    FloatVector c71 = FloatVector.fromArray(FS, c, cOff + 7 * ldc + FL);
    int ai = 0;
    for (int p = 0; p < kc; p++, ai += MR) {
      int bi = rows[p0 + p] + shift;
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }
  /** 6 x 2-vector micro-kernel: C tile = packedA (kc x 6) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel6F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c40 = FloatVector.zero(FS);
    FloatVector c41 = FloatVector.zero(FS);
    FloatVector c50 = FloatVector.zero(FS);
    FloatVector c51 = FloatVector.zero(FS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
  }

  /** 6 x 2-vector micro-kernel: C tile += packedA (kc x 6) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc6F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    FloatVector c40 = FloatVector.fromArray(FS, c, cOff + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(FS, c, cOff + 4 * ldc + FL);
    FloatVector c50 = FloatVector.fromArray(FS, c, cOff + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(FS, c, cOff + 5 * ldc + FL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
  }

  @Override
  public void corrRow(
      float[] y, int yOff, int len,
      float[] p, int pOff, int pStep, int stride, int dilation,
      float[] w, int wOff, int taps1, int taps2) {
    if (stride != 1 || len < FL) {
      ScalarKernels.INSTANCE.corrRow(y, yOff, len, p, pOff, pStep, stride, dilation, w, wOff, taps1, taps2);
      return;
    }
    int o = 0;
    for (; o + 4 * FL <= len; o += 4 * FL) {
      corr4F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
    }
    if (o + 2 * FL <= len) {
      corr2F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += 2 * FL;
    }
    if (o + FL <= len) {
      corr1F(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += FL;
    }
    if (o < len) {
      // overlapping last vector would double-count; finish the tail in scalar code
      ScalarKernels.INSTANCE.corrRow(y, yOff + o, len - o, p, pOff + o, pStep, 1, dilation, w, wOff, taps1, taps2);
    }
  }

  /** 4 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr4F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    FloatVector a1 = FloatVector.fromArray(FS, y, yo + FL);
    FloatVector a2 = FloatVector.fromArray(FS, y, yo + 2 * FL);
    FloatVector a3 = FloatVector.fromArray(FS, y, yo + 3 * FL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, pi + FL).fma(wv, a1);
      a2 = FloatVector.fromArray(FS, p, pi + 2 * FL).fma(wv, a2);
      a3 = FloatVector.fromArray(FS, p, pi + 3 * FL).fma(wv, a3);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
    a2.intoArray(y, yo + 2 * FL);
    a3.intoArray(y, yo + 3 * FL);
  }

  /** 2 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr2F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    FloatVector a1 = FloatVector.fromArray(FS, y, yo + FL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, pi + FL).fma(wv, a1);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
  }

  /** 1 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr1F(float[] y, int yo, float[] p, int po, int pStep, int dilation, float[] w, int wOff, int taps1, int taps2) {
    FloatVector a0 = FloatVector.fromArray(FS, y, yo);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = FloatVector.fromArray(FS, p, pi).fma(wv, a0);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
  }

  /**
   * C (=|+=) A B with rows of A and columns of B contiguous, as dot products, 4 columns at a time,
   * over blocks of DOT_KC of the inner dimension so that the rows and columns stay in cache.
   */
  private static void dotsF(
      int m, int n, int k, float[] a, int aOff, int aRs, float[] b, int bOff, int bCs,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int pc = 0; pc < k; pc += DOT_KC) {
      int kc = Math.min(DOT_KC, k - pc);
      boolean acc = accumulate || pc > 0;
      for (int i = 0; i < m; i++) {
        dotRowF(n, kc, a, aOff + i * aRs + pc, b, bOff + pc, bCs, c, cOff + i * ldc, acc);
      }
    }
  }

  private static void dotRowF(
      int n, int k, float[] a, int ai, float[] b, int bOff, int bCs, float[] c, int row, boolean accumulate) {
    int kv = k / FL * FL;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      int b0 = bOff + j * bCs;
      int b1 = b0 + bCs;
      int b2 = b1 + bCs;
      int b3 = b2 + bCs;
      FloatVector s0 = FloatVector.zero(FS);
      FloatVector s1 = FloatVector.zero(FS);
      FloatVector s2 = FloatVector.zero(FS);
      FloatVector s3 = FloatVector.zero(FS);
      for (int p = 0; p < kv; p += FL) {
        FloatVector av = FloatVector.fromArray(FS, a, ai + p);
        s0 = av.fma(FloatVector.fromArray(FS, b, b0 + p), s0);
        s1 = av.fma(FloatVector.fromArray(FS, b, b1 + p), s1);
        s2 = av.fma(FloatVector.fromArray(FS, b, b2 + p), s2);
        s3 = av.fma(FloatVector.fromArray(FS, b, b3 + p), s3);
      }
      float r0 = s0.reduceLanes(VectorOperators.ADD);
      float r1 = s1.reduceLanes(VectorOperators.ADD);
      float r2 = s2.reduceLanes(VectorOperators.ADD);
      float r3 = s3.reduceLanes(VectorOperators.ADD);
      for (int p = kv; p < k; p++) {
        float av = a[ai + p];
        r0 += av * b[b0 + p];
        r1 += av * b[b1 + p];
        r2 += av * b[b2 + p];
        r3 += av * b[b3 + p];
      }
      if (accumulate) {
        c[row + j] += r0;
        c[row + j + 1] += r1;
        c[row + j + 2] += r2;
        c[row + j + 3] += r3;
      } else {
        c[row + j] = r0;
        c[row + j + 1] = r1;
        c[row + j + 2] = r2;
        c[row + j + 3] = r3;
      }
    }
    for (; j < n; j++) {
      int b0 = bOff + j * bCs;
      FloatVector s0 = FloatVector.zero(FS);
      FloatVector s1 = FloatVector.zero(FS);
      int p = 0;
      for (; p + 2 * FL <= kv; p += 2 * FL) {
        s0 = FloatVector.fromArray(FS, a, ai + p).fma(FloatVector.fromArray(FS, b, b0 + p), s0);
        s1 = FloatVector.fromArray(FS, a, ai + p + FL).fma(FloatVector.fromArray(FS, b, b0 + p + FL), s1);
      }
      if (p < kv) {
        s0 = FloatVector.fromArray(FS, a, ai + p).fma(FloatVector.fromArray(FS, b, b0 + p), s0);
      }
      float r0 = s0.add(s1).reduceLanes(VectorOperators.ADD);
      for (p = kv; p < k; p++) {
        r0 += a[ai + p] * b[b0 + p];
      }
      c[row + j] = accumulate ? c[row + j] + r0 : r0;
    }
  }

  @Override
  public void corrTaps(
      float[] y, int yOff, int len,
      float[] p, int pOff, int cStride, int channels, int[] shift,
      float[] w, int wOff, int taps, float[] tmp) {
    int o = 0;
    for (; o + 2 * FL <= len; o += 2 * FL) {
      taps2F(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    for (; o + FL <= len; o += FL) {
      taps1F(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    if (o < len) {
      taps1F(tmp, 0, p, pOff + o, cStride, channels, shift, w, wOff, taps);
      System.arraycopy(tmp, 0, y, yOff + o, len - o);
    }
  }

  /** Two output vectors at y[yo..]; one flat loop over (channel, tap), see corr4F. */
  private static void taps2F(float[] y, int yo, float[] p, int po, int cStride, int channels,
      int[] shift, float[] w, int wOff, int taps) {
    FloatVector a0 = FloatVector.zero(FS);
    FloatVector a1 = FloatVector.zero(FS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      int i = row + shift[j];
      a0 = FloatVector.fromArray(FS, p, i).fma(wv, a0);
      a1 = FloatVector.fromArray(FS, p, i + FL).fma(wv, a1);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + FL);
  }

  /** One output vector at y[yo..]. */
  private static void taps1F(float[] y, int yo, float[] p, int po, int cStride, int channels,
      int[] shift, float[] w, int wOff, int taps) {
    FloatVector a0 = FloatVector.zero(FS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      FloatVector wv = FloatVector.broadcast(FS, w[wOff + q]);
      a0 = FloatVector.fromArray(FS, p, row + shift[j]).fma(wv, a0);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
  }

  @Override
  public void sdotSegments(
      int m, int n, int len,
      float[] a, int[] aRows, int[] aSeg,
      float[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      float[] acc, int accOff, int ldAcc) {
    if (m <= 0 || n <= 0 || s1 <= s0 || len <= 0) {
      return;
    }
    int full = FS.loopBound(len);
    // lanes past the segment in its partial last vector (built once per call: slow on JDK 17)
    VectorMask<Float> past = full < len ? FS.indexInRange(full, len).not() : null;
    int aMax = 0;
    int bMax = 0;
    for (int s = s0; s < s1; s++) {
      aMax = Math.max(aMax, aSeg[s]);
      bMax = Math.max(bMax, bSeg[s]);
    }
    // one flat loop over (segment, vector) pairs in the block kernel: C2 keeps its 16
    // accumulators in registers there (a nested loop made it box them, 20x slower)
    int perSeg = full / FL;
    int steps = (s1 - s0) * perSeg;
    int[] aq = new int[steps];
    int[] bq = new int[steps];
    for (int s = s0, t = 0; s < s1; s++) {
      for (int q = 0; q < full; q += FL, t++) {
        aq[t] = aSeg[s] + q;
        bq[t] = bSeg[s] + q;
      }
    }
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int a0 = aRows[i];
      int a1 = aRows[i + 1];
      int a2 = aRows[i + 2];
      int a3 = aRows[i + 3];
      boolean aSafe = Math.max(Math.max(a0, a1), Math.max(a2, a3)) + aMax + full + FL <= a.length;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = bRows[j] + bShift;
        int b1 = bRows[j + 1] + bShift;
        int b2 = bRows[j + 2] + bShift;
        int b3 = bRows[j + 3] + bShift;
        int ci = accOff + i * ldAcc + j;
        if (full > 0) {
          dot44F(steps, a, a0, a1, a2, a3, aq, b, b0, b1, b2, b3, bq, acc, ci, ldAcc);
        }
        if (full < len) {
          // the partial last vector of each segment: whole vectors with the lanes past the
          // segment zeroed where the arrays hold them, else scalars
          if (aSafe && Math.max(Math.max(b0, b1), Math.max(b2, b3)) + bMax + full + FL <= b.length) {
            dot44TailF(full, past, a, a0, a1, a2, a3, aSeg, b, b0, b1, b2, b3, bSeg, s0, s1, acc, ci, ldAcc);
          } else {
            for (int r = 0; r < 4; r++) {
              for (int c = 0; c < 4; c++) {
                acc[ci + r * ldAcc + c] += dotScalarF(full, len, a, aRows[i + r], aSeg, b, bRows[j + c] + bShift, bSeg, s0, s1);
              }
            }
          }
        }
      }
      for (; j < n; j++) {
        for (int r = 0; r < 4; r++) {
          acc[accOff + (i + r) * ldAcc + j] += dot11F(len, a, aRows[i + r], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
        }
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < n; j++) {
        acc[accOff + i * ldAcc + j] += dot11F(len, a, aRows[i], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
      }
    }
  }

  /** Sum over segments of the products of elements [from, len) of one row pair, in scalars. */
  private static float dotScalarF(int from, int len, float[] a, int aRow, int[] aSeg, float[] b, int bRow, int[] bSeg, int s0, int s1) {
    float sum = 0f;
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = from; q < len; q++) {
        sum += a[ao + q] * b[bo + q];
      }
    }
    return sum;
  }

  /** One sum of segment products, whole vectors then a scalar tail. */
  private static float dot11F(int len, float[] a, int aRow, int[] aSeg, float[] b, int bRow, int[] bSeg, int s0, int s1) {
    int full = FS.loopBound(len);
    FloatVector v = FloatVector.zero(FS);
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = 0; q < full; q += FL) {
        v = FloatVector.fromArray(FS, a, ao + q).fma(FloatVector.fromArray(FS, b, bo + q), v);
      }
    }
    return v.reduceLanes(VectorOperators.ADD) + dotScalarF(full, len, a, aRow, aSeg, b, bRow, bSeg, s0, s1);
  }

  /** 4 x 4 block of dot products over {@code steps} whole vectors, step s at offsets aq[s] and bq[s] of the rows. */
  private static void dot44F(
      int steps, float[] a, int a0, int a1, int a2, int a3, int[] aq,
      float[] b, int b0, int b1, int b2, int b3, int[] bq,
      float[] acc, int accOff, int ldAcc) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = FloatVector.zero(FS);
    FloatVector s02 = FloatVector.zero(FS);
    FloatVector s03 = FloatVector.zero(FS);
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = FloatVector.zero(FS);
    FloatVector s12 = FloatVector.zero(FS);
    FloatVector s13 = FloatVector.zero(FS);
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = FloatVector.zero(FS);
    FloatVector s22 = FloatVector.zero(FS);
    FloatVector s23 = FloatVector.zero(FS);
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = FloatVector.zero(FS);
    FloatVector s32 = FloatVector.zero(FS);
    FloatVector s33 = FloatVector.zero(FS);
    for (int s = 0; s < steps; s++) {
      int as = aq[s];
      int bs = bq[s];
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + as);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + as);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + as);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + as);
      FloatVector y0 = FloatVector.fromArray(FS, b, b0 + bs);
      FloatVector y1 = FloatVector.fromArray(FS, b, b1 + bs);
      FloatVector y2 = FloatVector.fromArray(FS, b, b2 + bs);
      FloatVector y3 = FloatVector.fromArray(FS, b, b3 + bs);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }

  /** 4 x 4 block over the partial last vector of each segment, loaded whole, the lanes {@code past} the segment zeroed in both operands (so NaN or infinity there adds nothing). */
  private static void dot44TailF(
      int full, VectorMask<Float> past, float[] a, int a0, int a1, int a2, int a3, int[] aSeg,
      float[] b, int b0, int b1, int b2, int b3, int[] bSeg, int s0, int s1,
      float[] acc, int accOff, int ldAcc) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = FloatVector.zero(FS);
    FloatVector s02 = FloatVector.zero(FS);
    FloatVector s03 = FloatVector.zero(FS);
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = FloatVector.zero(FS);
    FloatVector s12 = FloatVector.zero(FS);
    FloatVector s13 = FloatVector.zero(FS);
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = FloatVector.zero(FS);
    FloatVector s22 = FloatVector.zero(FS);
    FloatVector s23 = FloatVector.zero(FS);
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = FloatVector.zero(FS);
    FloatVector s32 = FloatVector.zero(FS);
    FloatVector s33 = FloatVector.zero(FS);
    FloatVector zero = FloatVector.zero(FS);
    for (int s = s0; s < s1; s++) {
      int as = aSeg[s];
      int bs = bSeg[s];
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + as + full).blend(zero, past);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + as + full).blend(zero, past);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + as + full).blend(zero, past);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + as + full).blend(zero, past);
      FloatVector y0 = FloatVector.fromArray(FS, b, b0 + bs + full).blend(zero, past);
      FloatVector y1 = FloatVector.fromArray(FS, b, b1 + bs + full).blend(zero, past);
      FloatVector y2 = FloatVector.fromArray(FS, b, b2 + bs + full).blend(zero, past);
      FloatVector y3 = FloatVector.fromArray(FS, b, b3 + bs + full).blend(zero, past);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }


  // END FLOAT

  private static int roundUp(int x, int q) {
    return (x + q - 1) / q * q;
  }
  // BEGIN DOUBLE (generated)
  @Override
  public void dgemm(
      int m, int n, int k,
      double[] a, int aOff, int aRs, int aCs,
      double[] b, int bOff, int bRs, int bCs,
      double[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0 || (long) m * n * k < SMALL_MNK) {
      ScalarKernels.INSTANCE.dgemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (aCs == 1 && bRs == 1 && k >= 2 * DL && 3L * m * n < (long) roundUp(m, MR) * roundUp(n, NRD)) {
      // Few rows and columns with a long contiguous inner dimension (e.g. weight gradients): the
      // register tiles would be mostly padding, so take vectorised dot products instead.
      dotsD(m, n, k, a, aOff, aRs, b, bOff, bCs, c, cOff, ldc, accumulate);
      return;
    }
    if (n <= NRD / 2 && m > 2 * n) {
      // Few columns (e.g. a matrix-vector product): the 2-vector-wide tiles would be mostly
      // padding, so compute C^T = B^T A^T (M becomes the vectorised dimension) and transpose back.
      double[] ct = new double[n * m];
      dgemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, ct, 0, m, false);
      for (int i = 0; i < m; i++) {
        int row = cOff + i * ldc;
        for (int j = 0; j < n; j++) {
          c[row + j] = accumulate ? c[row + j] + ct[j * m + i] : ct[j * m + i];
        }
      }
      return;
    }
    blockedD(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, null, c, cOff, ldc, accumulate);
  }

  @Override
  public void dgemmRows(
      int m, int n, int k,
      double[] a, int aOff, int aRs, int aCs,
      double[] b, int[] bRows, int bShift,
      double[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0) {
      ScalarKernels.INSTANCE.dgemmRows(m, n, k, a, aOff, aRs, aCs, b, bRows, bShift, c, cOff, ldc, accumulate);
      return;
    }
    blockedD(m, n, k, a, aOff, aRs, aCs, b, bShift, 0, 1, bRows, c, cOff, ldc, accumulate);
  }

  /**
   * The packed, register-blocked product. B is strided ({@code bRows == null}) or row-indexed:
   * element (p, j) at {@code b[bRows[p] + bOff + j]}, always packed.
   */
  private static void blockedD(
      int m, int n, int k,
      double[] a, int aOff, int aRs, int aCs,
      double[] b, int bOff, int bRs, int bCs, int[] bRows,
      double[] c, int cOff, int ldc,
      boolean accumulate) {
    // a row-indexed B is read in place by the 8-row kernels (its rows are windows of one padded
    // input, which overlap: fewer cache lines than a packed copy), so it needs no column blocks
    boolean rowsInPlace = bRows != null && MR == 8;
    boolean packB = !rowsInPlace && (bRows != null || m > PACK_B_MIN_M && n > INPLACE_B_MAX_N || bCs != 1);
    int ncBlock = rowsInPlace ? n : NCD;
    double[] pa = D_PA.get();
    double[] tile = D_TILE.get();
    int pbSize = packB ? KC * (Math.min(NCD, roundUp(n, NRD))) : KC * NRD;
    double[] pb = D_PB.get();
    if (pb.length < pbSize) {
      pb = new double[pbSize];
      D_PB.set(pb);
    }
    for (int jc = 0; jc < n; jc += ncBlock) {
      int nc = Math.min(ncBlock, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean load = accumulate || pc > 0;
        int bBase = bOff + pc * bRs + jc * bCs;
        int tailStart = nc / NRD * NRD;
        if (rowsInPlace) {
          if (tailStart < nc) {
            packRows(b, bRows, pc, bOff + jc + tailStart, kc, nc - tailStart, pb, 0);
          }
        } else if (bRows != null) {
          for (int jr = 0; jr < nc; jr += NRD) {
            packRows(b, bRows, pc, bOff + jc + jr, kc, Math.min(NRD, nc - jr), pb, (jr / NRD) * kc * NRD);
          }
        } else if (packB) {
          for (int jr = 0; jr < nc; jr += NRD) {
            packPanel(b, bBase + jr * bCs, bRs, bCs, kc, Math.min(NRD, nc - jr), pb, (jr / NRD) * kc * NRD);
          }
        } else if (tailStart < nc) {
          packPanel(b, bBase + tailStart * bCs, bRs, bCs, kc, nc - tailStart, pb, 0);
        }
        for (int ir = 0; ir < m; ir += MR) {
          int mr = Math.min(MR, m - ir);
          packA(a, aOff + ir * aRs + pc * aCs, aRs, aCs, mr, kc, pa);
          for (int jr = 0; jr < nc; jr += NRD) {
            int nr = Math.min(NRD, nc - jr);
            double[] bs;
            int bsOff;
            int bsStride;
            if (packB) {
              bs = pb;
              bsOff = (jr / NRD) * kc * NRD;
              bsStride = NRD;
            } else if (nr == NRD) {
              bs = b;
              bsOff = bBase + jr;
              bsStride = bRs;
            } else {
              bs = pb;
              bsOff = 0;
              bsStride = NRD;
            }
            int ci = cOff + ir * ldc + jc + jr;
            if (rowsInPlace && nr == NRD) {
              if (mr == MR) {
                if (load) {
                  kernelRowsAcc8D(kc, pa, b, bRows, pc, bOff + jc + jr, c, ci, ldc);
                } else {
                  kernelRows8D(kc, pa, b, bRows, pc, bOff + jc + jr, c, ci, ldc);
                }
              } else {
                kernelRows8D(kc, pa, b, bRows, pc, bOff + jc + jr, tile, 0, NRD);
                for (int i = 0; i < mr; i++) {
                  int row = ci + i * ldc;
                  int t = i * NRD;
                  if (load) {
                    for (int j = 0; j < nr; j++) {
                      c[row + j] += tile[t + j];
                    }
                  } else {
                    System.arraycopy(tile, t, c, row, nr);
                  }
                }
              }
            } else if (mr == MR && nr == NRD) {
              if (load) {
                kernelAccD(kc, pa, bs, bsOff, bsStride, c, ci, ldc);
              } else {
                kernelD(kc, pa, bs, bsOff, bsStride, c, ci, ldc);
              }
            } else {
              kernelD(kc, pa, bs, bsOff, bsStride, tile, 0, NRD);
              for (int i = 0; i < mr; i++) {
                int row = ci + i * ldc;
                int t = i * NRD;
                if (load) {
                  for (int j = 0; j < nr; j++) {
                    c[row + j] += tile[t + j];
                  }
                } else {
                  System.arraycopy(tile, t, c, row, nr);
                }
              }
            }
          }
        }
      }
    }
  }

  /** Packs rows [0,mr) x depth [0,kc) of A into pa[p*MR + i], zero-padding rows mr..MR-1. */
  private static void packA(double[] a, int base, int aRs, int aCs, int mr, int kc, double[] pa) {
    if (mr < MR) {
      Arrays.fill(pa, 0, kc * MR, 0.0);
    }
    if (aCs == 1) {
      for (int i = 0; i < mr; i++) {
        int src = base + i * aRs;
        for (int p = 0; p < kc; p++) {
          pa[p * MR + i] = a[src + p];
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int src = base + p * aCs;
        int dst = p * MR;
        for (int i = 0; i < mr; i++) {
          pa[dst + i] = a[src + i * aRs];
        }
      }
    }
  }

  /** Packs depth [0,kc) x columns [0,nr) of B into pb[dst + p*NR + j], zero-padding to NR columns. */
  private static void packPanel(double[] b, int base, int bRs, int bCs, int kc, int nr, double[] pb, int dst) {
    if (nr < NRD) {
      Arrays.fill(pb, dst, dst + kc * NRD, 0.0);
    }
    if (bCs == 1) {
      for (int p = 0; p < kc; p++) {
        System.arraycopy(b, base + p * bRs, pb, dst + p * NRD, nr);
      }
    } else {
      for (int j = 0; j < nr; j++) {
        int src = base + j * bCs;
        for (int p = 0; p < kc; p++) {
          pb[dst + p * NRD + j] = b[src + p * bRs];
        }
      }
    }
  }

  /**
   * Packs depth [p0, p0+kc) x columns [0,nr) of a row-indexed B, row p at {@code b[rows[p] +
   * shift]}, into pb[dst + p*NR + j], zero-padding to NR columns.
   */
  private static void packRows(double[] b, int[] rows, int p0, int shift, int kc, int nr, double[] pb, int dst) {
    if (nr == NRD) {
      for (int p = 0; p < kc; p++) {
        int src = rows[p0 + p] + shift;
        DoubleVector.fromArray(DS, b, src).intoArray(pb, dst + p * NRD);
        DoubleVector.fromArray(DS, b, src + DL).intoArray(pb, dst + p * NRD + DL);
      }
      return;
    }
    Arrays.fill(pb, dst, dst + kc * NRD, 0.0);
    for (int p = 0; p < kc; p++) {
      System.arraycopy(b, rows[p0 + p] + shift, pb, dst + p * NRD, nr);
    }
  }

  // Two micro-kernel variants instead of one with a flag: a single method with a conditional
  // load-add-store epilogue exceeds C2's NodeCountInliningCutoff, so part of the epilogue is not
  // inlined and the vectors get boxed (measured: 5x slower).
  /** Dispatches to the micro-kernel for MR rows (a constant, so C2 folds the branch). */
  private static void kernelD(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernel8D(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernel6D(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** Accumulating variant of {@code kernelD}. */
  private static void kernelAccD(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernelAcc8D(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernelAcc6D(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** 8 x 2-vector micro-kernel: C tile = packedA (kc x 8) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel8D(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = DoubleVector.zero(DS);
    DoubleVector c10 = DoubleVector.zero(DS);
    DoubleVector c11 = DoubleVector.zero(DS);
    DoubleVector c20 = DoubleVector.zero(DS);
    DoubleVector c21 = DoubleVector.zero(DS);
    DoubleVector c30 = DoubleVector.zero(DS);
    DoubleVector c31 = DoubleVector.zero(DS);
    DoubleVector c40 = DoubleVector.zero(DS);
    DoubleVector c41 = DoubleVector.zero(DS);
    DoubleVector c50 = DoubleVector.zero(DS);
    DoubleVector c51 = DoubleVector.zero(DS);
    DoubleVector c60 = DoubleVector.zero(DS);
    DoubleVector c61 = DoubleVector.zero(DS);
    DoubleVector c70 = DoubleVector.zero(DS);
    DoubleVector c71 = DoubleVector.zero(DS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = DoubleVector.broadcast(DS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = DoubleVector.broadcast(DS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + DL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + DL);
  }

  /** 8 x 2-vector micro-kernel: C tile += packedA (kc x 8) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc8D(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc);
    DoubleVector c01 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc + DL);
    DoubleVector c10 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc);
    DoubleVector c11 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc + DL);
    DoubleVector c20 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc);
    DoubleVector c21 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc + DL);
    DoubleVector c30 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc);
    DoubleVector c31 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc + DL);
    DoubleVector c40 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc);
    DoubleVector c41 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc + DL);
    DoubleVector c50 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc);
    DoubleVector c51 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc + DL);
    DoubleVector c60 = DoubleVector.fromArray(DS, c, cOff + 6 * ldc);
    DoubleVector c61 = DoubleVector.fromArray(DS, c, cOff + 6 * ldc + DL);
    DoubleVector c70 = DoubleVector.fromArray(DS, c, cOff + 7 * ldc);
    DoubleVector c71 = DoubleVector.fromArray(DS, c, cOff + 7 * ldc + DL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = DoubleVector.broadcast(DS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = DoubleVector.broadcast(DS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + DL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + DL);
  }

  /** Row-indexed variant of {@code kernel8D}: row p of B starts at {@code b[rows[p0 + p] + shift]}. */
  private static void kernelRows8D(int kc, double[] pa, double[] b, int[] rows, int p0, int shift, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = DoubleVector.zero(DS);
    DoubleVector c10 = DoubleVector.zero(DS);
    DoubleVector c11 = DoubleVector.zero(DS);
    DoubleVector c20 = DoubleVector.zero(DS);
    DoubleVector c21 = DoubleVector.zero(DS);
    DoubleVector c30 = DoubleVector.zero(DS);
    DoubleVector c31 = DoubleVector.zero(DS);
    DoubleVector c40 = DoubleVector.zero(DS);
    DoubleVector c41 = DoubleVector.zero(DS);
    DoubleVector c50 = DoubleVector.zero(DS);
    DoubleVector c51 = DoubleVector.zero(DS);
    DoubleVector c60 = DoubleVector.zero(DS);
    DoubleVector c61 = DoubleVector.zero(DS);
    DoubleVector c70 = DoubleVector.zero(DS);
    DoubleVector c71 = DoubleVector.zero(DS);
    int ai = 0;
    for (int p = 0; p < kc; p++, ai += MR) {
      int bi = rows[p0 + p] + shift;
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = DoubleVector.broadcast(DS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = DoubleVector.broadcast(DS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + DL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + DL);
  }
  /** Row-indexed variant of {@code kernelAcc8D}: row p of B starts at {@code b[rows[p0 + p] + shift]}. */
  private static void kernelRowsAcc8D(int kc, double[] pa, double[] b, int[] rows, int p0, int shift, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc);
    DoubleVector c01 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc + DL);
    DoubleVector c10 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc);
    DoubleVector c11 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc + DL);
    DoubleVector c20 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc);
    DoubleVector c21 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc + DL);
    DoubleVector c30 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc);
    DoubleVector c31 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc + DL);
    DoubleVector c40 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc);
    DoubleVector c41 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc + DL);
    DoubleVector c50 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc);
    DoubleVector c51 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc + DL);
    DoubleVector c60 = DoubleVector.fromArray(DS, c, cOff + 6 * ldc);
    DoubleVector c61 = DoubleVector.fromArray(DS, c, cOff + 6 * ldc + DL);
    DoubleVector c70 = DoubleVector.fromArray(DS, c, cOff + 7 * ldc);
    DoubleVector c71 = DoubleVector.fromArray(DS, c, cOff + 7 * ldc + DL);
    int ai = 0;
    for (int p = 0; p < kc; p++, ai += MR) {
      int bi = rows[p0 + p] + shift;
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = DoubleVector.broadcast(DS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = DoubleVector.broadcast(DS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + DL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + DL);
  }
  /** 6 x 2-vector micro-kernel: C tile = packedA (kc x 6) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel6D(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = DoubleVector.zero(DS);
    DoubleVector c10 = DoubleVector.zero(DS);
    DoubleVector c11 = DoubleVector.zero(DS);
    DoubleVector c20 = DoubleVector.zero(DS);
    DoubleVector c21 = DoubleVector.zero(DS);
    DoubleVector c30 = DoubleVector.zero(DS);
    DoubleVector c31 = DoubleVector.zero(DS);
    DoubleVector c40 = DoubleVector.zero(DS);
    DoubleVector c41 = DoubleVector.zero(DS);
    DoubleVector c50 = DoubleVector.zero(DS);
    DoubleVector c51 = DoubleVector.zero(DS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
  }

  /** 6 x 2-vector micro-kernel: C tile += packedA (kc x 6) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc6D(int kc, double[] pa, double[] b, int bOff, int bStride, double[] c, int cOff, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc);
    DoubleVector c01 = DoubleVector.fromArray(DS, c, cOff + 0 * ldc + DL);
    DoubleVector c10 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc);
    DoubleVector c11 = DoubleVector.fromArray(DS, c, cOff + 1 * ldc + DL);
    DoubleVector c20 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc);
    DoubleVector c21 = DoubleVector.fromArray(DS, c, cOff + 2 * ldc + DL);
    DoubleVector c30 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc);
    DoubleVector c31 = DoubleVector.fromArray(DS, c, cOff + 3 * ldc + DL);
    DoubleVector c40 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc);
    DoubleVector c41 = DoubleVector.fromArray(DS, c, cOff + 4 * ldc + DL);
    DoubleVector c50 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc);
    DoubleVector c51 = DoubleVector.fromArray(DS, c, cOff + 5 * ldc + DL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, b, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, b, bi + DL);
      DoubleVector av;
      av = DoubleVector.broadcast(DS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = DoubleVector.broadcast(DS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = DoubleVector.broadcast(DS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + DL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + DL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + DL);
  }

  @Override
  public void corrRow(
      double[] y, int yOff, int len,
      double[] p, int pOff, int pStep, int stride, int dilation,
      double[] w, int wOff, int taps1, int taps2) {
    if (stride != 1 || len < DL) {
      ScalarKernels.INSTANCE.corrRow(y, yOff, len, p, pOff, pStep, stride, dilation, w, wOff, taps1, taps2);
      return;
    }
    int o = 0;
    for (; o + 4 * DL <= len; o += 4 * DL) {
      corr4D(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
    }
    if (o + 2 * DL <= len) {
      corr2D(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += 2 * DL;
    }
    if (o + DL <= len) {
      corr1D(y, yOff + o, p, pOff + o, pStep, dilation, w, wOff, taps1, taps2);
      o += DL;
    }
    if (o < len) {
      // overlapping last vector would double-count; finish the tail in scalar code
      ScalarKernels.INSTANCE.corrRow(y, yOff + o, len - o, p, pOff + o, pStep, 1, dilation, w, wOff, taps1, taps2);
    }
  }

  /** 4 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr4D(double[] y, int yo, double[] p, int po, int pStep, int dilation, double[] w, int wOff, int taps1, int taps2) {
    DoubleVector a0 = DoubleVector.fromArray(DS, y, yo);
    DoubleVector a1 = DoubleVector.fromArray(DS, y, yo + DL);
    DoubleVector a2 = DoubleVector.fromArray(DS, y, yo + 2 * DL);
    DoubleVector a3 = DoubleVector.fromArray(DS, y, yo + 3 * DL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      DoubleVector wv = DoubleVector.broadcast(DS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = DoubleVector.fromArray(DS, p, pi).fma(wv, a0);
      a1 = DoubleVector.fromArray(DS, p, pi + DL).fma(wv, a1);
      a2 = DoubleVector.fromArray(DS, p, pi + 2 * DL).fma(wv, a2);
      a3 = DoubleVector.fromArray(DS, p, pi + 3 * DL).fma(wv, a3);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + DL);
    a2.intoArray(y, yo + 2 * DL);
    a3.intoArray(y, yo + 3 * DL);
  }

  /** 2 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr2D(double[] y, int yo, double[] p, int po, int pStep, int dilation, double[] w, int wOff, int taps1, int taps2) {
    DoubleVector a0 = DoubleVector.fromArray(DS, y, yo);
    DoubleVector a1 = DoubleVector.fromArray(DS, y, yo + DL);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      DoubleVector wv = DoubleVector.broadcast(DS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = DoubleVector.fromArray(DS, p, pi).fma(wv, a0);
      a1 = DoubleVector.fromArray(DS, p, pi + DL).fma(wv, a1);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + DL);
  }

  /** 1 output vectors at y[yo..], all taps; one small method per width so C2 inlines every vector op. */
  private static void corr1D(double[] y, int yo, double[] p, int po, int pStep, int dilation, double[] w, int wOff, int taps1, int taps2) {
    DoubleVector a0 = DoubleVector.fromArray(DS, y, yo);
    // One flat loop over all taps: JDK 17's C2 does not eliminate vector boxes through the
    // phis of nested loops (measured 20x slower), so taps1 x taps2 is walked with counters.
    int taps = taps1 * taps2;
    int rowBase = po;
    int j = 0;
    for (int q = 0; q < taps; q++) {
      DoubleVector wv = DoubleVector.broadcast(DS, w[wOff + q]);
      int pi = rowBase + j * dilation;
      a0 = DoubleVector.fromArray(DS, p, pi).fma(wv, a0);
      if (++j == taps2) {
        j = 0;
        rowBase += pStep;
      }
    }
    a0.intoArray(y, yo);
  }

  /**
   * C (=|+=) A B with rows of A and columns of B contiguous, as dot products, 4 columns at a time,
   * over blocks of DOT_KC of the inner dimension so that the rows and columns stay in cache.
   */
  private static void dotsD(
      int m, int n, int k, double[] a, int aOff, int aRs, double[] b, int bOff, int bCs,
      double[] c, int cOff, int ldc, boolean accumulate) {
    for (int pc = 0; pc < k; pc += DOT_KC) {
      int kc = Math.min(DOT_KC, k - pc);
      boolean acc = accumulate || pc > 0;
      for (int i = 0; i < m; i++) {
        dotRowD(n, kc, a, aOff + i * aRs + pc, b, bOff + pc, bCs, c, cOff + i * ldc, acc);
      }
    }
  }

  private static void dotRowD(
      int n, int k, double[] a, int ai, double[] b, int bOff, int bCs, double[] c, int row, boolean accumulate) {
    int kv = k / DL * DL;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      int b0 = bOff + j * bCs;
      int b1 = b0 + bCs;
      int b2 = b1 + bCs;
      int b3 = b2 + bCs;
      DoubleVector s0 = DoubleVector.zero(DS);
      DoubleVector s1 = DoubleVector.zero(DS);
      DoubleVector s2 = DoubleVector.zero(DS);
      DoubleVector s3 = DoubleVector.zero(DS);
      for (int p = 0; p < kv; p += DL) {
        DoubleVector av = DoubleVector.fromArray(DS, a, ai + p);
        s0 = av.fma(DoubleVector.fromArray(DS, b, b0 + p), s0);
        s1 = av.fma(DoubleVector.fromArray(DS, b, b1 + p), s1);
        s2 = av.fma(DoubleVector.fromArray(DS, b, b2 + p), s2);
        s3 = av.fma(DoubleVector.fromArray(DS, b, b3 + p), s3);
      }
      double r0 = s0.reduceLanes(VectorOperators.ADD);
      double r1 = s1.reduceLanes(VectorOperators.ADD);
      double r2 = s2.reduceLanes(VectorOperators.ADD);
      double r3 = s3.reduceLanes(VectorOperators.ADD);
      for (int p = kv; p < k; p++) {
        double av = a[ai + p];
        r0 += av * b[b0 + p];
        r1 += av * b[b1 + p];
        r2 += av * b[b2 + p];
        r3 += av * b[b3 + p];
      }
      if (accumulate) {
        c[row + j] += r0;
        c[row + j + 1] += r1;
        c[row + j + 2] += r2;
        c[row + j + 3] += r3;
      } else {
        c[row + j] = r0;
        c[row + j + 1] = r1;
        c[row + j + 2] = r2;
        c[row + j + 3] = r3;
      }
    }
    for (; j < n; j++) {
      int b0 = bOff + j * bCs;
      DoubleVector s0 = DoubleVector.zero(DS);
      DoubleVector s1 = DoubleVector.zero(DS);
      int p = 0;
      for (; p + 2 * DL <= kv; p += 2 * DL) {
        s0 = DoubleVector.fromArray(DS, a, ai + p).fma(DoubleVector.fromArray(DS, b, b0 + p), s0);
        s1 = DoubleVector.fromArray(DS, a, ai + p + DL).fma(DoubleVector.fromArray(DS, b, b0 + p + DL), s1);
      }
      if (p < kv) {
        s0 = DoubleVector.fromArray(DS, a, ai + p).fma(DoubleVector.fromArray(DS, b, b0 + p), s0);
      }
      double r0 = s0.add(s1).reduceLanes(VectorOperators.ADD);
      for (p = kv; p < k; p++) {
        r0 += a[ai + p] * b[b0 + p];
      }
      c[row + j] = accumulate ? c[row + j] + r0 : r0;
    }
  }

  @Override
  public void corrTaps(
      double[] y, int yOff, int len,
      double[] p, int pOff, int cStride, int channels, int[] shift,
      double[] w, int wOff, int taps, double[] tmp) {
    int o = 0;
    for (; o + 2 * DL <= len; o += 2 * DL) {
      taps2D(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    for (; o + DL <= len; o += DL) {
      taps1D(y, yOff + o, p, pOff + o, cStride, channels, shift, w, wOff, taps);
    }
    if (o < len) {
      taps1D(tmp, 0, p, pOff + o, cStride, channels, shift, w, wOff, taps);
      System.arraycopy(tmp, 0, y, yOff + o, len - o);
    }
  }

  /** Two output vectors at y[yo..]; one flat loop over (channel, tap), see corr4D. */
  private static void taps2D(double[] y, int yo, double[] p, int po, int cStride, int channels,
      int[] shift, double[] w, int wOff, int taps) {
    DoubleVector a0 = DoubleVector.zero(DS);
    DoubleVector a1 = DoubleVector.zero(DS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      DoubleVector wv = DoubleVector.broadcast(DS, w[wOff + q]);
      int i = row + shift[j];
      a0 = DoubleVector.fromArray(DS, p, i).fma(wv, a0);
      a1 = DoubleVector.fromArray(DS, p, i + DL).fma(wv, a1);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
    a1.intoArray(y, yo + DL);
  }

  /** One output vector at y[yo..]. */
  private static void taps1D(double[] y, int yo, double[] p, int po, int cStride, int channels,
      int[] shift, double[] w, int wOff, int taps) {
    DoubleVector a0 = DoubleVector.zero(DS);
    int n = channels * taps;
    int row = po;
    int j = 0;
    for (int q = 0; q < n; q++) {
      DoubleVector wv = DoubleVector.broadcast(DS, w[wOff + q]);
      a0 = DoubleVector.fromArray(DS, p, row + shift[j]).fma(wv, a0);
      if (++j == taps) {
        j = 0;
        row += cStride;
      }
    }
    a0.intoArray(y, yo);
  }

  @Override
  public void ddotSegments(
      int m, int n, int len,
      double[] a, int[] aRows, int[] aSeg,
      double[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      double[] acc, int accOff, int ldAcc) {
    if (m <= 0 || n <= 0 || s1 <= s0 || len <= 0) {
      return;
    }
    int full = DS.loopBound(len);
    // lanes past the segment in its partial last vector (built once per call: slow on JDK 17)
    VectorMask<Double> past = full < len ? DS.indexInRange(full, len).not() : null;
    int aMax = 0;
    int bMax = 0;
    for (int s = s0; s < s1; s++) {
      aMax = Math.max(aMax, aSeg[s]);
      bMax = Math.max(bMax, bSeg[s]);
    }
    // one flat loop over (segment, vector) pairs in the block kernel: C2 keeps its 16
    // accumulators in registers there (a nested loop made it box them, 20x slower)
    int perSeg = full / DL;
    int steps = (s1 - s0) * perSeg;
    int[] aq = new int[steps];
    int[] bq = new int[steps];
    for (int s = s0, t = 0; s < s1; s++) {
      for (int q = 0; q < full; q += DL, t++) {
        aq[t] = aSeg[s] + q;
        bq[t] = bSeg[s] + q;
      }
    }
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int a0 = aRows[i];
      int a1 = aRows[i + 1];
      int a2 = aRows[i + 2];
      int a3 = aRows[i + 3];
      boolean aSafe = Math.max(Math.max(a0, a1), Math.max(a2, a3)) + aMax + full + DL <= a.length;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = bRows[j] + bShift;
        int b1 = bRows[j + 1] + bShift;
        int b2 = bRows[j + 2] + bShift;
        int b3 = bRows[j + 3] + bShift;
        int ci = accOff + i * ldAcc + j;
        if (full > 0) {
          dot44D(steps, a, a0, a1, a2, a3, aq, b, b0, b1, b2, b3, bq, acc, ci, ldAcc);
        }
        if (full < len) {
          // the partial last vector of each segment: whole vectors with the lanes past the
          // segment zeroed where the arrays hold them, else scalars
          if (aSafe && Math.max(Math.max(b0, b1), Math.max(b2, b3)) + bMax + full + DL <= b.length) {
            dot44TailD(full, past, a, a0, a1, a2, a3, aSeg, b, b0, b1, b2, b3, bSeg, s0, s1, acc, ci, ldAcc);
          } else {
            for (int r = 0; r < 4; r++) {
              for (int c = 0; c < 4; c++) {
                acc[ci + r * ldAcc + c] += dotScalarD(full, len, a, aRows[i + r], aSeg, b, bRows[j + c] + bShift, bSeg, s0, s1);
              }
            }
          }
        }
      }
      for (; j < n; j++) {
        for (int r = 0; r < 4; r++) {
          acc[accOff + (i + r) * ldAcc + j] += dot11D(len, a, aRows[i + r], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
        }
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < n; j++) {
        acc[accOff + i * ldAcc + j] += dot11D(len, a, aRows[i], aSeg, b, bRows[j] + bShift, bSeg, s0, s1);
      }
    }
  }

  /** Sum over segments of the products of elements [from, len) of one row pair, in scalars. */
  private static double dotScalarD(int from, int len, double[] a, int aRow, int[] aSeg, double[] b, int bRow, int[] bSeg, int s0, int s1) {
    double sum = 0.0;
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = from; q < len; q++) {
        sum += a[ao + q] * b[bo + q];
      }
    }
    return sum;
  }

  /** One sum of segment products, whole vectors then a scalar tail. */
  private static double dot11D(int len, double[] a, int aRow, int[] aSeg, double[] b, int bRow, int[] bSeg, int s0, int s1) {
    int full = DS.loopBound(len);
    DoubleVector v = DoubleVector.zero(DS);
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = 0; q < full; q += DL) {
        v = DoubleVector.fromArray(DS, a, ao + q).fma(DoubleVector.fromArray(DS, b, bo + q), v);
      }
    }
    return v.reduceLanes(VectorOperators.ADD) + dotScalarD(full, len, a, aRow, aSeg, b, bRow, bSeg, s0, s1);
  }

  /** 4 x 4 block of dot products over {@code steps} whole vectors, step s at offsets aq[s] and bq[s] of the rows. */
  private static void dot44D(
      int steps, double[] a, int a0, int a1, int a2, int a3, int[] aq,
      double[] b, int b0, int b1, int b2, int b3, int[] bq,
      double[] acc, int accOff, int ldAcc) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = DoubleVector.zero(DS);
    DoubleVector s02 = DoubleVector.zero(DS);
    DoubleVector s03 = DoubleVector.zero(DS);
    DoubleVector s10 = DoubleVector.zero(DS);
    DoubleVector s11 = DoubleVector.zero(DS);
    DoubleVector s12 = DoubleVector.zero(DS);
    DoubleVector s13 = DoubleVector.zero(DS);
    DoubleVector s20 = DoubleVector.zero(DS);
    DoubleVector s21 = DoubleVector.zero(DS);
    DoubleVector s22 = DoubleVector.zero(DS);
    DoubleVector s23 = DoubleVector.zero(DS);
    DoubleVector s30 = DoubleVector.zero(DS);
    DoubleVector s31 = DoubleVector.zero(DS);
    DoubleVector s32 = DoubleVector.zero(DS);
    DoubleVector s33 = DoubleVector.zero(DS);
    for (int s = 0; s < steps; s++) {
      int as = aq[s];
      int bs = bq[s];
      DoubleVector x0 = DoubleVector.fromArray(DS, a, a0 + as);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, a1 + as);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, a2 + as);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, a3 + as);
      DoubleVector y0 = DoubleVector.fromArray(DS, b, b0 + bs);
      DoubleVector y1 = DoubleVector.fromArray(DS, b, b1 + bs);
      DoubleVector y2 = DoubleVector.fromArray(DS, b, b2 + bs);
      DoubleVector y3 = DoubleVector.fromArray(DS, b, b3 + bs);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }

  /** 4 x 4 block over the partial last vector of each segment, loaded whole, the lanes {@code past} the segment zeroed in both operands (so NaN or infinity there adds nothing). */
  private static void dot44TailD(
      int full, VectorMask<Double> past, double[] a, int a0, int a1, int a2, int a3, int[] aSeg,
      double[] b, int b0, int b1, int b2, int b3, int[] bSeg, int s0, int s1,
      double[] acc, int accOff, int ldAcc) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = DoubleVector.zero(DS);
    DoubleVector s02 = DoubleVector.zero(DS);
    DoubleVector s03 = DoubleVector.zero(DS);
    DoubleVector s10 = DoubleVector.zero(DS);
    DoubleVector s11 = DoubleVector.zero(DS);
    DoubleVector s12 = DoubleVector.zero(DS);
    DoubleVector s13 = DoubleVector.zero(DS);
    DoubleVector s20 = DoubleVector.zero(DS);
    DoubleVector s21 = DoubleVector.zero(DS);
    DoubleVector s22 = DoubleVector.zero(DS);
    DoubleVector s23 = DoubleVector.zero(DS);
    DoubleVector s30 = DoubleVector.zero(DS);
    DoubleVector s31 = DoubleVector.zero(DS);
    DoubleVector s32 = DoubleVector.zero(DS);
    DoubleVector s33 = DoubleVector.zero(DS);
    DoubleVector zero = DoubleVector.zero(DS);
    for (int s = s0; s < s1; s++) {
      int as = aSeg[s];
      int bs = bSeg[s];
      DoubleVector x0 = DoubleVector.fromArray(DS, a, a0 + as + full).blend(zero, past);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, a1 + as + full).blend(zero, past);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, a2 + as + full).blend(zero, past);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, a3 + as + full).blend(zero, past);
      DoubleVector y0 = DoubleVector.fromArray(DS, b, b0 + bs + full).blend(zero, past);
      DoubleVector y1 = DoubleVector.fromArray(DS, b, b1 + bs + full).blend(zero, past);
      DoubleVector y2 = DoubleVector.fromArray(DS, b, b2 + bs + full).blend(zero, past);
      DoubleVector y3 = DoubleVector.fromArray(DS, b, b3 + bs + full).blend(zero, past);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }


  // END DOUBLE
}
