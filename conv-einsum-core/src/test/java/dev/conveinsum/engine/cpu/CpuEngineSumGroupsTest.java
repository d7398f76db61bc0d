package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.reference.LoopEngine;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuEngine#convSumGroups} (the weight-gradient form: every group's product summed) agrees
 * with the loop oracle's products summed in float64, for the dot-product GEMM, the other GEMM
 * layouts, the summed segment dot products of long filters and the per-group fallback; and gives
 * the same bits on every call with a thread count.
 */
class CpuEngineSumGroupsTest {
  private final CpuEngine cpu = new CpuEngine();
  private final LoopEngine loops = new LoopEngine();

  @Test
  void gemmEveryLayoutMatchesTheOracle() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 120; i++) {
      int g = 1 + rnd.nextInt(i % 4 == 0 && i % 6 != 0 ? 40 : 5);
      int b = 1 + rnd.nextInt(i % 3 == 0 ? 70 : 9);
      int t = 1 + rnd.nextInt(i % 5 == 0 ? 70 : 9);
      // contractions across the vector length, past the dot kernel's chunk, and tiny ones
      int c = 1 + rnd.nextInt(i % 6 == 0 ? 3000 : 40);
      boolean plain = i % 2 == 0; // half in the dot-product layout, half any flags
      ConvProblem p = new ConvProblem(g, b, t, c, List.of(), !plain && rnd.nextBoolean(),
          !plain && rnd.nextBoolean(), !plain && rnd.nextBoolean(), rnd.nextBoolean());
      check(p, rnd, 1 + i % 2);
    }
  }

  @Test
  void wholeVectorRowsInFourBySixBlocksMatchTheOracle() {
    // contractions of whole vectors (multiples of 16 lanes) take the 4 x 6 blocks: column
    // counts that leave 0, 4 or 8 columns to the 4 x 4 blocks, several 48-row blocks, rows not
    // a multiple of 4, Y in either order, the CP and TK layers' shapes, 1 and 2 threads
    SplittableRandom rnd = new SplittableRandom(12);
    int[][] shapes = {{128, 56}, {56, 128}, {28, 128}, {128, 28}, {5, 6}, {7, 10}, {3, 12},
        {13, 100}, {9, 52}, {1, 1}, {4, 49}};
    int k = 0;
    for (int[] bt : shapes) {
      for (boolean yT : new boolean[] {false, true}) {
        int g = 1 + rnd.nextInt(6);
        int c = 16 * (1 + rnd.nextInt(k % 3 == 0 ? 20 : 3));
        check(new ConvProblem(g, bt[0], bt[1], c, List.of(), false, false, false, yT), rnd,
            1 + k++ % 2);
      }
    }
  }

  @Test
  void longFilterConvolutionsSumTheirGroupsLikeTheOracle() {
    SplittableRandom rnd = new SplittableRandom(12);
    // weight-gradient shapes: the "filter" is an output gradient, longer than the 3-tap result;
    // 20 channels and 15 entries leave partial register tiles (AVX-512: GEMM tiles; the
    // avx2-kernels run of this test: segment dots), 7 channels below run segment dots
    for (boolean flip : new boolean[] {false, true}) {
      ConvProblem p = new ConvProblem(3, 15, 20, 2, List.of(
          new ConvDim(30, 30, 3, 1, 1, 1, flip, 0), new ConvDim(29, 29, 3, 1, 1, 1, flip, 0)));
      assertTrue(ConvChooser.form(p) == ConvChooser.Form.SEGMENT_DOTS, "form " + ConvChooser.form(p));
      check(p, rnd, 2);
      check(p, rnd, 1);
    }
    ConvProblem oneD = new ConvProblem(4, 3, 7, 3, List.of(new ConvDim(40, 37, 5, 1, 1, 1, false, 0)));
    check(oneD, rnd, 2);
  }

  /**
   * More output channels than two vectors (on AVX-512: 4 x 4-vector tiles of the weight-gradient
   * GEMM, blocks of 512 taps): 40 channels (a part-filled last vector), 64 (the dense layer's),
   * 9 entries x 9 outputs (a part-filled last tile), 900 taps (two blocks), 1-2 threads.
   */
  @Test
  void wideWeightGradientTilesMatchTheOracle() {
    SplittableRandom rnd = new SplittableRandom(14);
    for (int t : new int[] {40, 64}) {
      ConvProblem p = new ConvProblem(2, 9, t, 2, List.of(
          new ConvDim(30, 30, 3, 1, 1, 1, false, 0), new ConvDim(30, 30, 3, 1, 1, 1, t == 40, 0)));
      assertTrue(SumGroupsFloat.summedForm(new ConvLayout(p), true) == SummedForm.TILES, "tiles " + p);
      check(p, rnd, 1);
      check(p, rnd, 2);
    }
  }

  @Test
  void otherConvolutionsRunPerGroup() {
    SplittableRandom rnd = new SplittableRandom(13);
    ConvProblem p = new ConvProblem(3, 2, 4, 5, List.of(
        new ConvDim(9, 3, 9, 1, 1, 1, false, 0), new ConvDim(8, 3, 8, 1, 1, 1, true, 0)));
    assertTrue(ConvChooser.form(p) != ConvChooser.Form.SEGMENT_DOTS, "form " + ConvChooser.form(p));
    check(p, rnd, 2);
    ConvProblem none = new ConvProblem(0, 2, 3, 4, List.of());
    float[] y = new float[6];
    Arrays.fill(y, Float.NaN);
    cpu.convSumGroups(none, new float[0], new float[0], y, 2);
    assertArrayEquals(new float[6], y);
  }

  @Test
  void theDescriptionNamesTheFormTheRunTakes() {
    // the long-filter shapes above: tiles only where the tile kernel exists (AVX-512) and the
    // output fills them (20 channels x 15 rows of 30x29 positions), else segment dots
    ConvProblem tiles = new ConvProblem(3, 15, 20, 2, List.of(
        new ConvDim(30, 30, 3, 1, 1, 1, false, 0), new ConvDim(29, 29, 3, 1, 1, 1, false, 0)));
    SummedForm tileForm = SumGroupsFloat.summedForm(new ConvLayout(tiles), true);
    assertEquals(SummedForm.TILES, tileForm);
    assertEquals(SummedForm.SEGMENT_DOTS,
        SumGroupsFloat.summedForm(new ConvLayout(tiles), false));
    String text = cpu.describeSumGroups(tiles, 2);
    assertTrue(text.startsWith(SumGroupsFloat.summedForm(new ConvLayout(tiles),
        SumGroupsFloat.tilesAvailable()) == SummedForm.TILES ? "weight-gradient GEMM tiles"
        : "segment dot products"), text);
    ConvProblem dots = new ConvProblem(4, 3, 7, 3, List.of(new ConvDim(40, 37, 5, 1, 1, 1, false, 0)));
    assertTrue(cpu.describeSumGroups(dots, 2).startsWith("segment dot products"));
    ConvProblem perGroup = new ConvProblem(3, 2, 4, 5, List.of(
        new ConvDim(9, 3, 9, 1, 1, 1, false, 0), new ConvDim(8, 3, 8, 1, 1, 1, true, 0)));
    assertEquals(SummedForm.PER_GROUP, SumGroupsFloat.summedForm(new ConvLayout(perGroup), true));
    assertTrue(cpu.describeSumGroups(perGroup, 2).startsWith("one convolution per group"));
    ConvProblem rowDots = new ConvProblem(32, 56, 40, 300, List.of());
    assertTrue(SumGroupsFloat.dots(rowDots));
    assertTrue(cpu.describeSumGroups(rowDots, 2).startsWith("dot products of rows"));
    // the loop engine keeps the SPI's default: every product, then the sum
    assertTrue(loops.describeSumGroups(rowDots, 1).startsWith("every group's product (loop"));
  }

  @Test
  void aThreadCountGivesTheSameBitsOnEveryCall() {
    SplittableRandom rnd = new SplittableRandom(14);
    ConvProblem gemm = new ConvProblem(32, 56, 40, 300, List.of());
    ConvProblem conv = new ConvProblem(4, 8, 8, 1, List.of(
        new ConvDim(20, 20, 3, 1, 1, 1, false, 0), new ConvDim(20, 20, 3, 1, 1, 1, false, 0)));
    for (ConvProblem p : List.of(gemm, conv)) {
      float[] x = toFloat(random(rnd, (int) p.inputSize()));
      float[] f = toFloat(random(rnd, (int) p.filterSize()));
      int n = (int) (p.outputSize() / p.groups());
      float[] first = new float[n];
      cpu.convSumGroups(p, x, f, first, 2);
      for (int rep = 0; rep < 3; rep++) {
        float[] again = new float[n];
        Arrays.fill(again, Float.NaN);
        cpu.convSumGroups(p, x, f, again, 2);
        assertArrayEquals(first, again, p.toString());
      }
    }
  }

  /** Compares float64 and float32 results with the oracle's products summed in float64. */
  private void check(ConvProblem p, SplittableRandom rnd, int threads) {
    double[] x = random(rnd, (int) p.inputSize());
    double[] f = random(rnd, (int) p.filterSize());
    double[] full = new double[(int) p.outputSize()];
    loops.conv(p, x, f, full, 1);
    int n = full.length / p.groups();
    double[] want = new double[n];
    double[] bound = new double[n];
    for (int g = 0; g < p.groups(); g++) {
      for (int k = 0; k < n; k++) {
        want[k] += full[g * n + k];
        bound[k] += Math.abs(full[g * n + k]);
      }
    }
    double[] got = new double[n];
    Arrays.fill(got, Double.NaN); // overwritten: recycled buffers are dirty
    cpu.convSumGroups(p, x, f, got, threads);
    long terms = (long) p.groups() * p.inChannels() * p.kernelSpatial();
    for (int k = 0; k < n; k++) {
      assertTrue(Math.abs(got[k] - want[k]) <= 1e-12 * (1 + terms) * (1 + bound[k] + Math.abs(want[k])),
          p + " element " + k + ": " + got[k] + " vs " + want[k]);
    }
    float[] gotF = new float[n];
    Arrays.fill(gotF, Float.NaN);
    cpu.convSumGroups(p, toFloat(x), toFloat(f), gotF, threads);
    for (int k = 0; k < n; k++) {
      assertTrue(Math.abs(gotF[k] - want[k]) <= 1e-5 * (1 + Math.sqrt(terms)) * (1 + bound[k]),
          p + " float32 element " + k + ": " + gotF[k] + " vs " + want[k]);
    }
  }

  private static double[] random(SplittableRandom rnd, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = rnd.nextDouble(-1, 1);
    }
    return d;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
