package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.PANEL;
import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;
import static dev.conveinsum.engine.cpu.VectorShapes.MR;

import jdk.incubator.vector.FloatVector;

/**
 * The float32 tiles of the implicit im2col ({@link CpuKernels#convTiles}): a panel of 4 output
 * channels times 4 output vectors (2 with 16 vector registers) whose padded-input windows lie
 * anywhere, over the whole depth of the filter in one pass, then written into Y whole vectors at
 * a time where a vector holds consecutive outputs and lane by lane where it does not. Reading
 * each vector's taps from its own offset is what lets a tile cover output rows exactly (no
 * columns between rows computed and dropped). Four channels by four vectors (one broadcast per
 * four FMAs) measured 5-7 % faster than the GEMM's eight by two on Zen 4, and eight by three or
 * four by five or six slower.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorConvMicroFloat {
  /** Output vectors per tile. */
  private static final int NV = ConvTiling.TILE_VECTORS;
  /** The accumulators of one tile, row i's vector j at {@code (NV*i + j) * FL}. */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[PANEL * NV * FL]);

  /** Output vectors per chunk (a multiple of NV) where Y is written as streams. */
  private static final int CHUNK = 64;
  /** Outputs of one call above which Y is written as streams (512 KiB of float32). */
  private static final long STREAM_Y = 1L << 17;

  private VectorConvMicroFloat() {}

  /** See {@link CpuKernels#convTiles}; {@code lanes} is FL. */
  static void tiles(
      int m, int k, float[] at, int atOff, float[] p, int pOff, int[] rows,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      float[] y, int yOff, int ldy, boolean accumulate) {
    float[] tile = TILE.get();
    // Each tile over every panel while its taps are in L1 (fastest where Y stays in L2); where
    // Y is larger, chunks of vectors swept once per panel, so that Y is written as 4 sequential
    // streams (one per row of the panel) rather than m at once (measured: the dense 64-channel
    // 56x56 layer otherwise ran up to 2x slower on 2 threads, its stores missing to memory)
    int chunk = (long) m * (v1 - v0) * FL > STREAM_Y ? CHUNK : NV;
    for (int vc = v0; vc < v1; vc += chunk) {
      int vEnd = Math.min(v1, vc + chunk);
      for (int ir = 0; ir < m; ir += PANEL) {
        int aOff = atOff + ir * k;
        int mr = Math.min(PANEL, m - ir);
        int yRows = yOff + ir * ldy;
        for (int v = vc; v < vEnd; v += NV) {
          int nv = Math.min(NV, vEnd - v);
          // a tile short of vectors repeats its first; the copies are not stored
          int s0 = pOff + vecP[v];
          int s1 = nv > 1 ? pOff + vecP[v + 1] : s0;
          int s2 = nv > 2 ? pOff + vecP[v + 2] : s0;
          int s3 = nv > 3 ? pOff + vecP[v + 3] : s0;
          if (MR == 8) {
            tile4x4(k, at, aOff, p, rows, s0, s1, s2, s3, tile, 0);
          } else {
            // 16 registers: two tiles of 4 x 2
            tile4x2(k, at, aOff, p, rows, s0, s1, tile, 0);
            if (nv > 2) {
              tile4x2(k, at, aOff, p, rows, s2, s3, tile, 2 * FL);
            }
          }
          for (int j = 0; j < nv; j++) {
            store(tile, j * FL, mr, vecY[v + j], laneY, y, yRows, ldy, accumulate);
          }
        }
      }
    }
  }

  /** Writes vector j (tile offset {@code t0 = j*FL}) of the first mr rows of the tile into Y. */
  private static void store(
      float[] tile, int t0, int mr, int dst, int[] laneY, float[] y, int yRows, int ldy, boolean accumulate) {
    if (dst >= 0) {
      for (int i = 0; i < mr; i++) {
        int at = yRows + i * ldy + dst;
        FloatVector v = FloatVector.fromArray(FS, tile, NV * i * FL + t0);
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
        float v = tile[NV * i * FL + t0 + l];
        y[at] = accumulate ? y[at] + v : v;
      }
    }
  }

  /** 4 rows x 4 vectors over the whole depth: panel at {@code at[aOff + q*4 + i]}. */
  private static void tile4x4(
      int k, float[] at, int aOff, float[] p, int[] rows, int s0, int s1, int s2, int s3, float[] tile, int t0) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = FloatVector.zero(FS);
    FloatVector c02 = FloatVector.zero(FS);
    FloatVector c03 = FloatVector.zero(FS);
    FloatVector c10 = FloatVector.zero(FS);
    FloatVector c11 = FloatVector.zero(FS);
    FloatVector c12 = FloatVector.zero(FS);
    FloatVector c13 = FloatVector.zero(FS);
    FloatVector c20 = FloatVector.zero(FS);
    FloatVector c21 = FloatVector.zero(FS);
    FloatVector c22 = FloatVector.zero(FS);
    FloatVector c23 = FloatVector.zero(FS);
    FloatVector c30 = FloatVector.zero(FS);
    FloatVector c31 = FloatVector.zero(FS);
    FloatVector c32 = FloatVector.zero(FS);
    FloatVector c33 = FloatVector.zero(FS);
    int ai = aOff;
    for (int q = 0; q < k; q++, ai += PANEL) {
      int r = rows[q];
      FloatVector b0 = FloatVector.fromArray(FS, p, r + s0);
      FloatVector b1 = FloatVector.fromArray(FS, p, r + s1);
      FloatVector b2 = FloatVector.fromArray(FS, p, r + s2);
      FloatVector b3 = FloatVector.fromArray(FS, p, r + s3);
      FloatVector av;
      av = FloatVector.broadcast(FS, at[ai + 0]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FloatVector.broadcast(FS, at[ai + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FloatVector.broadcast(FS, at[ai + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FloatVector.broadcast(FS, at[ai + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
    }
    c00.intoArray(tile, t0 + (0 * NV + 0) * FL);
    c01.intoArray(tile, t0 + (0 * NV + 1) * FL);
    c02.intoArray(tile, t0 + (0 * NV + 2) * FL);
    c03.intoArray(tile, t0 + (0 * NV + 3) * FL);
    c10.intoArray(tile, t0 + (1 * NV + 0) * FL);
    c11.intoArray(tile, t0 + (1 * NV + 1) * FL);
    c12.intoArray(tile, t0 + (1 * NV + 2) * FL);
    c13.intoArray(tile, t0 + (1 * NV + 3) * FL);
    c20.intoArray(tile, t0 + (2 * NV + 0) * FL);
    c21.intoArray(tile, t0 + (2 * NV + 1) * FL);
    c22.intoArray(tile, t0 + (2 * NV + 2) * FL);
    c23.intoArray(tile, t0 + (2 * NV + 3) * FL);
    c30.intoArray(tile, t0 + (3 * NV + 0) * FL);
    c31.intoArray(tile, t0 + (3 * NV + 1) * FL);
    c32.intoArray(tile, t0 + (3 * NV + 2) * FL);
    c33.intoArray(tile, t0 + (3 * NV + 3) * FL);
  }

  /** 4 rows x 2 vectors (16 vector registers), into tile columns from {@code t0} on. */
  private static void tile4x2(
      int k, float[] at, int aOff, float[] p, int[] rows, int s0, int s1, float[] tile, int t0) {
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
    c00.intoArray(tile, t0 + (0 * NV + 0) * FL);
    c01.intoArray(tile, t0 + (0 * NV + 1) * FL);
    c10.intoArray(tile, t0 + (1 * NV + 0) * FL);
    c11.intoArray(tile, t0 + (1 * NV + 1) * FL);
    c20.intoArray(tile, t0 + (2 * NV + 0) * FL);
    c21.intoArray(tile, t0 + (2 * NV + 1) * FL);
    c30.intoArray(tile, t0 + (3 * NV + 0) * FL);
    c31.intoArray(tile, t0 + (3 * NV + 1) * FL);
  }
}
