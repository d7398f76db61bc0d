package dev.conveinsum.nn;

import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Dense float64 helpers for the decompositions: permute, a plain einsum without convolutions
 * (pairwise, greedy by smallest intermediate), and leading left singular vectors through EJML.
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

  /**
   * Evaluates a plain einsum (no convolution, no repeated labels within one operand), contracting
   * pairwise, each time the pair with the smallest result.
   */
  static Tensor einsum(List<Op> operands, List<String> output) {
    List<Op> ops = new ArrayList<>(operands);
    java.util.Map<String, Integer> size = new java.util.HashMap<>();
    for (Op op : ops) {
      for (int i = 0; i < op.labels.size(); i++) {
        size.put(op.labels.get(i), (int) op.t.dim(i));
      }
    }
    while (ops.size() > 1) {
      int bi = -1;
      int bj = -1;
      long best = Long.MAX_VALUE;
      for (int i = 0; i < ops.size(); i++) {
        for (int j = i + 1; j < ops.size(); j++) {
          List<String> labels = pairLabels(ops, i, j, output);
          long n = 1;
          for (String l : labels) {
            n *= size.get(l);
          }
          boolean shares = !disjoint(ops.get(i).labels, ops.get(j).labels);
          long key = shares ? n : n * 4 + 1; // prefer pairs that share an index
          if (key < best) {
            best = key;
            bi = i;
            bj = j;
          }
        }
      }
      Op a = ops.get(bi);
      Op b = ops.get(bj);
      Set<String> needed = new LinkedHashSet<>(output);
      for (int k = 0; k < ops.size(); k++) {
        if (k != bi && k != bj) {
          needed.addAll(ops.get(k).labels);
        }
      }
      Op c = contract(a, b, needed);
      ops.remove(bj);
      ops.remove(bi);
      ops.add(c);
    }
    Op last = reduce(ops.get(0), new LinkedHashSet<>(output));
    int[] perm = new int[output.size()];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = last.labels.indexOf(output.get(i));
      if (perm[i] < 0) {
        throw new IllegalArgumentException("output label " + output.get(i) + " not found");
      }
    }
    return permute(last.t, perm);
  }

  private static boolean disjoint(List<String> a, List<String> b) {
    for (String x : a) {
      if (b.contains(x)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> pairLabels(List<Op> ops, int i, int j, List<String> output) {
    Set<String> needed = new LinkedHashSet<>(output);
    for (int k = 0; k < ops.size(); k++) {
      if (k != i && k != j) {
        needed.addAll(ops.get(k).labels);
      }
    }
    Set<String> out = new LinkedHashSet<>();
    for (String l : ops.get(i).labels) {
      if (needed.contains(l)) {
        out.add(l);
      }
    }
    for (String l : ops.get(j).labels) {
      if (needed.contains(l)) {
        out.add(l);
      }
    }
    return new ArrayList<>(out);
  }

  /** Sums out the labels of op that are not needed. */
  private static Op reduce(Op op, Set<String> needed) {
    List<String> keep = new ArrayList<>();
    List<Integer> keepAxes = new ArrayList<>();
    List<Integer> dropAxes = new ArrayList<>();
    for (int i = 0; i < op.labels.size(); i++) {
      if (needed.contains(op.labels.get(i))) {
        keep.add(op.labels.get(i));
        keepAxes.add(i);
      } else {
        dropAxes.add(i);
      }
    }
    if (dropAxes.isEmpty()) {
      return op;
    }
    int[] perm = new int[op.labels.size()];
    int p = 0;
    for (int a : keepAxes) {
      perm[p++] = a;
    }
    for (int a : dropAxes) {
      perm[p++] = a;
    }
    Tensor t = permute(op.t, perm);
    int[] shape = ints(op.t.shape());
    int inner = 1;
    for (int a : dropAxes) {
      inner *= shape[a];
    }
    double[] src = data(t);
    int outer = inner == 0 ? 0 : src.length / inner;
    double[] out = new double[outer];
    for (int o = 0; o < outer; o++) {
      double s = 0;
      for (int i = 0; i < inner; i++) {
        s += src[o * inner + i];
      }
      out[o] = s;
    }
    long[] newShape = new long[keepAxes.size()];
    for (int i = 0; i < newShape.length; i++) {
      newShape[i] = shape[keepAxes.get(i)];
    }
    return new Op(Tensor.wrap(out, newShape), keep);
  }

  /** Contracts two operands: batch labels, then a's free labels, then b's free labels. */
  static Op contract(Op a, Op b, Set<String> needed) {
    Set<String> neededA = new LinkedHashSet<>(needed);
    neededA.addAll(b.labels);
    a = reduce(a, neededA);
    Set<String> neededB = new LinkedHashSet<>(needed);
    neededB.addAll(a.labels);
    b = reduce(b, neededB);
    List<String> batch = new ArrayList<>();
    List<String> contr = new ArrayList<>();
    List<String> freeA = new ArrayList<>();
    List<String> freeB = new ArrayList<>();
    for (String l : a.labels) {
      if (b.labels.contains(l)) {
        (needed.contains(l) ? batch : contr).add(l);
      } else {
        freeA.add(l);
      }
    }
    for (String l : b.labels) {
      if (!a.labels.contains(l)) {
        freeB.add(l);
      }
    }
    List<String> orderA = new ArrayList<>(batch);
    orderA.addAll(freeA);
    orderA.addAll(contr);
    List<String> orderB = new ArrayList<>(batch);
    orderB.addAll(contr);
    orderB.addAll(freeB);
    double[] x = data(permute(a.t, axes(a.labels, orderA)));
    double[] y = data(permute(b.t, axes(b.labels, orderB)));
    int nb = dims(a, batch);
    int m = dims(a, freeA);
    int kk = dims(a, contr);
    int n = dims(b, freeB);
    double[] z = new double[Math.multiplyExact(Math.multiplyExact(nb, m), n)];
    for (int g = 0; g < nb; g++) {
      gemm(x, g * m * kk, y, g * kk * n, z, g * m * n, m, kk, n);
    }
    List<String> labels = new ArrayList<>(batch);
    labels.addAll(freeA);
    labels.addAll(freeB);
    long[] shape = new long[labels.size()];
    for (int i = 0; i < shape.length; i++) {
      String l = labels.get(i);
      int ia = a.labels.indexOf(l);
      shape[i] = ia >= 0 ? a.t.dim(ia) : b.t.dim(b.labels.indexOf(l));
    }
    return new Op(Tensor.wrap(z, shape), labels);
  }

  private static int dims(Op op, List<String> labels) {
    int n = 1;
    for (String l : labels) {
      n *= (int) op.t.dim(op.labels.indexOf(l));
    }
    return n;
  }

  private static int[] axes(List<String> labels, List<String> order) {
    int[] p = new int[order.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = labels.indexOf(order.get(i));
    }
    return p;
  }

  /** z[m x n] += x[m x k] * y[k x n], row-major at the given offsets (i-k-j order). */
  static void gemm(double[] x, int xo, double[] y, int yo, double[] z, int zo, int m, int k,
      int n) {
    for (int i = 0; i < m; i++) {
      int zr = zo + i * n;
      for (int p = 0; p < k; p++) {
        double v = x[xo + i * k + p];
        if (v == 0) {
          continue;
        }
        int yr = yo + p * n;
        for (int j = 0; j < n; j++) {
          z[zr + j] += v * y[yr + j];
        }
      }
    }
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
    org.ejml.dense.row.CommonOps_DDRM.mult(am, omega, y);
    DMatrixRMaj q = orthonormal(y);
    DMatrixRMaj z = new DMatrixRMaj(cols, sketch);
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      org.ejml.dense.row.CommonOps_DDRM.multTransA(am, q, z);
      DMatrixRMaj qz = orthonormal(z);
      org.ejml.dense.row.CommonOps_DDRM.mult(am, qz, y);
      q = orthonormal(y);
    }
    DMatrixRMaj b = new DMatrixRMaj(sketch, cols);
    org.ejml.dense.row.CommonOps_DDRM.multTransA(q, am, b);
    double[] ub = leftSingular(b.data, sketch, cols, r);
    double[] u = new double[rows * r];
    gemm(q.data, 0, ub, 0, u, 0, rows, sketch, r);
    return u;
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
