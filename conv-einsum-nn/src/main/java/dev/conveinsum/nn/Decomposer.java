package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Decomposes a dense kernel {@code W[t,s,h,w]} into the factors of a {@link LayerSpec}: CP by
 * alternating least squares (Kolda and Bader, SIAM Review 51(3), 2009), Tucker by the truncated
 * higher-order SVD (De Lathauwer, De Moor, Vandewalle, SIMAX 21(4), 2000), tensor train by TT-SVD
 * (Oseledets, SISC 33(5), 2011), tensor ring by TR-SVD (Zhao et al., arXiv:1606.05535, 2016). The
 * reshaped variants first regroup W into modes {@code (t1 s1), ..., (tM sM), (h w)}.
 *
 * <p>Memory: only unfoldings of W itself and factor-sized products are formed; singular vectors
 * come from thin SVDs of the unfoldings (left vectors only), never from Gram matrices of the long
 * side. Package-private; {@link TensorialLayer#fromDense} is the entry point.
 */
final class Decomposer {
  private Decomposer() {}

  static List<Tensor> decompose(LayerSpec spec, Tensor kernel, DecomposeOptions opt) {
    long[] want = spec.kernelShape();
    if (!Arrays.equals(kernel.shape(), want)) {
      throw new ConvEinsumException("fromDense: the kernel has shape "
          + Arrays.toString(kernel.shape()) + " but the layer needs [T, S, k, k] = "
          + Arrays.toString(want));
    }
    Tensor w = kernel.to(dev.conveinsum.tensor.DType.FLOAT64);
    List<Integer> r = spec.ranks();
    int t = spec.outChannels();
    int s = spec.inChannels();
    int k = spec.kernelSize();
    List<Tensor> out = new ArrayList<>();
    switch (spec.decomposition()) {
      case DENSE -> out.add(w);
      case CP -> {
        List<double[]> f = cpAls(w, new int[] {t, s, k, k}, r.get(0), opt);
        int[] n = {t, s, k, k};
        for (int m = 0; m < 4; m++) {
          out.add(Tensor.wrap(f.get(m), r.get(0), n[m]));
        }
      }
      case RCP -> {
        int[] n = pairModes(spec);
        List<double[]> f = cpAls(pairTensor(spec, w), n, r.get(0), opt);
        addPairFactors(spec, out, f, r.get(0));
      }
      case TK -> {
        double[] x = Dense.data(w);
        int r1 = r.get(0);
        int r2 = r.get(1);
        double[] u1 = Dense.leftSingular(x, t, s * k * k, r1);
        double[] u2 = Dense.leftSingular(Dense.data(Dense.permute(w, 1, 0, 2, 3)), s,
            t * k * k, r2);
        Tensor pt = Dense.permute(Tensor.wrap(u1, t, r1), 1, 0);
        Tensor qs = Dense.permute(Tensor.wrap(u2, s, r2), 1, 0);
        Tensor core = Dense.einsum(List.of(new Dense.Op(w, List.of("t", "s", "h", "w")),
            new Dense.Op(pt, List.of("p", "t")), new Dense.Op(qs, List.of("q", "s"))),
            List.of("p", "q", "h", "w"));
        out.add(pt);
        out.add(qs);
        out.add(core);
      }
      case RTK -> {
        int m = spec.order();
        int[] n = pairModes(spec);
        Tensor x = pairTensor(spec, w);
        List<Dense.Op> ops = new ArrayList<>();
        List<String> modeLabels = new ArrayList<>();
        for (int i = 0; i <= m; i++) {
          modeLabels.add("m" + i);
        }
        ops.add(new Dense.Op(x, modeLabels));
        List<Tensor> us = new ArrayList<>();
        for (int i = 0; i <= m; i++) {
          int rank = i < m ? r.get(i + 1) : r.get(0);
          double[] u = Dense.leftSingular(Dense.data(Dense.permute(x, front(m + 1, i))), n[i],
              Dense.count(n) / n[i], rank);
          Tensor ut = Dense.permute(Tensor.wrap(u, n[i], rank), 1, 0);
          us.add(ut);
          ops.add(new Dense.Op(ut, List.of("r" + i, "m" + i)));
        }
        List<String> coreLabels = new ArrayList<>();
        coreLabels.add("r" + m);
        for (int i = 0; i < m; i++) {
          coreLabels.add("r" + i);
        }
        Tensor core = Dense.einsum(ops, coreLabels);
        for (int i = 0; i < m; i++) {
          out.add(us.get(i).reshape(r.get(i + 1), spec.outFactors().get(i),
              spec.inFactors().get(i)));
        }
        out.add(us.get(m).reshape(r.get(0), k, k));
        out.add(core);
      }
      case TT -> {
        Tensor x = Dense.permute(w, 0, 2, 3, 1); // t h w s
        List<Tensor> c = trSvd(x, new int[] {t, k, k, s}, new int[] {1, r.get(0), r.get(1),
            r.get(2)});
        out.add(Dense.permute(c.get(0).reshape(t, r.get(0)), 1, 0));
        out.add(Dense.permute(c.get(1), 0, 2, 1));
        out.add(Dense.permute(c.get(2), 0, 2, 1));
        out.add(c.get(3).reshape(r.get(2), s));
      }
      case RTT -> {
        int m = spec.order();
        int[] n = pairModes(spec);
        int[] ring = new int[m + 1];
        ring[0] = 1;
        for (int i = 1; i <= m; i++) {
          ring[i] = r.get(i - 1);
        }
        List<Tensor> c = trSvd(pairTensor(spec, w), n, ring);
        for (int i = 0; i < m; i++) {
          int tf = spec.outFactors().get(i);
          int sf = spec.inFactors().get(i);
          if (i == 0) {
            out.add(Dense.permute(c.get(0).reshape(n[0], r.get(0)), 1, 0)
                .reshape(r.get(0), tf, sf));
          } else {
            out.add(Dense.permute(c.get(i), 0, 2, 1).reshape(r.get(i - 1), r.get(i), tf, sf));
          }
        }
        out.add(c.get(m).reshape(r.get(m - 1), k, k));
      }
      case TR -> {
        Tensor x = Dense.permute(w, 0, 2, 3, 1); // t h w s
        int[] n = {t, k, k, s};
        int[] ring = {r.get(0), r.get(1), r.get(2), r.get(3)};
        List<Tensor> c = bestRing(spec, x, n, ring);
        for (Tensor core : c) {
          out.add(Dense.permute(core, 0, 2, 1));
        }
      }
      case RTR -> {
        int m = spec.order();
        int[] n = pairModes(spec);
        int[] ring = r.stream().mapToInt(Integer::intValue).toArray();
        List<Tensor> c = bestRing(spec, pairTensor(spec, w), n, ring);
        for (int i = 0; i < m; i++) {
          out.add(Dense.permute(c.get(i), 0, 2, 1).reshape(ring[i], ring[i + 1],
              spec.outFactors().get(i), spec.inFactors().get(i)));
        }
        out.add(Dense.permute(c.get(m), 0, 2, 1).reshape(ring[m], ring[0], k, k));
      }
      default -> throw new IllegalStateException(spec.decomposition().name());
    }
    return out;
  }

  /** Returns a permutation that brings axis i to the front, keeping the others in order. */
  private static int[] front(int n, int i) {
    int[] p = new int[n];
    p[0] = i;
    for (int a = 0, j = 1; a < n; a++) {
      if (a != i) {
        p[j++] = a;
      }
    }
    return p;
  }

  /** Mode sizes of the reshaped kernel: t_i * s_i for each pair, then k * k. */
  static int[] pairModes(LayerSpec spec) {
    int m = spec.order();
    int[] n = new int[m + 1];
    for (int i = 0; i < m; i++) {
      n[i] = spec.outFactors().get(i) * spec.inFactors().get(i);
    }
    n[m] = spec.kernelSize() * spec.kernelSize();
    return n;
  }

  /** W[t,s,h,w] regrouped as X[(t1 s1), ..., (tM sM), (h w)]. */
  static Tensor pairTensor(LayerSpec spec, Tensor w) {
    int m = spec.order();
    long[] shape = new long[2 * m + 2];
    for (int i = 0; i < m; i++) {
      shape[i] = spec.outFactors().get(i);
      shape[m + i] = spec.inFactors().get(i);
    }
    shape[2 * m] = spec.kernelSize();
    shape[2 * m + 1] = spec.kernelSize();
    int[] perm = new int[2 * m + 2];
    for (int i = 0; i < m; i++) {
      perm[2 * i] = i;
      perm[2 * i + 1] = m + i;
    }
    perm[2 * m] = 2 * m;
    perm[2 * m + 1] = 2 * m + 1;
    return Dense.permute(w.reshape(shape), perm).reshape(Dense.longs(pairModes(spec)));
  }

  private static void addPairFactors(LayerSpec spec, List<Tensor> out, List<double[]> f,
      int rank) {
    int m = spec.order();
    for (int i = 0; i < m; i++) {
      out.add(Tensor.wrap(f.get(i), rank, spec.outFactors().get(i), spec.inFactors().get(i)));
    }
    out.add(Tensor.wrap(f.get(m), rank, spec.kernelSize(), spec.kernelSize()));
  }

  // ---------------------------------------------------------------------------------------------
  // CP by alternating least squares

  /** Returns the CP factors of x (modes n), each row-major [R, n_m]. */
  static List<double[]> cpAls(Tensor x, int[] n, int rank, DecomposeOptions opt) {
    int modes = n.length;
    int total = Dense.count(n);
    int big = 0;
    for (int m = 1; m < modes; m++) {
      if (n[m] > n[big]) {
        big = m;
      }
    }
    List<double[]> a = new ArrayList<>();
    for (int m = 0; m < modes; m++) {
      a.add(new double[rank * n[m]]);
    }
    double[] xd = Dense.data(x);
    if (rank >= total / n[big]) {
      // exact: one component per multi-index of the other modes
      int[] idx = new int[modes];
      for (int flat = 0; flat < total; flat++) {
        int rem = flat;
        for (int m = modes - 1; m >= 0; m--) {
          idx[m] = rem % n[m];
          rem /= n[m];
        }
        int c = 0;
        for (int m = 0; m < modes; m++) {
          if (m != big) {
            c = c * n[m] + idx[m];
          }
        }
        a.get(big)[c * n[big] + idx[big]] = xd[flat];
        for (int m = 0; m < modes; m++) {
          if (m != big) {
            a.get(m)[c * n[m] + idx[m]] = 1;
          }
        }
      }
      balance(a, n, rank);
      return a;
    }
    // start: leading left singular vectors of each unfolding, random rows beyond them
    SplittableRandom rnd = new SplittableRandom(opt.seed());
    for (int m = 0; m < modes; m++) {
      double[] u = Dense.leftSingular(Dense.data(Dense.permute(x, front(modes, m))), n[m],
          total / n[m], rank);
      double[] am = a.get(m);
      int have = Math.min(n[m], total / n[m]);
      for (int r = 0; r < rank; r++) {
        for (int i = 0; i < n[m]; i++) {
          am[r * n[m] + i] = r < have ? u[i * rank + r]
              : rnd.nextGaussian() / Math.sqrt(n[m]);
        }
      }
    }
    double normX2 = 0;
    for (double v : xd) {
      normX2 += v * v;
    }
    if (normX2 == 0) {
      for (double[] am : a) {
        Arrays.fill(am, 0);
      }
      return a;
    }
    List<String> labels = new ArrayList<>();
    for (int m = 0; m < modes; m++) {
      labels.add("m" + m);
    }
    double prev = Double.POSITIVE_INFINITY;
    for (int it = 0; it < opt.maxIterations(); it++) {
      double err2 = 0;
      for (int m = 0; m < modes; m++) {
        DMatrixRMaj v = new DMatrixRMaj(rank, rank);
        v.fill(1);
        for (int j = 0; j < modes; j++) {
          if (j != m) {
            double[] g = gram(a.get(j), rank, n[j]);
            for (int e = 0; e < g.length; e++) {
              v.data[e] *= g[e];
            }
          }
        }
        List<Dense.Op> ops = new ArrayList<>();
        ops.add(new Dense.Op(x, labels));
        for (int j = 0; j < modes; j++) {
          if (j != m) {
            ops.add(new Dense.Op(Tensor.wrap(a.get(j), rank, n[j]), List.of("r", "m" + j)));
          }
        }
        double[] kt = Dense.data(Dense.einsum(ops, List.of("r", "m" + m))); // [R, n_m]
        DMatrixRMaj upd = solveGram(v, DMatrixRMaj.wrap(rank, n[m], kt));
        System.arraycopy(upd.data, 0, a.get(m), 0, upd.data.length);
        if (m == modes - 1) {
          double inner = 0;
          for (int e = 0; e < kt.length; e++) {
            inner += kt[e] * upd.data[e];
          }
          double[] g = gram(a.get(m), rank, n[m]);
          double fit = 0;
          for (int e = 0; e < g.length; e++) {
            fit += g[e] * v.data[e];
          }
          err2 = Math.max(0, normX2 - 2 * inner + fit) / normX2;
        }
      }
      if (prev - err2 < opt.tolerance() || err2 < 1e-28) {
        break;
      }
      prev = err2;
    }
    balance(a, n, rank);
    return a;
  }

  /**
   * Solves V X = K for the symmetric Gram-Hadamard matrix V: Cholesky when V is positive
   * definite (R^3 / 3 flops), else the pseudo-inverse (rank-deficient V, e.g. more components
   * than a mode's size).
   */
  private static DMatrixRMaj solveGram(DMatrixRMaj v, DMatrixRMaj k) {
    DMatrixRMaj x = new DMatrixRMaj(k.numRows, k.numCols);
    org.ejml.interfaces.linsol.LinearSolverDense<DMatrixRMaj> chol =
        org.ejml.dense.row.factory.LinearSolverFactory_DDRM.symmPosDef(v.numRows);
    if (chol.setA(v.copy()) && chol.quality() > 1e-12) {
      chol.solve(k, x);
      boolean finite = true;
      for (double d : x.data) {
        finite &= Double.isFinite(d);
      }
      if (finite) {
        return x;
      }
    }
    DMatrixRMaj vinv = new DMatrixRMaj(v.numRows, v.numCols);
    CommonOps_DDRM.pinv(v, vinv);
    CommonOps_DDRM.mult(vinv, k, x);
    return x;
  }

  private static double[] gram(double[] f, int rank, int n) {
    double[] g = new double[rank * rank];
    for (int p = 0; p < rank; p++) {
      for (int q = p; q < rank; q++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += f[p * n + i] * f[q * n + i];
        }
        g[p * rank + q] = s;
        g[q * rank + p] = s;
      }
    }
    return g;
  }

  /** Gives every factor row of one component the same norm (their geometric mean). */
  private static void balance(List<double[]> a, int[] n, int rank) {
    int modes = n.length;
    for (int r = 0; r < rank; r++) {
      double[] norms = new double[modes];
      double logSum = 0;
      boolean zero = false;
      for (int m = 0; m < modes; m++) {
        double s = 0;
        for (int i = 0; i < n[m]; i++) {
          double v = a.get(m)[r * n[m] + i];
          s += v * v;
        }
        norms[m] = Math.sqrt(s);
        zero |= norms[m] == 0;
        logSum += Math.log(norms[m]);
      }
      if (zero) {
        for (int m = 0; m < modes; m++) {
          Arrays.fill(a.get(m), r * n[m], (r + 1) * n[m], 0);
        }
        continue;
      }
      double target = Math.exp(logSum / modes);
      for (int m = 0; m < modes; m++) {
        double f = target / norms[m];
        for (int i = 0; i < n[m]; i++) {
          a.get(m)[r * n[m] + i] *= f;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tensor train and tensor ring by sequential SVDs

  /**
   * TR-SVD of x with modes n and ring ranks r (r[0] joins the last core to the first; r[0] = 1
   * gives TT-SVD). Returns cores [r_i, n_i, r_{i+1}] with r_d = r_0. Singular vectors beyond the
   * unfolding's rank are zero columns.
   */
  static List<Tensor> trSvd(Tensor x, int[] n, int[] r) {
    int d = n.length;
    int total = Dense.count(n);
    List<Tensor> cores = new ArrayList<>();
    // first core: rank r0 * r1, split as (r0, r1)
    int rr = r[0] * (d > 1 ? r[1] : 1);
    double[] c = Dense.data(x);
    int rows = n[0];
    int cols = total / n[0];
    double[] u = Dense.leftSingular(c, rows, cols, rr);
    double[] rest = projectRows(u, c, rows, rr, cols); // [r0*r1, cols]
    // core 0: U[i, a*r1 + p] -> [a, i, p]
    int r1 = d > 1 ? r[1] : 1;
    Tensor g0 = Dense.permute(Tensor.wrap(u, rows, r[0], r1), 1, 0, 2);
    cores.add(g0);
    if (d == 1) {
      return cores;
    }
    // rest [r0, r1, n2..nd] -> [r1, n2..nd, r0]
    Tensor restT = Dense.permute(Tensor.wrap(rest, r[0], r1, cols), 1, 2, 0);
    c = Dense.data(restT);
    int left = r1;
    int remaining = cols; // product n2..nd
    for (int i = 1; i < d - 1; i++) {
      rows = left * n[i];
      remaining /= n[i];
      cols = remaining * r[0];
      int ri = r[i + 1];
      u = Dense.leftSingular(c, rows, cols, ri);
      cores.add(Tensor.wrap(u, left, n[i], ri));
      c = projectRows(u, c, rows, ri, cols);
      left = ri;
    }
    cores.add(Tensor.wrap(c, left, n[d - 1], r[0]));
    return cores;
  }

  /** Returns U^T C for U [rows x r] and C [rows x cols]. */
  private static double[] projectRows(double[] u, double[] c, int rows, int r, int cols) {
    double[] ut = Dense.data(Dense.permute(Tensor.wrap(u, rows, r), 1, 0));
    return Dense.multiply(ut, c, r, rows, cols);
  }

  /**
   * TR-SVD, or a tensor train placed in one slice of the ring rank when that fits better (the
   * train is exact at large ranks where a ring split of the first rank is not); returns the cores
   * with the smaller reconstruction error.
   */
  private static List<Tensor> bestRing(LayerSpec spec, Tensor x, int[] n, int[] ring) {
    List<Tensor> tr = trSvd(x, n, ring);
    int[] tt = ring.clone();
    tt[0] = 1;
    List<Tensor> train = trSvd(x, n, tt);
    List<Tensor> embedded = new ArrayList<>(train);
    int d = n.length;
    int r0 = ring[0];
    embedded.set(0, embedFirst(train.get(0), r0));
    embedded.set(d - 1, embedLast(train.get(d - 1), r0));
    double eTr = ringError(x, n, tr);
    double eTt = ringError(x, n, embedded);
    return eTt < eTr ? embedded : tr;
  }

  private static Tensor embedFirst(Tensor core, int r0) {
    int n = (int) core.dim(1);
    int r1 = (int) core.dim(2);
    double[] out = new double[r0 * n * r1];
    System.arraycopy(Dense.data(core), 0, out, 0, n * r1);
    return Tensor.wrap(out, r0, n, r1);
  }

  private static Tensor embedLast(Tensor core, int r0) {
    int rl = (int) core.dim(0);
    int n = (int) core.dim(1);
    double[] src = Dense.data(core);
    double[] out = new double[rl * n * r0];
    for (int i = 0; i < rl * n; i++) {
      out[i * r0] = src[i];
    }
    return Tensor.wrap(out, rl, n, r0);
  }

  private static double ringError(Tensor x, int[] n, List<Tensor> cores) {
    int d = n.length;
    List<Dense.Op> ops = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < d; i++) {
      ops.add(new Dense.Op(cores.get(i), List.of("r" + i, "n" + i, "r" + ((i + 1) % d))));
      out.add("n" + i);
    }
    return Dense.relativeError(Dense.einsum(ops, out), x);
  }
}
