package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;
import static dev.conveinsum.engine.cpu.VectorShapes.MR;

import jdk.incubator.vector.FloatVector;

/**
 * The float32 GEMM micro-kernels on the Vector API: an MR-row x 2-vector tile of C kept in
 * registers across a packed KC-deep panel (8 rows with 512-bit vectors, 6 rows otherwise), in
 * overwrite and accumulate forms, reading B as packed panels, strided rows or indexed rows; and a
 * 4-row x 2-vector tile for the last panel of an M that is not a multiple of MR (e.g. the 28
 * output channels of a TK layer's 1x1 and 3x3 steps), so that no FMAs run on zero rows.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorMicroFloat {
  private VectorMicroFloat() {}

  // Two micro-kernel variants instead of one with a flag: a single method with a conditional
  // load-add-store epilogue exceeds C2's NodeCountInliningCutoff, so part of the epilogue is not
  // inlined and the vectors get boxed (measured: 5x slower).
  /** Dispatches to the micro-kernel for MR rows (a constant, so C2 folds the branch). */
  static void kernelF(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernel8F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernel6F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** Accumulating variant of {@code kernelF}. */
  static void kernelAccF(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    if (MR == 8) {
      kernelAcc8F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    } else {
      kernelAcc6F(kc, pa, b, bOff, bStride, c, cOff, ldc);
    }
  }

  /** 8 x 2-vector micro-kernel: C tile = packedA (kc x 8) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel8F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c40 = FloatVector.zero(FS);
    FloatVector c41 = FloatVector.zero(FS);
    FloatVector c50 = FloatVector.zero(FS);
    FloatVector c51 = FloatVector.zero(FS);
    FloatVector c60 = FloatVector.zero(FS);
    FloatVector c61 = FloatVector.zero(FS);
    FloatVector c70 = FloatVector.zero(FS);
    FloatVector c71 = FloatVector.zero(FS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }

  /** 8 x 2-vector micro-kernel: C tile += packedA (kc x 8) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc8F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    FloatVector c40 = FloatVector.fromArray(FS, c, cOff + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(FS, c, cOff + 4 * ldc + FL);
    FloatVector c50 = FloatVector.fromArray(FS, c, cOff + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(FS, c, cOff + 5 * ldc + FL);
    FloatVector c60 = FloatVector.fromArray(FS, c, cOff + 6 * ldc);
    FloatVector c61 = FloatVector.fromArray(FS, c, cOff + 6 * ldc + FL);
    FloatVector c70 = FloatVector.fromArray(FS, c, cOff + 7 * ldc);
    FloatVector c71 = FloatVector.fromArray(FS, c, cOff + 7 * ldc + FL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, pa[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, pa[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
    c60.intoArray(c, cOff + 6 * ldc);
    c61.intoArray(c, cOff + 6 * ldc + FL);
    c70.intoArray(c, cOff + 7 * ldc);
    c71.intoArray(c, cOff + 7 * ldc + FL);
  }

  /** 4 x 2-vector micro-kernel on the first 4 rows of an MR-row packed panel (a tail of at most 4 rows): C tile = packedA times B rows; C is not read. */
  static void kernel4F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
  }

  /** Accumulating variant of {@code kernel4F}: the accumulators start from C. */
  static void kernelAcc4F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
  }

  /** 6 x 2-vector micro-kernel: C tile = packedA (kc x 6) times B rows (kc x 2 vectors); C is not read. */
  private static void kernel6F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c40 = FloatVector.zero(FS);
    FloatVector c41 = FloatVector.zero(FS);
    FloatVector c50 = FloatVector.zero(FS);
    FloatVector c51 = FloatVector.zero(FS);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
  }

  /** 6 x 2-vector micro-kernel: C tile += packedA (kc x 6) times B rows (kc x 2 vectors); accumulators start from C. */
  private static void kernelAcc6F(int kc, float[] pa, float[] b, int bOff, int bStride, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + FL);
    FloatVector c40 = FloatVector.fromArray(FS, c, cOff + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(FS, c, cOff + 4 * ldc + FL);
    FloatVector c50 = FloatVector.fromArray(FS, c, cOff + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(FS, c, cOff + 5 * ldc + FL);
    int bi = bOff;
    int ai = 0;
    for (int p = 0; p < kc; p++, bi += bStride, ai += MR) {
      FloatVector b0 = FloatVector.fromArray(FS, b, bi);
      FloatVector b1 = FloatVector.fromArray(FS, b, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, pa[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, pa[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, pa[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    c00.intoArray(c, cOff + 0 * ldc);
    c01.intoArray(c, cOff + 0 * ldc + FL);
    c10.intoArray(c, cOff + 1 * ldc);
    c11.intoArray(c, cOff + 1 * ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
    c40.intoArray(c, cOff + 4 * ldc);
    c41.intoArray(c, cOff + 4 * ldc + FL);
    c50.intoArray(c, cOff + 5 * ldc);
    c51.intoArray(c, cOff + 5 * ldc + FL);
  }
}
