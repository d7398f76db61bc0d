package dev.conveinsum.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 row loops of {@link VectorDepthwise}: two output vectors in registers across all
 * taps, shifted input vectors blended to zero where a tap's table marks the padding.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
abstract class VectorDepthwiseFloat implements DepthwiseKernels.Rows {
  /** The preferred float32 species and its lane count. */
  static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  static final int FL = FS.length();

  @Override
  public void rows(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff, float[] f,
      int[] fOff, int fStep, boolean[][] valid, int[][] validTo, int taps) {
    int j = fStep == 0 ? broadcastF(y, yOff, j0, j1, x, xOff, f, fOff, valid, validTo, taps)
        : vectorF(y, yOff, j0, j1, x, xOff, f, fOff, valid, validTo, taps);
    for (; j < j1; j++) {
      float acc = 0f;
      for (int t = 0; t < taps; t++) {
        if (valid[t][j]) {
          acc = Math.fma(f[fOff[t] + j * fStep], x[xOff[t] + j], acc);
        }
      }
      y[yOff + j] = acc;
    }
  }

  /** One weight per tap; returns where the scalar tail starts. */
  private static int broadcastF(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff,
      float[] f, int[] fOff, boolean[][] valid, int[][] validTo, int taps) {
    FloatVector zero = FloatVector.zero(FS);
    int j = j0;
    for (; j + 2 * FL <= j1; j += 2 * FL) {
      FloatVector a0 = zero;
      FloatVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        FloatVector w = FloatVector.broadcast(FS, f[fOff[t]]);
        if (validTo[t][j] >= j + 2 * FL) {
          // both vectors wholly valid (most of a row away from the padding): no blend
          a0 = FloatVector.fromArray(FS, x, o).fma(w, a0);
          a1 = FloatVector.fromArray(FS, x, o + FL).fma(w, a1);
        } else {
          a0 = zero.blend(FloatVector.fromArray(FS, x, o), VectorMask.fromArray(FS, valid[t], j))
              .fma(w, a0);
          a1 = zero.blend(FloatVector.fromArray(FS, x, o + FL),
              VectorMask.fromArray(FS, valid[t], j + FL)).fma(w, a1);
        }
      }
      a0.intoArray(y, yOff + j);
      a1.intoArray(y, yOff + j + FL);
    }
    for (; j + FL <= j1; j += FL) {
      FloatVector a0 = zero;
      for (int t = 0; t < taps; t++) {
        FloatVector w = FloatVector.broadcast(FS, f[fOff[t]]);
        a0 = zero.blend(FloatVector.fromArray(FS, x, xOff[t] + j),
            VectorMask.fromArray(FS, valid[t], j)).fma(w, a0);
      }
      a0.intoArray(y, yOff + j);
    }
    return j;
  }

  /** Weights along the row (a group axis innermost); returns where the scalar tail starts. */
  private static int vectorF(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff,
      float[] f, int[] fOff, boolean[][] valid, int[][] validTo, int taps) {
    FloatVector zero = FloatVector.zero(FS);
    int j = j0;
    for (; j + 2 * FL <= j1; j += 2 * FL) {
      FloatVector a0 = zero;
      FloatVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        int fo = fOff[t] + j;
        if (validTo[t][j] >= j + 2 * FL) {
          a0 = FloatVector.fromArray(FS, x, o).fma(FloatVector.fromArray(FS, f, fo), a0);
          a1 = FloatVector.fromArray(FS, x, o + FL).fma(FloatVector.fromArray(FS, f, fo + FL), a1);
        } else {
          a0 = zero.blend(FloatVector.fromArray(FS, x, o), VectorMask.fromArray(FS, valid[t], j))
              .fma(FloatVector.fromArray(FS, f, fo), a0);
          a1 = zero.blend(FloatVector.fromArray(FS, x, o + FL),
              VectorMask.fromArray(FS, valid[t], j + FL)).fma(FloatVector.fromArray(FS, f,
              fo + FL), a1);
        }
      }
      a0.intoArray(y, yOff + j);
      a1.intoArray(y, yOff + j + FL);
    }
    for (; j + FL <= j1; j += FL) {
      FloatVector a0 = zero;
      for (int t = 0; t < taps; t++) {
        a0 = zero.blend(FloatVector.fromArray(FS, x, xOff[t] + j),
            VectorMask.fromArray(FS, valid[t], j)).fma(FloatVector.fromArray(FS, f, fOff[t] + j),
            a0);
      }
      a0.intoArray(y, yOff + j);
    }
    return j;
  }

  @Override
  public void dots(float[] g, int gOff, int j0, int j1, float[] x, int[] xOff, boolean[][] valid,
      int[][] validTo, int taps, float[] sums) {
    // four taps per pass; a group of fewer repeats its last tap (same sum, written twice)
    for (int t0 = 0; t0 < taps; t0 += 4) {
      int last = Math.min(taps, t0 + 4) - 1;
      int t1 = Math.min(t0 + 1, last);
      int t2 = Math.min(t0 + 2, last);
      tapDots4F(g, gOff, j0, j1, x, xOff, valid, validTo, t0, t1, t2, last, sums);
    }
  }

  /** {@link #dots} of taps ta, tb, tc, td: each vector of g loaded once for the four. */
  private static void tapDots4F(float[] g, int gOff, int j0, int j1, float[] x, int[] xOff,
      boolean[][] valid, int[][] validTo, int ta, int tb, int tc, int td, float[] sums) {
    FloatVector zero = FloatVector.zero(FS);
    FloatVector a0 = zero;
    FloatVector a1 = zero;
    FloatVector a2 = zero;
    FloatVector a3 = zero;
    int oa = xOff[ta];
    int ob = xOff[tb];
    int oc = xOff[tc];
    int od = xOff[td];
    boolean[] va = valid[ta];
    boolean[] vb = valid[tb];
    boolean[] vc = valid[tc];
    boolean[] vd = valid[td];
    int[] ua = validTo[ta];
    int[] ub = validTo[tb];
    int[] uc = validTo[tc];
    int[] ud = validTo[td];
    int j = j0;
    for (; j + FL <= j1; j += FL) {
      FloatVector gv = FloatVector.fromArray(FS, g, gOff + j);
      int end = j + FL;
      // a vector wholly inside the tap's valid range needs no blend (most of a row)
      FloatVector xa = FloatVector.fromArray(FS, x, oa + j);
      a0 = (ua[j] >= end ? xa : zero.blend(xa, VectorMask.fromArray(FS, va, j))).fma(gv, a0);
      FloatVector xb = FloatVector.fromArray(FS, x, ob + j);
      a1 = (ub[j] >= end ? xb : zero.blend(xb, VectorMask.fromArray(FS, vb, j))).fma(gv, a1);
      FloatVector xc = FloatVector.fromArray(FS, x, oc + j);
      a2 = (uc[j] >= end ? xc : zero.blend(xc, VectorMask.fromArray(FS, vc, j))).fma(gv, a2);
      FloatVector xd = FloatVector.fromArray(FS, x, od + j);
      a3 = (ud[j] >= end ? xd : zero.blend(xd, VectorMask.fromArray(FS, vd, j))).fma(gv, a3);
    }
    float sa = a0.reduceLanes(VectorOperators.ADD);
    float sb = a1.reduceLanes(VectorOperators.ADD);
    float sc = a2.reduceLanes(VectorOperators.ADD);
    float sd = a3.reduceLanes(VectorOperators.ADD);
    for (; j < j1; j++) {
      float gj = g[gOff + j];
      sa = va[j] ? Math.fma(gj, x[oa + j], sa) : sa;
      sb = vb[j] ? Math.fma(gj, x[ob + j], sb) : sb;
      sc = vc[j] ? Math.fma(gj, x[oc + j], sc) : sc;
      sd = vd[j] ? Math.fma(gj, x[od + j], sd) : sd;
    }
    sums[td] = sd;
    sums[tc] = sc;
    sums[tb] = sb;
    sums[ta] = sa;
  }

  @Override
  public void axpy(float[] acc, int accOff, float[] g, int gOff, int j0, int j1, float[] x,
      int xOff, boolean[] valid) {
    FloatVector zero = FloatVector.zero(FS);
    int j = j0;
    for (; j + FL <= j1; j += FL) {
      zero.blend(FloatVector.fromArray(FS, x, xOff + j), VectorMask.fromArray(FS, valid, j))
          .fma(FloatVector.fromArray(FS, g, gOff + j), FloatVector.fromArray(FS, acc, accOff + j))
          .intoArray(acc, accOff + j);
    }
    for (; j < j1; j++) {
      if (valid[j]) {
        acc[accOff + j] = Math.fma(g[gOff + j], x[xOff + j], acc[accOff + j]);
      }
    }
  }
}
