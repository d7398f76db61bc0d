package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.IM2COL_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.PANEL;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_SLACK;
import static dev.conveinsum.engine.cpu.ConvTiling.TILE_VECTORS;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.cpu.ConvTiling.Implicit;
import dev.conveinsum.engine.cpu.ConvTiling.RowVectors;
import dev.conveinsum.engine.cpu.ConvTiling.Segments;
import java.util.Arrays;

/**
 * The float32 im2col forms that read the patch matrix in place from padded input: the implicit
 * GEMM for stride-1 problems and the segment dot products for filters longer than the output.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvImplicitFloat {
  private ConvImplicitFloat() {}

  /**
   * im2col without the patch matrix, for stride-1 problems: with the padded planes of a few batch
   * entries laid out {@code [c][entry][padded plane]}, the patch-matrix row of channel c and tap j
   * is that buffer read from {@code c*entries*winPlane + tapOffset(j)} on, so the product reads
   * its B rows straight from the padded input. The filter is packed once per call into panels of
   * {@link ConvTiling#PANEL} output channels (shared by every task), and the product runs, per
   * block of channels ({@link ConvTiling#implicitChannelBlock}), as {@link CpuKernels#convTiles}: tiles of a panel times {@link ConvTiling#TILE_VECTORS} output vectors, each vector reading
   * its own window, so that output rows are covered exactly where that computes fewer lanes than
   * the padded span of all rows ({@link ConvTiling.RowVectors}); results go straight into Y.
   */
  static void implicitF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    Implicit im = Implicit.of(pl, par.threads());
    int lanes = kern.floatLanes() > 1 ? kern.floatLanes() : ConvTiling.IMPLICIT_LANES;
    int[] rowSrc = pl.paddedRowSources();
    int[] taps = pl.tapOffsets();
    int depth = pl.c * pl.kPlane;
    int panels = (pl.t + PANEL - 1) / PANEL;
    int cBlock = ConvTiling.implicitChannelBlock(pl);
    long perGroup = (long) panels * PANEL * depth;
    float[] at = ConvScratch.floats(ConvScratch.PACKED, pl.g * perGroup);
    // at[g][channel block][panel][q][i]: output channel panel*PANEL + i, depth q within the
    // block; zero past T
    par.forEach(pl.g * panels, task -> {
      int gg = task / panels;
      int panel = task % panels;
      int i0 = panel * PANEL;
      int rowsHere = Math.min(PANEL, pl.t - i0);
      for (int c0 = 0; c0 < pl.c; c0 += cBlock) {
        int kc = Math.min(cBlock, pl.c - c0) * pl.kPlane;
        int dst = (int) (gg * perGroup) + (c0 * pl.kPlane * panels + panel * kc) * PANEL;
        if (rowsHere < PANEL) {
          Arrays.fill(at, dst, dst + PANEL * kc, 0f);
        }
        for (int i = 0; i < rowsHere; i++) {
          int src = wtOff + (gg * pl.t + i0 + i) * depth + c0 * pl.kPlane;
          for (int q = 0; q < kc; q++) {
            at[dst + q * PANEL + i] = wt[src + q];
          }
        }
      }
    });
    RowVectors fullVecs = RowVectors.of(pl, im.entries(), lanes);
    int[] fullRows = pl.implicitRows(im.entries(), taps);
    par.forEach(pl.g * im.chunks() * im.parts(), task -> {
      int part = task % im.parts();
      int chunk = task / im.parts();
      int gg = chunk / im.chunks();
      int b0 = (chunk % im.chunks()) * im.entries();
      int ne = Math.min(im.entries(), pl.b - b0);
      RowVectors vecs = ne == im.entries() ? fullVecs : RowVectors.of(pl, ne, lanes);
      int[] rows = ne == im.entries() ? fullRows : pl.implicitRows(ne, taps);
      // parts take whole tiles of vectors
      int tiles = (vecs.count() + TILE_VECTORS - 1) / TILE_VECTORS;
      int v0 = TILE_VECTORS * (int) ((long) tiles * part / im.parts());
      int v1 = Math.min(vecs.count(), TILE_VECTORS * (int) ((long) tiles * (part + 1) / im.parts()));
      if (v0 >= v1) {
        return;
      }
      int planeStride = ne * pl.winPlane;
      // lanes of slack: a vector's last lanes may read past the last plane (never stored)
      float[] p = ConvScratch.floats(ConvScratch.PADDED, (long) pl.c * planeStride + lanes);
      for (int cc = 0; cc < pl.c; cc++) {
        for (int e = 0; e < ne; e++) {
          ConvFloat.padF(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p,
              (cc * ne + e) * pl.winPlane);
        }
      }
      int yPlanes = yOff + (gg * pl.b + b0) * pl.t * pl.outPlane;
      // blocks of channels (deep filters only); the rows of channel c0 on
      // are those of channel 0 shifted by c0 planes
      for (int c0 = 0; c0 < pl.c; c0 += cBlock) {
        int kc = Math.min(cBlock, pl.c - c0) * pl.kPlane;
        kern.convTiles(pl.t, kc, at, (int) (gg * perGroup) + c0 * pl.kPlane * panels * PANEL, p,
            c0 * planeStride, rows, lanes, vecs.vecP(), vecs.vecY(), vecs.laneY(), v0, v1, y, yPlanes,
            pl.outPlane, accumulate || c0 > 0);
      }
    });
  }

  /**
   * im2col without the patch matrix for filters longer than the output (weight gradients): each
   * output {@code Y[g,b,t,o]} is a sum over channels and filter rows of dot products between a
   * filter row and the padded input row it meets, both contiguous and read in place
   * ({@link CpuKernels#sdotSegments}, 4 x 4 blocks of (b, o) rows and output channels). A task
   * owns the rows of a range of batch entries of one group; per channel it pads its planes, then
   * sums over chunks of filter rows small enough for the rows of all output channels to stay in
   * cache.
   */
  static void segmentDotsF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int kLast = pl.k[pl.n - 1];
    int filterRows = pl.kPlane / kLast;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int segChunk = (int) Math.max(1, SEGMENT_CHUNK / ((long) Math.max(pl.t, 1) * kLast));
    // channels per pass: enough filter rows per kernel call to amortise its final reductions
    int perPass = Math.max(1, Math.min(pl.c, segChunk / filterRows));
    int perGroup = (int) Math.min(pl.b, Math.max(1, (par.threads() + pl.g - 1) / pl.g));
    int entries = (pl.b + perGroup - 1) / perGroup;
    int parts = (pl.b + entries - 1) / entries;
    par.forEach(pl.g * parts, task -> {
      int gg = task / parts;
      int b0 = (task % parts) * entries;
      int ne = Math.min(entries, pl.b - b0);
      int m = ne * pl.outPlane;
      int cPass = (int) Math.max(1, Math.min(perPass, (IM2COL_CHUNK - SEGMENT_SLACK) / ((long) ne * pl.winPlane)));
      Segments sg = Segments.of(pl, rowStarts, taps, wtOff, ne, cPass);
      float[] p = ConvScratch.floats(ConvScratch.PADDED, (long) cPass * ne * pl.winPlane + SEGMENT_SLACK);
      float[] acc = new float[m * pl.t];
      for (int c0 = 0; c0 < pl.c; c0 += cPass) {
        int cn = Math.min(cPass, pl.c - c0);
        for (int cl = 0; cl < cn; cl++) {
          for (int e = 0; e < ne; e++) {
            ConvFloat.padF(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + c0 + cl) * pl.inPlane, p,
                (cl * ne + e) * pl.winPlane);
          }
        }
        int bShift = (gg * pl.t * pl.c + c0) * pl.kPlane;
        int segs = cn * filterRows;
        for (int s0 = 0; s0 < segs; s0 += segChunk) {
          kern.sdotSegments(m, pl.t, kLast, p, sg.aRows(), sg.aSeg(), wt, sg.bRows(), bShift,
              sg.bSeg(), s0, Math.min(segs, s0 + segChunk), acc, 0, pl.t);
        }
      }
      for (int e = 0; e < ne; e++) {
        for (int tt = 0; tt < pl.t; tt++) {
          int yRow = yOff + ((gg * pl.b + b0 + e) * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            float v = acc[(e * pl.outPlane + o) * pl.t + tt];
            y[yRow + o] = accumulate ? y[yRow + o] + v : v;
          }
        }
      }
    });
  }
}
