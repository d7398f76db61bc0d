package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import java.util.Objects;

/**
 * Batched, strided matrix multiplication (GEMM) in float32 and float64.
 *
 * <p>For each batch index {@code g < batch}: {@code C[g][m][n] (=|+=) sum_k A[g](m,k) * B[g](k,n)}.
 * A is stored row-major as {@code [batch, M, K]}, or as {@code [batch, K, M]} when {@code transA};
 * B as {@code [batch, K, N]}, or {@code [batch, N, K]} when {@code transB}; C row-major as {@code
 * [batch, M, N]}. Each array starts at the given offset and the batch entries are contiguous. With
 * {@code accumulate} the product is added to C, otherwise C is overwritten (its old contents,
 * including NaNs, are ignored).
 *
 * <p>With the Vector API (see {@link VectorSupport}) the kernel packs A into 8-row micro-panels
 * (6-row on AVX2) and, when M &gt; 32 or B is transposed, B into 2-vector-wide panels, then runs
 * an 8 x 2-vector register-blocked FMA micro-kernel (4 x 2 vectors for a last panel of at most
 * 4 rows, e.g. M = 28, so that no multiply-adds run on padding rows). On one AVX-512 (Zen 5)
 * core it measured 166-185 float32 GFLOPS on 256 to 1024 squares (290 on two threads at 1024) and 92-179 on
 * skinny and tensorial-layer shapes, against 94-99 on squares for OpenBLAS 0.3.31 as its
 * binding loads it and 183-191 for OpenBLAS forced to its AVX-512 kernels
 * (conv-einsum-benchmarks/RESULTS.md); about 89 GFLOPS with AVX2 only. Without the Vector API
 * a cache-blocked scalar loop is used (about 6 GFLOPS). It pays
 * to pack B only when enough rows of A reuse it: for M &lt;= 32 B is read in place. Products with
 * at most one vector of columns and more than twice as many rows (matrix-vector like) are computed
 * transposed, so that the long dimension fills the vectors. Problems with fewer
 * than 2048 multiply-adds skip packing.
 *
 * <p>Threads: when {@code batch >= threads} the batch entries are distributed over the threads
 * and each product runs single-threaded; otherwise each product is split into column blocks (or
 * row blocks when M &gt; N) over the threads. The two levels are never combined.
 */
public final class Gemm {

  /** Below this many multiply-adds a single product is not split over threads. */
  private static final long MIN_SPLIT_MNK = 1L << 18;

  private Gemm() {}

  /**
   * Computes a batch of float32 matrix products using all available processors.
   *
   * @param batch number of independent products G, at least 0
   * @param m rows of A and C
   * @param n columns of B and C
   * @param k inner dimension
   * @param a A as [G,M,K] (or [G,K,M] when transA), from aOff
   * @param aOff offset of A in {@code a}
   * @param transA whether A is stored transposed, as [G,K,M]
   * @param b B as [G,K,N] (or [G,N,K] when transB), from bOff
   * @param bOff offset of B in {@code b}
   * @param transB whether B is stored transposed, as [G,N,K]
   * @param c C as [G,M,N], from cOff
   * @param cOff offset of C in {@code c}
   * @param accumulate add to C when true, overwrite C when false
   */
  public static void sgemm(
      int batch, int m, int n, int k,
      float[] a, int aOff, boolean transA,
      float[] b, int bOff, boolean transB,
      float[] c, int cOff, boolean accumulate) {
    sgemm(batch, m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate, Parallelism.defaults());
  }

  /**
   * Computes a batch of float32 matrix products with the given parallelism.
   *
   * @param batch number of independent products G, at least 0
   * @param m rows of A and C
   * @param n columns of B and C
   * @param k inner dimension
   * @param a A as [G,M,K] (or [G,K,M] when transA), from aOff
   * @param aOff offset of A in {@code a}
   * @param transA whether A is stored transposed, as [G,K,M]
   * @param b B as [G,K,N] (or [G,N,K] when transB), from bOff
   * @param bOff offset of B in {@code b}
   * @param transB whether B is stored transposed, as [G,N,K]
   * @param c C as [G,M,N], from cOff
   * @param cOff offset of C in {@code c}
   * @param accumulate add to C when true, overwrite C when false
   * @param parallelism the threads to use
   */
  public static void sgemm(
      int batch, int m, int n, int k,
      float[] a, int aOff, boolean transA,
      float[] b, int bOff, boolean transB,
      float[] c, int cOff, boolean accumulate,
      Parallelism parallelism) {
    GemmFloat.sgemm(VectorSupport.kernels(), batch, m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate, parallelism);
  }

  /**
   * Computes a batch of float64 matrix products using all available processors.
   *
   * @param batch number of independent products G, at least 0
   * @param m rows of A and C
   * @param n columns of B and C
   * @param k inner dimension
   * @param a A as [G,M,K] (or [G,K,M] when transA), from aOff
   * @param aOff offset of A in {@code a}
   * @param transA whether A is stored transposed, as [G,K,M]
   * @param b B as [G,K,N] (or [G,N,K] when transB), from bOff
   * @param bOff offset of B in {@code b}
   * @param transB whether B is stored transposed, as [G,N,K]
   * @param c C as [G,M,N], from cOff
   * @param cOff offset of C in {@code c}
   * @param accumulate add to C when true, overwrite C when false
   */
  public static void dgemm(
      int batch, int m, int n, int k,
      double[] a, int aOff, boolean transA,
      double[] b, int bOff, boolean transB,
      double[] c, int cOff, boolean accumulate) {
    dgemm(batch, m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate, Parallelism.defaults());
  }

  /**
   * Computes a batch of float64 matrix products with the given parallelism.
   *
   * @param batch number of independent products G, at least 0
   * @param m rows of A and C
   * @param n columns of B and C
   * @param k inner dimension
   * @param a A as [G,M,K] (or [G,K,M] when transA), from aOff
   * @param aOff offset of A in {@code a}
   * @param transA whether A is stored transposed, as [G,K,M]
   * @param b B as [G,K,N] (or [G,N,K] when transB), from bOff
   * @param bOff offset of B in {@code b}
   * @param transB whether B is stored transposed, as [G,N,K]
   * @param c C as [G,M,N], from cOff
   * @param cOff offset of C in {@code c}
   * @param accumulate add to C when true, overwrite C when false
   * @param parallelism the threads to use
   */
  public static void dgemm(
      int batch, int m, int n, int k,
      double[] a, int aOff, boolean transA,
      double[] b, int bOff, boolean transB,
      double[] c, int cOff, boolean accumulate,
      Parallelism parallelism) {
    GemmDouble.dgemm(VectorSupport.kernels(), batch, m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate, parallelism);
  }

  /** Checks the sizes and that A, B and C fit in their arrays from their offsets. */
  static void check(int batch, int m, int n, int k, int aLen, int aOff, int bLen, int bOff, int cLen, int cOff) {
    if (batch < 0 || m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "negative size: batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
    }
    Objects.checkFromIndexSize(aOff, Math.multiplyExact(batch, Math.multiplyExact(m, k)), aLen);
    Objects.checkFromIndexSize(bOff, Math.multiplyExact(batch, Math.multiplyExact(k, n)), bLen);
    Objects.checkFromIndexSize(cOff, Math.multiplyExact(batch, Math.multiplyExact(m, n)), cLen);
  }

  /** A split of one m x n product into {@code parts} row or column blocks of {@code chunk}. */
  record Split(boolean rows, int chunk, int parts) {
    /** The split of one product for a thread count. */
    static Split of(int m, int n, int k, int threads) {
      if (threads <= 1 || (long) m * n * k < MIN_SPLIT_MNK) {
        return new Split(false, Math.max(n, 1), 1);
      }
      if (n >= m) {
        int chunk = Math.max(64, (n + threads - 1) / threads + 63) / 64 * 64;
        return new Split(false, chunk, (n + chunk - 1) / chunk);
      }
      int chunk = Math.max(8, ((m + threads - 1) / threads + 7) / 8 * 8);
      return new Split(true, chunk, (m + chunk - 1) / chunk);
    }
  }
}
