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
}
