package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
import dev.conveinsum.engine.cpu.ConvTiling.RowVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The implicit im2col's tiles ({@link CpuKernels#convTiles}, {@link ConvTiling.RowVectors}):
 * rows covered exactly by whole vectors, rows ending in part-filled vectors, padded spans, filter
 * tails of 1-3 output channels past the 4-row panels, deep filters cut into channel blocks, one
 * channel, filters longer than 3, against the loop oracle in float32 and float64 with both
 * kernel sets.
 */
class ConvImplicitTilesTest {

  private static ConvDim same(int n, int k) {
    return new ConvDim(n, k, n, 1, 1, (k - 1) / 2, false, 0);
  }

  /** Vectors cover every output of a task exactly once, each lane reading its own window. */
  @Test
  void vectorsCoverEveryOutputOnce() {
    Random r = new Random(77);
    for (int i = 0; i < 60; i++) {
      int h = 1 + r.nextInt(20);
      int w = 1 + r.nextInt(40);
      int kh = 1 + r.nextInt(Math.min(h, 5));
      int kw = 1 + r.nextInt(Math.min(w, 5));
      int t = 1 + r.nextInt(5);
      ConvProblem s = ConvProblem.of(1, 3, t, 2, same(h, kh), same(w, kw));
      ConvLayout pl = new ConvLayout(s);
      int entries = 1 + r.nextInt(3);
      int lanes = r.nextBoolean() ? 16 : 8;
      RowVectors rv = RowVectors.of(pl, entries, lanes);
      int[] hits = new int[entries * t * pl.outPlane];
      int padW = pl.win[1];
      for (int v = 0; v < rv.count(); v++) {
        for (int l = 0; l < lanes; l++) {
          int y = rv.vecY()[v] >= 0 ? rv.vecY()[v] + l : rv.laneY()[(-1 - rv.vecY()[v]) * lanes + l];
          if (y < 0) {
            continue;
          }
          // output (e, oh, ow) sits at padded position e*winPlane + oh*padW + ow (tap 0)
          int e = y / (t * pl.outPlane);
          int o = y % (t * pl.outPlane);
          assertTrue(o < pl.outPlane, "a lane points past channel 0: " + y);
          int oh = o / w;
          int ow = o % w;
          assertEquals(e * pl.winPlane + oh * padW + ow, rv.vecP()[v] + l, "window of lane " + l + " " + s);
          hits[y]++;
        }
      }
      for (int e = 0; e < entries; e++) {
        for (int o = 0; o < pl.outPlane; o++) {
          assertEquals(1, hits[e * t * pl.outPlane + o], "output " + o + " of entry " + e + " " + s);
        }
      }
    }
  }

  /** 16-wide rows are covered exactly: as many lanes as outputs (RCP, TK, TT's 16x16 planes). */
  @Test
  void sixteenWideRowsComputeNoExtraLanes() {
    ConvLayout pl = new ConvLayout(ConvProblem.of(1, 32, 128, 128, same(16, 3), same(16, 3)));
    assertTrue(pl.implicitGemm());
    assertEquals(32L * 256, pl.implicitLanes());
    // 56-wide rows: the padded span (3246 columns in 203 vectors) beats whole rows (64 per 56)
    ConvLayout dense = new ConvLayout(ConvProblem.of(1, 2, 64, 64, same(56, 3), same(56, 3)));
    assertEquals(2L * 203 * 16, dense.implicitLanes());
  }

  /** Random stride-1 problems that take the implicit form, against the oracle. */
  @Test
  void tilesMatchReference() {
    Random r = new Random(909);
    int taken = 0;
    int[] widths = {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 48};
    for (int i = 0; i < 160; i++) {
      int n = 1 + r.nextInt(3);
      List<ConvDim> dims = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        boolean last = j == n - 1;
        int in = last ? widths[r.nextInt(widths.length)] : 1 + r.nextInt(n == 3 ? 5 : 9);
        int k = 1 + r.nextInt(Math.min(in, 5));
        int dil = in >= 2 * k ? 1 + r.nextInt(2) : 1;
        int pad = (dil * (k - 1)) / 2;
        int period = r.nextInt(6) == 0 ? in : 0;
        int out = in + 2 * pad - dil * (k - 1);
        dims.add(new ConvDim(in, k, out, 1, dil, pad, r.nextBoolean(), period));
      }
      int t = 1 + r.nextInt(13);
      int c = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(9);
      ConvProblem s = new ConvProblem(1 + r.nextInt(2), 1 + r.nextInt(4), t, c, dims);
      if (!new ConvLayout(s).implicitGemm()) {
        continue;
      }
      taken++;
      CpuKernels kern = i % 3 == 2 ? VectorSupport.scalarKernels() : VectorSupport.kernels();
      ConvKernelTest.check(kern, s, Algorithm.IM2COL, r.nextBoolean(), 1 + r.nextInt(3), r, "tiles case " + i);
    }
    assertTrue(taken >= 80, "too few shapes took the implicit im2col: " + taken);
  }

  /**
   * The bars shapes' structure at small batch: 16x16 planes with 28 output channels (panel
   * tail of 0), 5 (tail of 1), 130 channels of 3x3 (1170 taps: two channel blocks), a 7x7
   * filter, 56-wide rows over the padded span, one group and entry split over threads.
   */
  @Test
  void barsLikeShapesMatchReference() {
    Random r = new Random(31);
    List<ConvProblem> shapes = List.of(
        ConvProblem.of(1, 2, 28, 28, same(16, 3), same(16, 3)),
        ConvProblem.of(1, 3, 5, 5, same(5, 1), same(32, 1), same(32, 3)),
        ConvProblem.of(1, 1, 6, 130, same(16, 3), same(16, 3)),
        ConvProblem.of(1, 2, 3, 4, same(20, 7), same(32, 7)),
        ConvProblem.of(1, 1, 9, 6, same(10, 3), same(56, 3)),
        ConvProblem.of(2, 2, 7, 3, same(16, 1), same(16, 3)));
    for (ConvProblem s : shapes) {
      assertTrue(new ConvLayout(s).implicitGemm(), "implicit: " + s);
      for (CpuKernels kern : List.of(VectorSupport.kernels(), VectorSupport.scalarKernels())) {
        for (int threads = 1; threads <= 3; threads += 2) {
          ConvKernelTest.check(kern, s, Algorithm.AUTO, false, threads, r, kern.name());
          ConvKernelTest.check(kern, s, Algorithm.IM2COL, true, threads, r, kern.name());
        }
      }
    }
    // the deep one really is cut into channel blocks
    assertTrue(ConvTiling.implicitChannelBlock(new ConvLayout(shapes.get(2))) < 130);
  }
}
