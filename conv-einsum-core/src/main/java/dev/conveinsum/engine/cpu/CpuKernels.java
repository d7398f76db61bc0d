package dev.conveinsum.engine.cpu;

/**
 * The innermost, single-threaded kernels, implemented once in scalar Java ({@link ScalarKernels})
 * and once on the Vector API ({@code VectorKernels}, loaded reflectively by {@link VectorSupport}).
 *
 * <p>Matrices are addressed with general strides: element (i, p) of A is {@code a[aOff + i*aRs +
 * p*aCs]}, element (p, j) of B is {@code b[bOff + p*bRs + j*bCs]}, element (i, j) of C is {@code
 * c[cOff + i*ldc + j]}.
 */
interface CpuKernels {

  /** Human-readable description, e.g. "Vector API (512-bit)". */
  String name();

  /** Row lengths that are multiples of this run entirely in vector code in the float {@code corrRow}. */
  int floatLanes();

  /** Row lengths that are multiples of this run entirely in vector code in the double {@code corrRow}. */
  int doubleLanes();

  /** C (=|+=) A B for one m x n x k problem. */
  void sgemm(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate);

  /** C (=|+=) A B for one m x n x k problem. */
  void dgemm(
      int m, int n, int k,
      double[] a, int aOff, int aRs, int aCs,
      double[] b, int bOff, int bRs, int bCs,
      double[] c, int cOff, int ldc,
      boolean accumulate);

  /**
   * Row correlation with a 2-D tap block: for o in [0, len): {@code y[yOff+o] += sum_{i<taps1}
   * sum_{j<taps2} w[wOff + i*taps2 + j] * p[pOff + i*pStep + o*stride + j*dilation]}.
   */
  void corrRow(
      float[] y, int yOff, int len,
      float[] p, int pOff, int pStep, int stride, int dilation,
      float[] w, int wOff, int taps1, int taps2);

  /** Double-precision variant of {@link #corrRow(float[], int, int, float[], int, int, int, int, float[], int, int, int)}. */
  void corrRow(
      double[] y, int yOff, int len,
      double[] p, int pOff, int pStep, int stride, int dilation,
      double[] w, int wOff, int taps1, int taps2);
}
