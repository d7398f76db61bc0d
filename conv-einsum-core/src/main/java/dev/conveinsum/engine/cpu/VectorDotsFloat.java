package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The float32 segment dot products on the Vector API ({@code sdotSegments}): 4 x 4 register
 * blocks of rows and output channels over row segments read in place, with scalar tails.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorDotsFloat {
  private VectorDotsFloat() {}

  /** Sum over segments of the products of elements [from, len) of one row pair, in scalars. */
  static float dotScalarF(int from, int len, float[] a, int aRow, int[] aSeg, float[] b, int bRow, int[] bSeg, int s0, int s1) {
    float sum = 0f;
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = from; q < len; q++) {
        sum += a[ao + q] * b[bo + q];
      }
    }
    return sum;
  }

  /** One sum of segment products, whole vectors then a scalar tail. */
  static float dot11F(int len, float[] a, int aRow, int[] aSeg, float[] b, int bRow, int[] bSeg, int s0, int s1) {
    int full = FS.loopBound(len);
    FloatVector v = FloatVector.zero(FS);
    for (int s = s0; s < s1; s++) {
      int ao = aRow + aSeg[s];
      int bo = bRow + bSeg[s];
      for (int q = 0; q < full; q += FL) {
        v = FloatVector.fromArray(FS, a, ao + q).fma(FloatVector.fromArray(FS, b, bo + q), v);
      }
    }
    return v.reduceLanes(VectorOperators.ADD) + dotScalarF(full, len, a, aRow, aSeg, b, bRow, bSeg, s0, s1);
  }

  /** 4 x 4 block of dot products over {@code steps} whole vectors, step s at offsets aq[s] and bq[s] of the rows. */
  static void dot44F(
      int steps, float[] a, int a0, int a1, int a2, int a3, int[] aq,
      float[] b, int b0, int b1, int b2, int b3, int[] bq,
      float[] acc, int accOff, int ldAcc) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = FloatVector.zero(FS);
    FloatVector s02 = FloatVector.zero(FS);
    FloatVector s03 = FloatVector.zero(FS);
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = FloatVector.zero(FS);
    FloatVector s12 = FloatVector.zero(FS);
    FloatVector s13 = FloatVector.zero(FS);
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = FloatVector.zero(FS);
    FloatVector s22 = FloatVector.zero(FS);
    FloatVector s23 = FloatVector.zero(FS);
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = FloatVector.zero(FS);
    FloatVector s32 = FloatVector.zero(FS);
    FloatVector s33 = FloatVector.zero(FS);
    for (int s = 0; s < steps; s++) {
      int as = aq[s];
      int bs = bq[s];
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + as);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + as);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + as);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + as);
      FloatVector y0 = FloatVector.fromArray(FS, b, b0 + bs);
      FloatVector y1 = FloatVector.fromArray(FS, b, b1 + bs);
      FloatVector y2 = FloatVector.fromArray(FS, b, b2 + bs);
      FloatVector y3 = FloatVector.fromArray(FS, b, b3 + bs);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }

  /**
   * 4 x 6 block of dot products over {@code steps} whole vectors, as {@link #dot44F}: 24
   * accumulators, so that each loaded vector feeds more multiply-adds (10 loads per 24 instead of 8
   * per 16) when the rows come from the L2 cache.
   */
  static void dot46F(
      int steps, float[] a, int a0, int a1, int a2, int a3, int[] aq,
      float[] b, int b0, int b1, int b2, int b3, int b4, int b5, int[] bq,
      float[] acc, int accOff, int ldAcc) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = FloatVector.zero(FS);
    FloatVector s02 = FloatVector.zero(FS);
    FloatVector s03 = FloatVector.zero(FS);
    FloatVector s04 = FloatVector.zero(FS);
    FloatVector s05 = FloatVector.zero(FS);
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = FloatVector.zero(FS);
    FloatVector s12 = FloatVector.zero(FS);
    FloatVector s13 = FloatVector.zero(FS);
    FloatVector s14 = FloatVector.zero(FS);
    FloatVector s15 = FloatVector.zero(FS);
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = FloatVector.zero(FS);
    FloatVector s22 = FloatVector.zero(FS);
    FloatVector s23 = FloatVector.zero(FS);
    FloatVector s24 = FloatVector.zero(FS);
    FloatVector s25 = FloatVector.zero(FS);
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = FloatVector.zero(FS);
    FloatVector s32 = FloatVector.zero(FS);
    FloatVector s33 = FloatVector.zero(FS);
    FloatVector s34 = FloatVector.zero(FS);
    FloatVector s35 = FloatVector.zero(FS);
    for (int s = 0; s < steps; s++) {
      int as = aq[s];
      int bs = bq[s];
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + as);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + as);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + as);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + as);
      FloatVector y0 = FloatVector.fromArray(FS, b, b0 + bs);
      s00 = x0.fma(y0, s00);
      s10 = x1.fma(y0, s10);
      s20 = x2.fma(y0, s20);
      s30 = x3.fma(y0, s30);
      FloatVector y1 = FloatVector.fromArray(FS, b, b1 + bs);
      s01 = x0.fma(y1, s01);
      s11 = x1.fma(y1, s11);
      s21 = x2.fma(y1, s21);
      s31 = x3.fma(y1, s31);
      FloatVector y2 = FloatVector.fromArray(FS, b, b2 + bs);
      s02 = x0.fma(y2, s02);
      s12 = x1.fma(y2, s12);
      s22 = x2.fma(y2, s22);
      s32 = x3.fma(y2, s32);
      FloatVector y3 = FloatVector.fromArray(FS, b, b3 + bs);
      s03 = x0.fma(y3, s03);
      s13 = x1.fma(y3, s13);
      s23 = x2.fma(y3, s23);
      s33 = x3.fma(y3, s33);
      FloatVector y4 = FloatVector.fromArray(FS, b, b4 + bs);
      s04 = x0.fma(y4, s04);
      s14 = x1.fma(y4, s14);
      s24 = x2.fma(y4, s24);
      s34 = x3.fma(y4, s34);
      FloatVector y5 = FloatVector.fromArray(FS, b, b5 + bs);
      s05 = x0.fma(y5, s05);
      s15 = x1.fma(y5, s15);
      s25 = x2.fma(y5, s25);
      s35 = x3.fma(y5, s35);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 4] += s04.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 5] += s05.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 4] += s14.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 5] += s15.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 4] += s24.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 5] += s25.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 4] += s34.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 5] += s35.reduceLanes(VectorOperators.ADD);
  }

  /** 4 x 4 block over the partial last vector of each segment, loaded whole, the lanes {@code past} the segment zeroed in both operands (so NaN or infinity there adds nothing). */
  static void dot44TailF(
      int full, VectorMask<Float> past, float[] a, int a0, int a1, int a2, int a3, int[] aSeg,
      float[] b, int b0, int b1, int b2, int b3, int[] bSeg, int s0, int s1,
      float[] acc, int accOff, int ldAcc) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = FloatVector.zero(FS);
    FloatVector s02 = FloatVector.zero(FS);
    FloatVector s03 = FloatVector.zero(FS);
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = FloatVector.zero(FS);
    FloatVector s12 = FloatVector.zero(FS);
    FloatVector s13 = FloatVector.zero(FS);
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = FloatVector.zero(FS);
    FloatVector s22 = FloatVector.zero(FS);
    FloatVector s23 = FloatVector.zero(FS);
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = FloatVector.zero(FS);
    FloatVector s32 = FloatVector.zero(FS);
    FloatVector s33 = FloatVector.zero(FS);
    FloatVector zero = FloatVector.zero(FS);
    for (int s = s0; s < s1; s++) {
      int as = aSeg[s];
      int bs = bSeg[s];
      FloatVector x0 = FloatVector.fromArray(FS, a, a0 + as + full).blend(zero, past);
      FloatVector x1 = FloatVector.fromArray(FS, a, a1 + as + full).blend(zero, past);
      FloatVector x2 = FloatVector.fromArray(FS, a, a2 + as + full).blend(zero, past);
      FloatVector x3 = FloatVector.fromArray(FS, a, a3 + as + full).blend(zero, past);
      FloatVector y0 = FloatVector.fromArray(FS, b, b0 + bs + full).blend(zero, past);
      FloatVector y1 = FloatVector.fromArray(FS, b, b1 + bs + full).blend(zero, past);
      FloatVector y2 = FloatVector.fromArray(FS, b, b2 + bs + full).blend(zero, past);
      FloatVector y3 = FloatVector.fromArray(FS, b, b3 + bs + full).blend(zero, past);
      s00 = x0.fma(y0, s00);
      s01 = x0.fma(y1, s01);
      s02 = x0.fma(y2, s02);
      s03 = x0.fma(y3, s03);
      s10 = x1.fma(y0, s10);
      s11 = x1.fma(y1, s11);
      s12 = x1.fma(y2, s12);
      s13 = x1.fma(y3, s13);
      s20 = x2.fma(y0, s20);
      s21 = x2.fma(y1, s21);
      s22 = x2.fma(y2, s22);
      s23 = x2.fma(y3, s23);
      s30 = x3.fma(y0, s30);
      s31 = x3.fma(y1, s31);
      s32 = x3.fma(y2, s32);
      s33 = x3.fma(y3, s33);
    }
    acc[accOff + 0 * ldAcc + 0] += s00.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 1] += s01.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 2] += s02.reduceLanes(VectorOperators.ADD);
    acc[accOff + 0 * ldAcc + 3] += s03.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 0] += s10.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 1] += s11.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 2] += s12.reduceLanes(VectorOperators.ADD);
    acc[accOff + 1 * ldAcc + 3] += s13.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 0] += s20.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 1] += s21.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 2] += s22.reduceLanes(VectorOperators.ADD);
    acc[accOff + 2 * ldAcc + 3] += s23.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 0] += s30.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 1] += s31.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 2] += s32.reduceLanes(VectorOperators.ADD);
    acc[accOff + 3 * ldAcc + 3] += s33.reduceLanes(VectorOperators.ADD);
  }
}
