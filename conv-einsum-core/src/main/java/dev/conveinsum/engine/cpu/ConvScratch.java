package dev.conveinsum.engine.cpu;

import java.lang.ref.SoftReference;

/**
 * Per-thread scratch buffers of the in-place im2col forms, grown on demand and kept behind soft
 * references (up to IM2COL_CHUNK elements each; the collector may take them back).
 */
final class ConvScratch {

  /** The padded input planes. */
  static final int PADDED = 0;
  /** The packed filter of the implicit im2col (shared by the tasks of one call). */
  static final int PACKED = 1;
  /** The Winograd form's padded parity sub-planes ({@link ConvWinogradFloat}). */
  static final int WINO_P = 2;
  /** The Winograd form's column-transformed sub-planes. */
  static final int WINO_Q = 3;
  /** The Winograd form's transformed input block V. */
  static final int WINO_V = 4;
  /** The Winograd form's product block M. */
  static final int WINO_M = 5;
  /** The Winograd form's output tiles of one channel. */
  static final int WINO_O = 6;
  private static final int SLOTS = 7;
  private static final ThreadLocal<Object[]> HELD = ThreadLocal.withInitial(() -> new Object[2 * SLOTS]);

  private ConvScratch() {}

  /** A float buffer of at least size elements for slot which. */
  static float[] floats(int which, long size) {
    Object[] held = HELD.get();
    float[] a = held[which] instanceof SoftReference<?> r && r.get() instanceof float[] f ? f : null;
    if (a == null || a.length < size) {
      a = new float[Math.toIntExact(size)];
      held[which] = new SoftReference<>(a);
    }
    return a;
  }

  /** A double buffer of at least size elements for slot which. */
  static double[] doubles(int which, long size) {
    Object[] held = HELD.get();
    double[] a = held[SLOTS + which] instanceof SoftReference<?> r && r.get() instanceof double[] d ? d : null;
    if (a == null || a.length < size) {
      a = new double[Math.toIntExact(size)];
      held[SLOTS + which] = new SoftReference<>(a);
    }
    return a;
  }
}
