package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_SLACK;
import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.cpu.ConvTiling.Segments;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * A weight gradient with its groups summed, as a register-blocked GEMM on the Vector API
 * (AVX-512): {@code Y[(b, o), t] = sum_(g, c, filter row r, p) Xpad[g, b, c][row(o) + tap(r) + p]
 * * F[g, t, c][r, p]}. The rows of A are windows of the zero-padded input planes, read in place
 * (8 rows broadcast per step from each tap's offset in the plane, no packing); each block of
 * 256 taps of F, the K-block, is packed once as {@code [tap][t]} and multiplied against every
 * row of A, into 8 x 2-vector tiles of accumulators that stay in memory between K-blocks; with
 * more than two vectors of output channels, 4 x 4-vector tiles over blocks of 512 taps (one
 * broadcast per four FMAs instead of two: 10-12 % faster on the dense 64-channel gradient). It replaces the segment dot products of
 * {@link SumGroupsFloat} (one horizontal reduction per output and chunk, and a masked partial
 * vector per filter row) where the last dimension has stride and dilation 1.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorWgradFloat implements SumGroupsFloat.Wgrad {
  /** Columns of one tile: two vectors. */
  private static final int NR = 2 * FL;
  /** Rows of one tile. */
  private static final int MR8 = 8;
  /** Taps per K-block: the packed block of the filter (KB x NR per panel) stays in L1. */
  private static final int KB = 256;
  /** Columns of one wide tile: four vectors. */
  private static final int NR4 = 4 * FL;
  /**
   * Taps per K-block of the wide tiles (measured on the dense 64-channel 56x56 gradient: 512 taps
   * ran 5 % faster than 128, no slower than the whole 3136; the block then sits in L2).
   */
  private static final int KB4 = 512;

  /** Creates the kernel (public for reflective loading). */
  public VectorWgradFloat() {}

  @Override
  public boolean supported() {
    // 16 accumulators, 2 B vectors and a broadcast need the 32 registers of AVX-512
    return FS.vectorBitSize() >= 512;
  }

  @Override
  public void wgrad(ConvLayout pl, float[] x, float[] wt, float[] y, Parallelism par) {
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int pairs = pl.g * pl.c;
    // more than two vectors of output channels: 4 x 4-vector tiles (half the broadcasts per
    // FMA), else 8 x 2
    boolean wide = pl.t > NR;
    int nr = wide ? NR4 : NR;
    int mr = wide ? 4 : MR8;
    int kb = wide ? KB4 : KB;
    int tPad = (pl.t + nr - 1) / nr * nr;
    int panels = tPad / nr;
    int entries = (pl.b + par.threads() - 1) / par.threads();
    int parts = (pl.b + entries - 1) / entries;
    par.forEach(parts, task -> {
      int b0 = task * entries;
      int ne = Math.min(entries, pl.b - b0);
      int m = ne * pl.outPlane;
      int mPad = (m + mr - 1) / mr * mr;
      int[] aRows = Arrays.copyOf(Segments.of(pl, rowStarts, taps, 0, ne, 1).aRows(), mPad);
      // rows past m repeat row 0 (valid memory); their tiles are never copied out
      for (int i = m; i < mPad; i++) {
        aRows[i] = aRows[0];
      }
      // one (group, channel) pair at a time: its padded planes stay in cache for its filter rows
      float[] p = ConvScratch.floats(ConvScratch.PADDED, (long) ne * pl.winPlane + SEGMENT_SLACK);
      float[] acc = new float[mPad * tPad];
      float[] pb = new float[panels * kb * nr];
      for (int q = 0; q < pairs; q++) {
        int gg = q / pl.c;
        int cc = q % pl.c;
        for (int e = 0; e < ne; e++) {
          ConvFloat.padF(pl, rowSrc, x, ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p, e * pl.winPlane);
        }
        for (int k0 = 0; k0 < pl.kPlane; k0 += kb) {
          // B block: taps [k0, k1) of every output channel, packed [panel][tap][nr], zero past T
          int kc = Math.min(kb, pl.kPlane - k0);
          int fBase = (gg * pl.t * pl.c + cc) * pl.kPlane + k0;
          Arrays.fill(pb, 0f);
          for (int tt = 0; tt < pl.t; tt++) {
            int src = fBase + tt * pl.c * pl.kPlane;
            int dst = (tt / nr) * kc * nr + tt % nr;
            for (int j = 0; j < kc; j++) {
              pb[dst + j * nr] = wt[src + j];
            }
          }
          for (int i = 0; i < mPad; i += mr) {
            for (int jp = 0; jp < panels; jp++) {
              if (wide) {
                tile4(kc, p, aRows, i, taps, k0, pb, jp * kc * nr, acc, i * tPad + jp * nr, tPad);
              } else {
                tile(kc, p, aRows, i, taps, k0, pb, jp * kc * nr, acc, i * tPad + jp * nr, tPad);
              }
            }
          }
        }
      }
      for (int e = 0; e < ne; e++) {
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = ((b0 + e) * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            y[yRow + o] = acc[(e * pl.outPlane + o) * tPad + tt];
          }
        }
      }
    });
  }

  /**
   * {@code c[i][0..NR) += sum_q a[rows[i0 + i] + taps[k0 + q]] * pb[pbOff + q*NR ..]} for the 8
   * rows of one tile; A is broadcast from its rows in place, tap q at its offset in the padded
   * plane (one flat loop over taps keeps the accumulators in registers).
   */
  private static void tile(int kc, float[] a, int[] rows, int i0, int[] taps, int k0, float[] pb,
      int pbOff, float[] c, int cOff, int ldc) {
    int r0 = rows[i0];
    int r1 = rows[i0 + 1];
    int r2 = rows[i0 + 2];
    int r3 = rows[i0 + 3];
    int r4 = rows[i0 + 4];
    int r5 = rows[i0 + 5];
    int r6 = rows[i0 + 6];
    int r7 = rows[i0 + 7];
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + ldc);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + ldc + FL);
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
    int bi = pbOff;
    for (int q = 0; q < kc; q++, bi += NR) {
      int tq = taps[k0 + q];
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, a[r0 + tq]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, a[r1 + tq]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, a[r2 + tq]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, a[r3 + tq]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, a[r4 + tq]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, a[r5 + tq]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, a[r6 + tq]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, a[r7 + tq]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + FL);
    c10.intoArray(c, cOff + ldc);
    c11.intoArray(c, cOff + ldc + FL);
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

  /**
   * {@code c[i][0..NR4) += sum_q a[rows[i0 + i] + taps[k0 + q]] * pb[pbOff + q*NR4 ..]} for the
   * 4 rows of one wide tile (4 vectors of output channels: one broadcast per four FMAs).
   */
  private static void tile4(int kc, float[] a, int[] rows, int i0, int[] taps, int k0, float[] pb,
      int pbOff, float[] c, int cOff, int ldc) {
    int r0 = rows[i0 + 0];
    int r1 = rows[i0 + 1];
    int r2 = rows[i0 + 2];
    int r3 = rows[i0 + 3];
    FloatVector c00 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + 0 * FL);
    FloatVector c01 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + 1 * FL);
    FloatVector c02 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + 2 * FL);
    FloatVector c03 = FloatVector.fromArray(FS, c, cOff + 0 * ldc + 3 * FL);
    FloatVector c10 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + 0 * FL);
    FloatVector c11 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + 1 * FL);
    FloatVector c12 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + 2 * FL);
    FloatVector c13 = FloatVector.fromArray(FS, c, cOff + 1 * ldc + 3 * FL);
    FloatVector c20 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + 0 * FL);
    FloatVector c21 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + 1 * FL);
    FloatVector c22 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + 2 * FL);
    FloatVector c23 = FloatVector.fromArray(FS, c, cOff + 2 * ldc + 3 * FL);
    FloatVector c30 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + 0 * FL);
    FloatVector c31 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + 1 * FL);
    FloatVector c32 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + 2 * FL);
    FloatVector c33 = FloatVector.fromArray(FS, c, cOff + 3 * ldc + 3 * FL);
    int bi = pbOff;
    for (int q = 0; q < kc; q++, bi += NR4) {
      int tq = taps[k0 + q];
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi + 0 * FL);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + 1 * FL);
      FloatVector b2 = FloatVector.fromArray(FS, pb, bi + 2 * FL);
      FloatVector b3 = FloatVector.fromArray(FS, pb, bi + 3 * FL);
      FloatVector av;
      av = FloatVector.broadcast(FS, a[r0 + tq]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FloatVector.broadcast(FS, a[r1 + tq]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FloatVector.broadcast(FS, a[r2 + tq]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FloatVector.broadcast(FS, a[r3 + tq]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
    }
    c00.intoArray(c, cOff + 0 * ldc + 0 * FL);
    c01.intoArray(c, cOff + 0 * ldc + 1 * FL);
    c02.intoArray(c, cOff + 0 * ldc + 2 * FL);
    c03.intoArray(c, cOff + 0 * ldc + 3 * FL);
    c10.intoArray(c, cOff + 1 * ldc + 0 * FL);
    c11.intoArray(c, cOff + 1 * ldc + 1 * FL);
    c12.intoArray(c, cOff + 1 * ldc + 2 * FL);
    c13.intoArray(c, cOff + 1 * ldc + 3 * FL);
    c20.intoArray(c, cOff + 2 * ldc + 0 * FL);
    c21.intoArray(c, cOff + 2 * ldc + 1 * FL);
    c22.intoArray(c, cOff + 2 * ldc + 2 * FL);
    c23.intoArray(c, cOff + 2 * ldc + 3 * FL);
    c30.intoArray(c, cOff + 3 * ldc + 0 * FL);
    c31.intoArray(c, cOff + 3 * ldc + 1 * FL);
    c32.intoArray(c, cOff + 3 * ldc + 2 * FL);
    c33.intoArray(c, cOff + 3 * ldc + 3 * FL);
  }
}
