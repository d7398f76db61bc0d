package dev.conveinsum.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector species and block sizes shared by the float32 and float64 Vector API kernels.
 *
 * <p>GEMM: BLIS-style loops (NC columns of B, KC depth, MR-row panels of A) around an MR-row x
 * 2-vector FMA micro-kernel: 8 rows (16 vector accumulators, 8 x 32 floats per tile) with 512-bit
 * vectors, 6 rows (12 accumulators) with 256-bit or narrower ones, which have only 16 registers. A is always packed into MR-row micro-panels (KC x MR, stays in L1). B is packed into
 * contiguous NR-column panels when it is transposed or when M &gt; 32 and N &gt; 512; for M &lt;= 32
 * each element of B is used at most 4 times, so packing would cost as much memory traffic as the
 * product, and for N &lt;= 512 one block of B stays in cache: the micro-kernel then reads rows of
 * B in place.
 */
final class VectorShapes {

  /** The preferred species and their lane counts. */
  static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  static final int FL = FS.length();
  static final int DL = DS.length();

  /**
   * Rows of the micro-tile: 8 x 2 vectors (16 accumulators) with 32 vector registers (AVX-512),
   * 6 x 2 (12 accumulators, the classic Haswell shape) with 16 (AVX2 and narrower).
   */
  static final int MR = FS.vectorBitSize() >= 512 ? 8 : 6;
  /** Columns of the micro-tile: two vectors. */
  static final int NRF = 2 * FL;
  /** Columns of the float64 micro-tile. */
  static final int NRD = 2 * DL;
  /** Depth of a packed block. */
  static final int KC = 256;
  /** Columns of a packed B block (KC x NC floats = 512 KiB, fits L2). */
  static final int NCF = 512;
  /** Columns of a packed float64 B block. */
  static final int NCD = 256;
  /** B is packed only when A has more rows than this. */
  static final int PACK_B_MIN_M = 32;
  /**
   * B with at most this many contiguous columns is read in place whatever M (one column block,
   * at most KC x 512 floats): per-image 1x1 products such as 56x256x128 ran 5-20 % faster than
   * with B packed, 512-column squares no slower (2 threads' worth of load on the machine).
   */
  static final int INPLACE_B_MAX_N = 512;
  /** Problems with fewer multiply-adds than this go to the scalar kernel (no packing overhead). */
  static final long SMALL_MNK = 2048;
  /** Inner-dimension block of the dot-product path (16 KiB of float32 per row or column). */
  static final int DOT_KC = 4096;

  private VectorShapes() {}

  /** x rounded up to a multiple of q. */
  static int roundUp(int x, int q) {
    return (x + q - 1) / q * q;
  }
}
