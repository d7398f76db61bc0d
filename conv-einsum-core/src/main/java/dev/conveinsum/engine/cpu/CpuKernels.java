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

  /**
   * Packs A (m x k, strided as in {@link #sgemm}) once for many products {@code C = A B} of
   * these sizes whose B has row stride {@code bRs}, in the form {@link #sgemmPackedA} reads; or
   * returns null where {@link #sgemm} would not pack A for them (then call it per product).
   */
  default float[][] sgemmPackA(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, int bRs) {
    return null;
  }

  /**
   * C (=|+=) A B for one m x n x k problem with A packed by {@link #sgemmPackA}; the same
   * result, bit for bit, as {@link #sgemm} on the unpacked A.
   */
  default void sgemmPackedA(
      int m, int n, int k, float[][] packedA,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    throw new UnsupportedOperationException("no packed A in " + name());
  }

  /** Double-precision variant of {@link #sgemmPackA}. */
  default double[][] dgemmPackA(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, int bRs) {
    return null;
  }

  /** Double-precision variant of {@link #sgemmPackedA}. */
  default void dgemmPackedA(
      int m, int n, int k, double[][] packedA,
      double[] b, int bOff, int bRs, int bCs,
      double[] c, int cOff, int ldc,
      boolean accumulate) {
    throw new UnsupportedOperationException("no packed A in " + name());
  }

  /**
   * The tiles of an implicit im2col ({@code ConvImplicitFloat.implicitF}): for output channels i
   * &lt; m and output vectors v in [v0, v1) of {@code lanes} outputs each, {@code sum_{q<k} at[aOff +
   * (i / 4) * k * 4 + q * 4 + i % 4] * p[pOff + rows[q] + vecP[v] + l]} for lane l, written (=|+=) to
   * {@code y[yOff + i*ldy + vecY[v] + l]} where {@code vecY[v] >= 0}, else to {@code y[yOff + i*ldy
   * + laneY[(-1 - vecY[v]) * lanes + l]]} for the lanes whose entry there is not negative. A is
   * packed in panels of 4 rows ({@link ConvTiling#PANEL}), rows past m zero; every lane's window
   * must be readable in p. {@code lanes} is {@link #floatLanes()} where that is above 1, else 16.
   */
  void convTiles(
      int m, int k, float[] at, int aOff, float[] p, int pOff, int[] rows, int lanes,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      float[] y, int yOff, int ldy, boolean accumulate);

  /** Double-precision variant of {@link #convTiles(int, int, float[], int, float[], int, int[], int, int[], int[], int[], int, int, float[], int, int, boolean)}; {@code lanes} follows {@link #doubleLanes()}. */
  void convTiles(
      int m, int k, double[] at, int aOff, double[] p, int pOff, int[] rows, int lanes,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      double[] y, int yOff, int ldy, boolean accumulate);

  /**
   * Sums of products of row segments read in place, for convolutions whose filter is longer than
   * their output (weight gradients): for i &lt; m, j &lt; n, {@code acc[accOff + i*ldAcc + j] +=
   * sum_{s0 <= s < s1} sum_{q < len} a[aRows[i] + aSeg[s] + q] * b[bRows[j] + bShift + bSeg[s] +
   * q]}. Elements past a segment may be read (never summed) where the arrays hold them.
   */
  void sdotSegments(
      int m, int n, int len,
      float[] a, int[] aRows, int[] aSeg,
      float[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      float[] acc, int accOff, int ldAcc);

  /** Double-precision variant of {@link #sdotSegments}. */
  void ddotSegments(
      int m, int n, int len,
      double[] a, int[] aRows, int[] aSeg,
      double[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      double[] acc, int accOff, int ldAcc);

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

  /**
   * One output row of a 1-D stride-1 convolution over zero-padded channel rows, for short rows
   * and few channels: for o in [0, len), {@code y[yOff+o] = sum_{c<channels} sum_{j<taps}
   * w[wOff + c*taps + j] * p[pOff + c*cStride + o + shift[j]]}. The rows must be readable up to
   * {@code o + shift[j]} for o below len rounded up to {@link #floatLanes()}; a partial last
   * vector goes through {@code tmp} (at least that many elements), so nothing past len is
   * written. Overwrites y.
   */
  void corrTaps(
      float[] y, int yOff, int len,
      float[] p, int pOff, int cStride, int channels, int[] shift,
      float[] w, int wOff, int taps, float[] tmp);

  /** Double-precision variant of {@link #corrTaps(float[], int, int, float[], int, int, int, int[], float[], int, int, float[])}. */
  void corrTaps(
      double[] y, int yOff, int len,
      double[] p, int pOff, int cStride, int channels, int[] shift,
      double[] w, int wOff, int taps, double[] tmp);
}
