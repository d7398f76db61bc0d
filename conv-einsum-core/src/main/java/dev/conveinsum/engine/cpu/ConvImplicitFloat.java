package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.IM2COL_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_SLACK;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.cpu.ConvTiling.Implicit;
import dev.conveinsum.engine.cpu.ConvTiling.Segments;

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
   * is that buffer read from {@code c*entries*winPlane + tapOffset(j)} on, so the GEMM reads its
   * B rows straight from the padded input ({@link CpuKernels#sgemmRows}). Column {@code e*winPlane
   * + sum_i o_i*winStride_i} holds output o of entry e; the columns between output rows are
   * computed and dropped when the result is copied into Y.
   */
  static void implicitF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    Implicit im = Implicit.of(pl, par.threads());
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[] taps = pl.tapOffsets();
    int lenOut = pl.out[pl.n - 1];
    int depth = pl.c * pl.kPlane;
    int[] fullRows = pl.implicitRows(im.entries(), taps);
    par.forEach(pl.g * im.chunks() * im.parts(), task -> {
      int part = task % im.parts();
      int chunk = task / im.parts();
      int gg = chunk / im.chunks();
      int b0 = (chunk % im.chunks()) * im.entries();
      int ne = Math.min(im.entries(), pl.b - b0);
      int cols = (ne - 1) * pl.winPlane + (int) pl.implicitSpan();
      int lo = (int) ((long) cols * part / im.parts());
      int hi = (int) ((long) cols * (part + 1) / im.parts());
      int planeStride = ne * pl.winPlane;
      float[] p = ConvScratch.floats(ConvScratch.PADDED, (long) pl.c * planeStride);
      for (int cc = 0; cc < pl.c; cc++) {
        for (int e = 0; e < ne; e++) {
          ConvFloat.padF(pl, rowSrc, x, xOff + ((gg * pl.b + b0 + e) * pl.c + cc) * pl.inPlane, p,
              (cc * ne + e) * pl.winPlane);
        }
      }
      int[] rows = ne == im.entries() ? fullRows : pl.implicitRows(ne, taps);
      int wBase = wtOff + gg * pl.t * depth;
      int yPlanes = yOff + (gg * pl.b + b0) * pl.t * pl.outPlane;
      if (ne == 1 && cols == pl.outPlane) {
        // no dropped columns: multiply straight into Y
        kern.sgemmRows(pl.t, hi - lo, depth, wt, wBase, depth, 1, p, rows, lo, y, yPlanes + lo,
            pl.outPlane, accumulate);
        return;
      }
      int width = hi - lo;
      float[] z = ConvScratch.floats(ConvScratch.PRODUCT, (long) pl.t * width);
      kern.sgemmRows(pl.t, width, depth, wt, wBase, depth, 1, p, rows, lo, z, 0, width, false);
      for (int e = 0; e < ne; e++) {
        for (int r = 0; r < rowStarts.length; r++) {
          int start = e * pl.winPlane + rowStarts[r];
          int from = Math.max(start, lo);
          int to = Math.min(start + lenOut, hi);
          if (from >= to) {
            continue;
          }
          for (int tt = 0; tt < pl.t; tt++) {
            int yRow = yPlanes + (e * pl.t + tt) * pl.outPlane + r * lenOut + (from - start);
            ConvFloat.storeF(z, tt * width + from - lo, y, yRow, to - from, accumulate);
          }
        }
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
