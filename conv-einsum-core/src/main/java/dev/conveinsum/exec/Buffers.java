package dev.conveinsum.exec;

import dev.conveinsum.tensor.DType;

/** Allocation and element access for the two element types; values are float[] or double[]. */
final class Buffers {
  private Buffers() {}

  static Object allocate(DType t, long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new dev.conveinsum.ConvEinsumException("an intermediate of " + n
          + " elements does not fit a Java array; choose another path or smaller shapes");
    }
    return t == DType.FLOAT64 ? new double[(int) n] : new float[(int) n];
  }

  /** Stands for a buffer of {@code size} elements in a dry run. */
  record Token(long size) {}

  /** Returns the element count of a buffer or token. */
  static long elements(Object b) {
    return b instanceof Token t ? t.size() : length(b);
  }

  static int length(Object b) {
    return b instanceof double[] d ? d.length : ((float[]) b).length;
  }

  static void addInto(Object dst, Object src) {
    if (dst instanceof double[] d) {
      double[] s = (double[]) src;
      for (int i = 0; i < d.length; i++) {
        d[i] += s[i];
      }
    } else {
      float[] d = (float[]) dst;
      float[] s = (float[]) src;
      for (int i = 0; i < d.length; i++) {
        d[i] += s[i];
      }
    }
  }
}
