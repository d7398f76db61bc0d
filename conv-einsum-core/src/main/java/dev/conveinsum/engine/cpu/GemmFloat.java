package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;

/**
 * The float32 batched GEMM of {@link Gemm}: distributes the products (or the row or column
 * blocks of one product) over the threads and runs each on the given kernels.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class GemmFloat {
  private GemmFloat() {}

  /** See {@link Gemm}; each product runs on the given kernels. */
  static void sgemm(
      CpuKernels kern, int batch, int m, int n, int k,
      float[] a, int aOff, boolean transA,
      float[] b, int bOff, boolean transB,
      float[] c, int cOff, boolean accumulate,
      Parallelism par) {
    Gemm.check(batch, m, n, k, a.length, aOff, b.length, bOff, c.length, cOff);
    if (batch == 0 || m == 0 || n == 0) {
      return;
    }
    int aRs = transA ? 1 : k;
    int aCs = transA ? m : 1;
    int bRs = transB ? 1 : n;
    int bCs = transB ? k : 1;
    int aStep = m * k;
    int bStep = k * n;
    int cStep = m * n;
    int threads = par.threads();
    if (batch >= threads || threads == 1) {
      par.forEach(batch, g -> kern.sgemm(m, n, k, a, aOff + g * aStep, aRs, aCs, b, bOff + g * bStep, bRs, bCs,
          c, cOff + g * cStep, n, accumulate));
      return;
    }
    Gemm.Split split = Gemm.Split.of(m, n, k, threads);
    for (int g = 0; g < batch; g++) {
      int ag = aOff + g * aStep;
      int bg = bOff + g * bStep;
      int cg = cOff + g * cStep;
      par.forEach(split.parts(), part -> {
        int lo = part * split.chunk();
        if (split.rows()) {
          int rows = Math.min(split.chunk(), m - lo);
          kern.sgemm(rows, n, k, a, ag + lo * aRs, aRs, aCs, b, bg, bRs, bCs, c, cg + lo * n, n, accumulate);
        } else {
          int cols = Math.min(split.chunk(), n - lo);
          kern.sgemm(m, cols, k, a, ag, aRs, aCs, b, bg + lo * bCs, bRs, bCs, c, cg + lo, n, accumulate);
        }
      });
    }
  }

  /**
   * {@code batch} products {@code C[g] = A B[g]} with one A for all (A as [M,K], or [K,M] when
   * transA; B and C per product as in {@link Gemm}), one single-threaded product per task, the
   * products spread over the threads: A is packed once for all of them where the kernels pack
   * it. The results are those of {@link #sgemm} per product, bit for bit.
   */
  static void sgemmSharedA(
      CpuKernels kern, int batch, int m, int n, int k,
      float[] a, int aOff, boolean transA,
      float[] b, int bOff, boolean transB,
      float[] c, int cOff,
      Parallelism par) {
    Gemm.check(1, m, 0, k, a.length, aOff, 0, 0, 0, 0);
    Gemm.check(batch, 0, n, k, 0, 0, b.length, bOff, 0, 0);
    Gemm.check(batch, m, n, 0, 0, 0, 0, 0, c.length, cOff);
    if (batch == 0 || m == 0 || n == 0) {
      return;
    }
    int aRs = transA ? 1 : k;
    int aCs = transA ? m : 1;
    int bRs = transB ? 1 : n;
    int bCs = transB ? k : 1;
    int bStep = k * n;
    int cStep = m * n;
    float[][] packed = kern.sgemmPackA(m, n, k, a, aOff, aRs, aCs, bRs);
    if (packed == null) {
      par.forEach(batch, g -> kern.sgemm(m, n, k, a, aOff, aRs, aCs, b, bOff + g * bStep, bRs, bCs,
          c, cOff + g * cStep, n, false));
      return;
    }
    par.forEach(batch, g -> kern.sgemmPackedA(m, n, k, packed, b, bOff + g * bStep, bRs, bCs,
        c, cOff + g * cStep, n, false));
  }
}
