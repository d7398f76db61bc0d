package dev.conveinsum.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The innermost loop of {@link DepthwiseKernels} on the Vector API: two output vectors in
 * registers across all taps, shifted input vectors blended to zero where a tap's table marks the
 * padding. Loaded reflectively only when {@link VectorSupport} runs the vector kernels.
 */
final class VectorDepthwise implements DepthwiseKernels.Rows {
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final int FL = FS.length();
  private static final int DL = DS.length();

  private VectorDepthwise() {}

  static VectorDepthwise create() {
    if (2 * FL > DepthwiseKernels.TABLE_SLACK) {
      throw new UnsupportedOperationException("vectors wider than the table slack");
    }
    return new VectorDepthwise();
  }

  // BEGIN FLOAT
  @Override
  public void rows(float[] y, int yOff, int j0, int j1, float[] x, int[] xOff, float[] f,
      int[] fOff, int fStep, boolean[][] valid, int taps) {
    int j = fStep == 0 ? broadcastF(y, yOff, j0, j1, x, xOff, f, fOff, valid, taps)
        : vectorF(y, yOff, j0, j1, x, xOff, f, fOff, valid, taps);
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
      float[] f, int[] fOff, boolean[][] valid, int taps) {
    FloatVector zero = FloatVector.zero(FS);
    int j = j0;
    for (; j + 2 * FL <= j1; j += 2 * FL) {
      FloatVector a0 = zero;
      FloatVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        FloatVector w = FloatVector.broadcast(FS, f[fOff[t]]);
        a0 = zero.blend(FloatVector.fromArray(FS, x, o), VectorMask.fromArray(FS, valid[t], j))
            .fma(w, a0);
        a1 = zero.blend(FloatVector.fromArray(FS, x, o + FL),
            VectorMask.fromArray(FS, valid[t], j + FL)).fma(w, a1);
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
      float[] f, int[] fOff, boolean[][] valid, int taps) {
    FloatVector zero = FloatVector.zero(FS);
    int j = j0;
    for (; j + 2 * FL <= j1; j += 2 * FL) {
      FloatVector a0 = zero;
      FloatVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        int fo = fOff[t] + j;
        a0 = zero.blend(FloatVector.fromArray(FS, x, o), VectorMask.fromArray(FS, valid[t], j))
            .fma(FloatVector.fromArray(FS, f, fo), a0);
        a1 = zero.blend(FloatVector.fromArray(FS, x, o + FL),
            VectorMask.fromArray(FS, valid[t], j + FL)).fma(FloatVector.fromArray(FS, f, fo + FL),
            a1);
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
  public float dot(float[] g, int gOff, int j0, int j1, float[] x, int xOff, boolean[] valid) {
    FloatVector zero = FloatVector.zero(FS);
    FloatVector a0 = zero;
    FloatVector a1 = zero;
    int j = j0;
    for (; j + 2 * FL <= j1; j += 2 * FL) {
      a0 = zero.blend(FloatVector.fromArray(FS, x, xOff + j), VectorMask.fromArray(FS, valid, j))
          .fma(FloatVector.fromArray(FS, g, gOff + j), a0);
      a1 = zero.blend(FloatVector.fromArray(FS, x, xOff + j + FL),
          VectorMask.fromArray(FS, valid, j + FL)).fma(FloatVector.fromArray(FS, g,
          gOff + j + FL), a1);
    }
    for (; j + FL <= j1; j += FL) {
      a0 = zero.blend(FloatVector.fromArray(FS, x, xOff + j), VectorMask.fromArray(FS, valid, j))
          .fma(FloatVector.fromArray(FS, g, gOff + j), a0);
    }
    float acc = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; j < j1; j++) {
      if (valid[j]) {
        acc = Math.fma(g[gOff + j], x[xOff + j], acc);
      }
    }
    return acc;
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

  // END FLOAT
  // BEGIN DOUBLE (generated)
  @Override
  public void rows(double[] y, int yOff, int j0, int j1, double[] x, int[] xOff, double[] f,
      int[] fOff, int fStep, boolean[][] valid, int taps) {
    int j = fStep == 0 ? broadcastD(y, yOff, j0, j1, x, xOff, f, fOff, valid, taps)
        : vectorD(y, yOff, j0, j1, x, xOff, f, fOff, valid, taps);
    for (; j < j1; j++) {
      double acc = 0.0;
      for (int t = 0; t < taps; t++) {
        if (valid[t][j]) {
          acc = Math.fma(f[fOff[t] + j * fStep], x[xOff[t] + j], acc);
        }
      }
      y[yOff + j] = acc;
    }
  }

  /** One weight per tap; returns where the scalar tail starts. */
  private static int broadcastD(double[] y, int yOff, int j0, int j1, double[] x, int[] xOff,
      double[] f, int[] fOff, boolean[][] valid, int taps) {
    DoubleVector zero = DoubleVector.zero(DS);
    int j = j0;
    for (; j + 2 * DL <= j1; j += 2 * DL) {
      DoubleVector a0 = zero;
      DoubleVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        DoubleVector w = DoubleVector.broadcast(DS, f[fOff[t]]);
        a0 = zero.blend(DoubleVector.fromArray(DS, x, o), VectorMask.fromArray(DS, valid[t], j))
            .fma(w, a0);
        a1 = zero.blend(DoubleVector.fromArray(DS, x, o + DL),
            VectorMask.fromArray(DS, valid[t], j + DL)).fma(w, a1);
      }
      a0.intoArray(y, yOff + j);
      a1.intoArray(y, yOff + j + DL);
    }
    for (; j + DL <= j1; j += DL) {
      DoubleVector a0 = zero;
      for (int t = 0; t < taps; t++) {
        DoubleVector w = DoubleVector.broadcast(DS, f[fOff[t]]);
        a0 = zero.blend(DoubleVector.fromArray(DS, x, xOff[t] + j),
            VectorMask.fromArray(DS, valid[t], j)).fma(w, a0);
      }
      a0.intoArray(y, yOff + j);
    }
    return j;
  }

  /** Weights along the row (a group axis innermost); returns where the scalar tail starts. */
  private static int vectorD(double[] y, int yOff, int j0, int j1, double[] x, int[] xOff,
      double[] f, int[] fOff, boolean[][] valid, int taps) {
    DoubleVector zero = DoubleVector.zero(DS);
    int j = j0;
    for (; j + 2 * DL <= j1; j += 2 * DL) {
      DoubleVector a0 = zero;
      DoubleVector a1 = zero;
      for (int t = 0; t < taps; t++) {
        int o = xOff[t] + j;
        int fo = fOff[t] + j;
        a0 = zero.blend(DoubleVector.fromArray(DS, x, o), VectorMask.fromArray(DS, valid[t], j))
            .fma(DoubleVector.fromArray(DS, f, fo), a0);
        a1 = zero.blend(DoubleVector.fromArray(DS, x, o + DL),
            VectorMask.fromArray(DS, valid[t], j + DL)).fma(DoubleVector.fromArray(DS, f, fo + DL),
            a1);
      }
      a0.intoArray(y, yOff + j);
      a1.intoArray(y, yOff + j + DL);
    }
    for (; j + DL <= j1; j += DL) {
      DoubleVector a0 = zero;
      for (int t = 0; t < taps; t++) {
        a0 = zero.blend(DoubleVector.fromArray(DS, x, xOff[t] + j),
            VectorMask.fromArray(DS, valid[t], j)).fma(DoubleVector.fromArray(DS, f, fOff[t] + j),
            a0);
      }
      a0.intoArray(y, yOff + j);
    }
    return j;
  }

  @Override
  public double dot(double[] g, int gOff, int j0, int j1, double[] x, int xOff, boolean[] valid) {
    DoubleVector zero = DoubleVector.zero(DS);
    DoubleVector a0 = zero;
    DoubleVector a1 = zero;
    int j = j0;
    for (; j + 2 * DL <= j1; j += 2 * DL) {
      a0 = zero.blend(DoubleVector.fromArray(DS, x, xOff + j), VectorMask.fromArray(DS, valid, j))
          .fma(DoubleVector.fromArray(DS, g, gOff + j), a0);
      a1 = zero.blend(DoubleVector.fromArray(DS, x, xOff + j + DL),
          VectorMask.fromArray(DS, valid, j + DL)).fma(DoubleVector.fromArray(DS, g,
          gOff + j + DL), a1);
    }
    for (; j + DL <= j1; j += DL) {
      a0 = zero.blend(DoubleVector.fromArray(DS, x, xOff + j), VectorMask.fromArray(DS, valid, j))
          .fma(DoubleVector.fromArray(DS, g, gOff + j), a0);
    }
    double acc = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; j < j1; j++) {
      if (valid[j]) {
        acc = Math.fma(g[gOff + j], x[xOff + j], acc);
      }
    }
    return acc;
  }

  @Override
  public void axpy(double[] acc, int accOff, double[] g, int gOff, int j0, int j1, double[] x,
      int xOff, boolean[] valid) {
    DoubleVector zero = DoubleVector.zero(DS);
    int j = j0;
    for (; j + DL <= j1; j += DL) {
      zero.blend(DoubleVector.fromArray(DS, x, xOff + j), VectorMask.fromArray(DS, valid, j))
          .fma(DoubleVector.fromArray(DS, g, gOff + j), DoubleVector.fromArray(DS, acc, accOff + j))
          .intoArray(acc, accOff + j);
    }
    for (; j < j1; j++) {
      if (valid[j]) {
        acc[accOff + j] = Math.fma(g[gOff + j], x[xOff + j], acc[accOff + j]);
      }
    }
  }

  // END DOUBLE
}
