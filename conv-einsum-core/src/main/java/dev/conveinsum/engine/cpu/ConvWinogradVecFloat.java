package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

import jdk.incubator.vector.FloatVector;

/**
 * The element-wise sums and differences of the Winograd transforms ({@link ConvWinogradFloat})
 * on the Vector API: C2 on JDK 17 does not vectorise the plain loops (their source and
 * destination may be the same array at unknown offsets). Loaded only when the vector kernels are
 * active.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvWinogradVecFloat {
  private ConvWinogradVecFloat() {}

  /** {@code d[dOff + m] = a[i + m] - a[j + m]} for m &lt; len. */
  static void diff(float[] a, int i, int j, float[] d, int dOff, int len) {
    int m = 0;
    for (; m <= len - FL; m += FL) {
      FloatVector.fromArray(FS, a, i + m).sub(FloatVector.fromArray(FS, a, j + m)).intoArray(d, dOff + m);
    }
    for (; m < len; m++) {
      d[dOff + m] = a[i + m] - a[j + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] + a[j + m]} for m &lt; len. */
  static void sum(float[] a, int i, int j, float[] d, int dOff, int len) {
    int m = 0;
    for (; m <= len - FL; m += FL) {
      FloatVector.fromArray(FS, a, i + m).add(FloatVector.fromArray(FS, a, j + m)).intoArray(d, dOff + m);
    }
    for (; m < len; m++) {
      d[dOff + m] = a[i + m] + a[j + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] + a[j + m] + a[k + m]} for m &lt; len. */
  static void sum3(float[] a, int i, int j, int k, float[] d, int dOff, int len) {
    int m = 0;
    for (; m <= len - FL; m += FL) {
      FloatVector.fromArray(FS, a, i + m).add(FloatVector.fromArray(FS, a, j + m))
          .add(FloatVector.fromArray(FS, a, k + m)).intoArray(d, dOff + m);
    }
    for (; m < len; m++) {
      d[dOff + m] = a[i + m] + a[j + m] + a[k + m];
    }
  }

  /** {@code d[dOff + m] = a[i + m] - a[j + m] - a[k + m]} for m &lt; len. */
  static void diff3(float[] a, int i, int j, int k, float[] d, int dOff, int len) {
    int m = 0;
    for (; m <= len - FL; m += FL) {
      FloatVector.fromArray(FS, a, i + m).sub(FloatVector.fromArray(FS, a, j + m))
          .sub(FloatVector.fromArray(FS, a, k + m)).intoArray(d, dOff + m);
    }
    for (; m < len; m++) {
      d[dOff + m] = a[i + m] - a[j + m] - a[k + m];
    }
  }
}
