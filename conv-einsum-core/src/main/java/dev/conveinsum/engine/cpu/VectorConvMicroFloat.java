package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.PANEL;
import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;
import static dev.conveinsum.engine.cpu.VectorShapes.MR;

import jdk.incubator.vector.FloatVector;

/**
 * The float32 tiles of the implicit im2col ({@link CpuKernels#convTiles}): a panel of 8 output
 * channels (4 where the filter has fewer left, or with 16 vector registers) times two output
 * vectors whose padded-input windows lie anywhere, over the whole depth of the filter in one
 * pass, then written into Y whole vectors at a time where a vector holds consecutive outputs and
 * lane by lane where it does not. Reading each vector's taps from its own offset is what lets a
 * tile cover output rows exactly (no columns between rows computed and dropped).
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorConvMicroFloat {
  /** The accumulators of one tile, row i's vector j at {@code (2*i + j) * FL}. */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[PANEL * 2 * FL]);

  private VectorConvMicroFloat() {}

  /** See {@link CpuKernels#convTiles}; {@code lanes} is FL. */
  static void tiles(
      int m, int k, float[] at, int atOff, float[] p, int pOff, int[] rows,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      float[] y, int yOff, int ldy, boolean accumulate) {
    float[] tile = TILE.get();
    for (int v = v0; v < v1; v += 2) {
      boolean two = v + 1 < v1;
      int s0 = pOff + vecP[v];
      // a lone last vector runs as a pair with itself; the copy is not stored
      int s1 = two ? pOff + vecP[v + 1] : s0;
      for (int ir = 0; ir < m; ir += PANEL) {
        int mr = Math.min(PANEL, m - ir);
        int aOff = atOff + ir * k;
        if (mr > 4 && MR == 8) {
          tile8(k, at, aOff, p, rows, s0, s1, tile);
        } else {
          tile4(k, at, aOff, p, rows, s0, s1, tile, 0);
          if (mr > 4) {
            tile4(k, at, aOff + 4, p, rows, s0, s1, tile, 4);
          }
        }
        int yRows = yOff + ir * ldy;
        store(tile, 0, mr, vecY[v], laneY, y, yRows, ldy, accumulate);
        if (two) {
          store(tile, FL, mr, vecY[v + 1], laneY, y, yRows, ldy, accumulate);
        }
      }
    }
  }

  /** Writes vector {@code j} (tile offset {@code t0}) of the first mr rows of the tile into Y. */
  private static void store(
      float[] tile, int t0, int mr, int dst, int[] laneY, float[] y, int yRows, int ldy, boolean accumulate) {
    if (dst >= 0) {
      for (int i = 0; i < mr; i++) {
        int at = yRows + i * ldy + dst;
        FloatVector v = FloatVector.fromArray(FS, tile, 2 * i * FL + t0);
        if (accumulate) {
          v = v.add(FloatVector.fromArray(FS, y, at));
        }
        v.intoArray(y, at);
      }
      return;
    }
    int lanes = (-1 - dst) * FL;
    for (int l = 0; l < FL; l++) {
      int d = laneY[lanes + l];
      if (d < 0) {
        continue;
      }
      for (int i = 0; i < mr; i++) {
        int at = yRows + i * ldy + d;
        float v = tile[2 * i * FL + t0 + l];
        y[at] = accumulate ? y[at] + v : v;
      }
    }
  }

  /** 8 rows x 2 vectors over the whole depth: panel at {@code at[aOff + q*8 + i]}. */
  private static void tile8(int k, float[] at, int aOff, float[] p, int[] rows, int s0, int s1, float[] tile) {
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
    int ai = aOff;
    for (int q = 0; q < k; q++, ai += PANEL) {
      int r = rows[q];
      FloatVector b0 = FloatVector.fromArray(FS, p, r + s0);
      FloatVector b1 = FloatVector.fromArray(FS, p, r + s1);
      FloatVector av;
      av = FloatVector.broadcast(FS, at[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, at[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, at[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, at[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(FS, at[ai + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(FS, at[ai + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(FS, at[ai + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(FS, at[ai + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    c00.intoArray(tile, 0 * FL);
    c01.intoArray(tile, 1 * FL);
    c10.intoArray(tile, 2 * FL);
    c11.intoArray(tile, 3 * FL);
    c20.intoArray(tile, 4 * FL);
    c21.intoArray(tile, 5 * FL);
    c30.intoArray(tile, 6 * FL);
    c31.intoArray(tile, 7 * FL);
    c40.intoArray(tile, 8 * FL);
    c41.intoArray(tile, 9 * FL);
    c50.intoArray(tile, 10 * FL);
    c51.intoArray(tile, 11 * FL);
    c60.intoArray(tile, 12 * FL);
    c61.intoArray(tile, 13 * FL);
    c70.intoArray(tile, 14 * FL);
    c71.intoArray(tile, 15 * FL);
  }

  /**
   * 4 rows x 2 vectors over the whole depth: rows {@code aOff + q*8 + i} of the panel, into
   * tile rows {@code row0..row0+3} (the tail of a filter, or half a panel with 16 registers).
   */
  private static void tile4(
      int k, float[] at, int aOff, float[] p, int[] rows, int s0, int s1, float[] tile, int row0) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    int ai = aOff;
    for (int q = 0; q < k; q++, ai += PANEL) {
      int r = rows[q];
      FloatVector b0 = FloatVector.fromArray(FS, p, r + s0);
      FloatVector b1 = FloatVector.fromArray(FS, p, r + s1);
      FloatVector av;
      av = FloatVector.broadcast(FS, at[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(FS, at[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(FS, at[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(FS, at[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
    }
    int t = 2 * row0 * FL;
    c00.intoArray(tile, t + 0 * FL);
    c01.intoArray(tile, t + 1 * FL);
    c10.intoArray(tile, t + 2 * FL);
    c11.intoArray(tile, t + 3 * FL);
    c20.intoArray(tile, t + 4 * FL);
    c21.intoArray(tile, t + 5 * FL);
    c30.intoArray(tile, t + 6 * FL);
    c31.intoArray(tile, t + 7 * FL);
  }
}
