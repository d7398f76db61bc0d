package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Dense float64 helpers for the decompositions: permute, a plain einsum without convolutions
 * (through {@link ConvEinsum}), and matrix products and leading left singular vectors through
 * EJML.
 * Package-private.
 */
final class Dense {
  private Dense() {}

  static int[] ints(long[] shape) {
    return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
  }

  static long[] longs(int[] shape) {
    return Arrays.stream(shape).asLongStream().toArray();
  }

  static int count(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  static double[] data(Tensor t) {
    return t.dtype() == DType.FLOAT64 ? t.doubleData() : t.toDoubleArray();
  }

  /** Returns x with its axes permuted: result axis i is x's axis perm[i]. */
  static Tensor permute(Tensor x, int... perm) {
    int[] shape = ints(x.shape());
    int n = shape.length;
    boolean identity = true;
    for (int i = 0; i < n; i++) {
      identity &= perm[i] == i;
    }
    if (identity) {
      return x.to(DType.FLOAT64);
    }
    double[] src = data(x);
    int[] srcStride = new int[n];
    int acc = 1;
    for (int a = n - 1; a >= 0; a--) {
      srcStride[a] = acc;
      acc *= shape[a];
    }
    int[] outShape = new int[n];
    int[] stride = new int[n];
    for (int i = 0; i < n; i++) {
      outShape[i] = shape[perm[i]];
      stride[i] = srcStride[perm[i]];
    }
    double[] out = new double[src.length];
    if (out.length == 0) {
      return Tensor.wrap(out, longs(outShape));
    }
    int[] idx = new int[n];
    int off = 0;
    int last = n - 1;
    for (int o = 0; o < out.length; ) {
      // inner loop over the last output axis
      int len = outShape[last];
      int st = stride[last];
      for (int j = 0, p = off; j < len; j++, p += st) {
        out[o++] = src[p];
      }
      int a = last - 1;
      while (a >= 0) {
        off += stride[a];
        if (++idx[a] < outShape[a]) {
          break;
        }
        off -= stride[a] * outShape[a];
        idx[a] = 0;
        a--;
      }
      if (a < 0) {
        break;
      }
    }
    return Tensor.wrap(out, longs(outShape));
  }

  /** An operand of {@link #einsum}: a tensor and one label per axis. */
  record Op(Tensor t, List<String> labels) {}

  /** The index letters an {@link #einsum} label may be renamed to. */
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /**
   * Evaluates a plain einsum (no convolution) in float64 through {@link ConvEinsum}: each
   * distinct label becomes one index letter, labels absent from the output are summed.
   */
  static Tensor einsum(List<Op> operands, List<String> output) {
    Map<String, Character> letter = new LinkedHashMap<>();
    StringBuilder expr = new StringBuilder();
    Tensor[] tensors = new Tensor[operands.size()];
    for (int k = 0; k < operands.size(); k++) {
      Op op = operands.get(k);
      if (op.labels.size() != op.t.rank()) {
        throw new IllegalArgumentException("operand " + k + " has rank " + op.t.rank() + " but "
            + op.labels.size() + " labels");
      }
      expr.append(k == 0 ? "" : ",");
      for (String l : op.labels) {
        expr.append(letter(letter, l));
      }
      tensors[k] = op.t.to(DType.FLOAT64);
    }
    expr.append("->");
    for (String l : output) {
      if (!letter.containsKey(l)) {
        throw new IllegalArgumentException("output label " + l + " not found");
      }
      expr.append(letter.get(l));
    }
    return ConvEinsum.einsum(expr.toString(), ConvOptions.DEFAULT, tensors);
  }

  private static char letter(Map<String, Character> letters, String label) {
    Character c = letters.get(label);
    if (c == null) {
      if (letters.size() == LETTERS.length()) {
        throw new IllegalArgumentException("more than " + LETTERS.length() + " labels");
      }
      c = LETTERS.charAt(letters.size());
      letters.put(label, c);
    }
    return c;
  }

  /** Returns x[m x k] * y[k x n], row-major, through EJML. */
  static double[] multiply(double[] x, double[] y, int m, int k, int n) {
    DMatrixRMaj z = new DMatrixRMaj(m, n);
    CommonOps_DDRM.mult(DMatrixRMaj.wrap(m, k, x), DMatrixRMaj.wrap(k, n, y), z);
    return z.data;
  }

  /**
   * Returns the r leading left singular vectors of the row-major rows x cols matrix a, as a
   * rows x r row-major array, by singular value (largest first); columns beyond
   * {@code min(rows, cols)} are zero. Only U is computed (no V, no Gram matrix).
   */
  static double[] leftSingular(double[] a, int rows, int cols, int r) {
    double[] u = new double[rows * r];
    int avail = Math.min(rows, cols);
    if (avail == 0 || r == 0) {
      return u;
    }
    int sketch = r + OVERSAMPLE;
    if ((long) rows * cols > RANDOMIZED_ABOVE && 2 * sketch <= avail) {
      return randomizedLeftSingular(a, rows, cols, r, sketch);
    }
    DMatrixRMaj m = new DMatrixRMaj(rows, cols);
    System.arraycopy(a, 0, m.data, 0, rows * cols);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(rows, cols, true, false, true);
    if (!svd.decompose(m)) {
      throw new ArithmeticException("SVD did not converge for a " + rows + "x" + cols
          + " matrix");
    }
    DMatrixRMaj uu = svd.getU(null, false);
    DMatrixRMaj w = svd.getW(null);
    SingularOps_DDRM.descendingOrder(uu, false, w, null, false);
    int take = Math.min(r, Math.min(avail, uu.numCols));
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < take; j++) {
        u[i * r + j] = uu.get(i, j);
      }
    }
    return u;
  }

  /** Matrices with more entries than this use the randomized range finder when r is small. */
  static final long RANDOMIZED_ABOVE = 1L << 20;
  /** Extra sketch columns of the randomized range finder. */
  static final int OVERSAMPLE = 10;
  /** Power iterations of the randomized range finder. */
  static final int POWER_ITERATIONS = 3;

  /**
   * Randomized range finder with power iterations (Halko, Martinsson, Tropp, SIAM Review 53(2),
   * 2011, algorithms 4.4 and 5.1): Q spans A (A^T A)^q Omega for a seeded Gaussian Omega of
   * r + 10 columns, then the SVD of the small Q^T A gives the leading left singular vectors.
   * Costs O(rows * cols * (r + 10)) instead of a full SVD's O(rows * cols * min(rows, cols)); exact
   * whenever the rank of A is at most r + 10.
   */
  private static double[] randomizedLeftSingular(double[] a, int rows, int cols, int r,
      int sketch) {
    DMatrixRMaj am = DMatrixRMaj.wrap(rows, cols, a);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(rows * 31L + cols);
    DMatrixRMaj omega = new DMatrixRMaj(cols, sketch);
    for (int i = 0; i < omega.data.length; i++) {
      omega.data[i] = rnd.nextGaussian();
    }
    DMatrixRMaj y = new DMatrixRMaj(rows, sketch);
    CommonOps_DDRM.mult(am, omega, y);
    DMatrixRMaj q = orthonormal(y);
    DMatrixRMaj z = new DMatrixRMaj(cols, sketch);
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      CommonOps_DDRM.multTransA(am, q, z);
      DMatrixRMaj qz = orthonormal(z);
      CommonOps_DDRM.mult(am, qz, y);
      q = orthonormal(y);
    }
    DMatrixRMaj b = new DMatrixRMaj(sketch, cols);
    CommonOps_DDRM.multTransA(q, am, b);
    double[] ub = leftSingular(b.data, sketch, cols, r);
    return multiply(q.data, ub, rows, sketch, r);
  }

  private static DMatrixRMaj orthonormal(DMatrixRMaj y) {
    org.ejml.interfaces.decomposition.QRDecomposition<DMatrixRMaj> qr =
        DecompositionFactory_DDRM.qr(y.numRows, y.numCols);
    if (!qr.decompose(y.copy())) {
      throw new ArithmeticException("QR failed for a " + y.numRows + "x" + y.numCols
          + " matrix");
    }
    return qr.getQ(null, true);
  }

  /** Returns the Frobenius norm of a tensor. */
  static double norm(Tensor t) {
    double s = 0;
    for (int i = 0; i < t.size(); i++) {
      double v = t.getFlat(i);
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** Returns ||a - b|| / ||b||. */
  static double relativeError(Tensor a, Tensor b) {
    double s = 0;
    double n = 0;
    for (int i = 0; i < b.size(); i++) {
      double d = a.getFlat(i) - b.getFlat(i);
      s += d * d;
      n += b.getFlat(i) * b.getFlat(i);
    }
    return n == 0 ? Math.sqrt(s) : Math.sqrt(s / n);
  }
}
