package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.DepthwiseProblem;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layout-preserving depthwise kernel against its definition ({@link DepthwiseProblem#loops},
 * every output and tap enumerated) on random layouts: free, group and convolved axes in any
 * order, aligned (stride 1, same length) and general convolved axes, pads, crops, dilation,
 * flips, periods; scalar and vector inner loops, float and double, 1-3 threads.
 */
class DepthwiseKernelsTest {

  private static ConvDim randomDim(Random r, int in, boolean aligned) {
    int k = 1 + r.nextInt(4);
    int dil = 1 + r.nextInt(2);
    boolean flip = r.nextBoolean();
    if (aligned) {
      int pad = r.nextInt(dil * (k - 1) + 2) - (r.nextInt(4) == 0 ? 1 : 0);
      return new ConvDim(in, k, in, 1, dil, pad, flip, 0);
    }
    int stride = 1 + r.nextInt(2);
    int pad = r.nextInt(k + 1);
    int period = r.nextInt(3) == 0 ? 1 + r.nextInt(in + 2) : 0;
    int out = Math.max(1, (in + 2 * pad - dil * (k - 1) - 1) / stride + 1 + r.nextInt(3) - 1);
    return new ConvDim(in, k, out, stride, dil, pad, flip, period);
  }

  static DepthwiseProblem randomProblem(Random r) {
    int n = 1 + r.nextInt(4);
    int[] dims = new int[n];
    int[] kinds = new int[n];
    ConvDim[] conv = new ConvDim[n];
    for (int a = 0; a < n; a++) {
      dims[a] = 1 + r.nextInt(n <= 2 ? 40 : 9);
      kinds[a] = r.nextInt(3);
      if (kinds[a] == DepthwiseProblem.CONV) {
        conv[a] = randomDim(r, dims[a], r.nextInt(3) > 0);
      }
    }
    return new DepthwiseProblem(dims, kinds, conv);
  }

  private static float[] randomFloats(Random r, long n) {
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  @Test
  void randomLayoutsMatchTheDefinition() {
    Random r = new Random(41);
    int fast = 0;
    for (int i = 0; i < 400; i++) {
      DepthwiseProblem p = randomProblem(r);
      float[] x = randomFloats(r, p.inputSize());
      float[] f = randomFloats(r, p.filterSize());
      double[] xd = new double[x.length];
      double[] fd = new double[f.length];
      for (int e = 0; e < x.length; e++) {
        xd[e] = x[e];
      }
      for (int e = 0; e < f.length; e++) {
        fd[e] = f[e];
      }
      double[] want = new double[(int) p.outputSize()];
      p.loops(xd, fd, want);
      fast += DepthwiseKernels.supports(p) ? 1 : 0;
      Parallelism par = Parallelism.of(1 + i % 3);
      for (DepthwiseKernels.Rows rows : new DepthwiseKernels.Rows[] {DepthwiseKernels.SCALAR,
          DepthwiseKernels.activeRows()}) {
        float[] yf = new float[want.length];
        Arrays.fill(yf, Float.NaN);
        double[] yd = new double[want.length];
        Arrays.fill(yd, Double.NaN);
        DepthwiseKernels.run(rows, p, x, f, yf, null, null, null, par);
        DepthwiseKernels.run(rows, p, null, null, null, xd, fd, yd, par);
        for (int e = 0; e < want.length; e++) {
          String what = "case " + i + " " + p + " " + rows.getClass().getSimpleName()
              + " element " + e;
          assertEquals(want[e], yd[e], 1e-12 * (1 + Math.abs(want[e])) + 1e-12, what);
          assertEquals(want[e], yf[e], 1e-4 * (1 + Math.abs(want[e])), what);
        }
      }
    }
    assertTrue(fast >= 200, "only " + fast + " of 400 problems took the fast form");
  }

  @Test
  void filterGradientsMatchTheDefinition() {
    Random r = new Random(43);
    for (int i = 0; i < 300; i++) {
      DepthwiseProblem p = randomProblem(r);
      float[] x = randomFloats(r, p.inputSize());
      float[] dy = randomFloats(r, p.outputSize());
      double[] xd = new double[x.length];
      double[] dyd = new double[dy.length];
      for (int e = 0; e < x.length; e++) {
        xd[e] = x[e];
      }
      for (int e = 0; e < dy.length; e++) {
        dyd[e] = dy[e];
      }
      // independent oracle: dF[e] = <dY, forward(X, one-hot filter e)>
      int fSize = (int) p.filterSize();
      double[] want = new double[fSize];
      for (int e = 0; e < fSize; e++) {
        double[] oneHot = new double[fSize];
        oneHot[e] = 1;
        double[] y = new double[dy.length];
        p.loops(xd, oneHot, y);
        for (int j = 0; j < y.length; j++) {
          want[e] += y[j] * dyd[j];
        }
      }
      Parallelism par = Parallelism.of(1 + i % 3);
      for (DepthwiseKernels.Rows rows : new DepthwiseKernels.Rows[] {DepthwiseKernels.SCALAR,
          DepthwiseKernels.activeRows()}) {
        float[] gf = new float[fSize];
        Arrays.fill(gf, Float.NaN);
        double[] gd = new double[fSize];
        Arrays.fill(gd, Double.NaN);
        DepthwiseKernels.gradient(rows, p, dy, x, gf, null, null, null, par);
        DepthwiseKernels.gradient(rows, p, null, null, null, dyd, xd, gd, par);
        for (int e = 0; e < fSize; e++) {
          String what = "case " + i + " " + p + " " + rows.getClass().getSimpleName()
              + " element " + e;
          double scale = 1 + Math.abs(want[e]) + Math.sqrt(dy.length);
          assertEquals(want[e], gd[e], 1e-12 * scale, what);
          assertEquals(want[e], gf[e], 1e-4 * scale, what);
        }
      }
    }
  }

  @Test
  void infinityInTheNeighbouringRowNeverReachesASum() {
    // rows of 16 convolved along w with taps at -1, 0, +1: row 1's first output must not see
    // row 0's last element (an infinity), nor row 0's last output row 1's first (a NaN)
    ConvDim d = new ConvDim(16, 3, 16, 1, 1, 1, false, 0);
    DepthwiseProblem p = new DepthwiseProblem(new int[] {4, 16}, new int[] {0, 2},
        new ConvDim[] {null, d});
    float[] x = new float[64];
    Arrays.fill(x, 1f);
    x[15] = Float.POSITIVE_INFINITY;
    x[16] = Float.NaN;
    float[] f = {1f, 1f, 1f};
    for (DepthwiseKernels.Rows rows : new DepthwiseKernels.Rows[] {DepthwiseKernels.SCALAR,
        DepthwiseKernels.activeRows()}) {
      float[] y = new float[64];
      DepthwiseKernels.run(rows, p, x, f, y, null, null, null, Parallelism.serial());
      assertEquals(Float.POSITIVE_INFINITY, y[14]);
      assertTrue(Float.isNaN(y[17]));
      assertEquals(3f, y[33]);
      assertEquals(2f, y[32]);
      assertEquals(2f, y[47]);
      // the ends of the neighbouring rows only see their own row
      assertTrue(Float.isInfinite(y[15]));
      assertTrue(Float.isNaN(y[16]));
      assertEquals(2f, y[0]);
      assertEquals(2f, y[63]);
    }
  }

  @Test
  void cpLayoutsMatchTheDefinitionWithInfinitiesInTheNeighbouringPlanes() {
    // the depthwise steps of a CP layer, [b, c, h, w] with h or w convolved (SAME, 3 taps): the
    // rows away from the padding take the unblended path; the plane before each one ends in an
    // infinity, which must reach no output of the next plane
    ConvDim d = new ConvDim(16, 3, 16, 1, 1, 1, false, 0);
    Random r = new Random(5);
    for (int axis = 2; axis <= 3; axis++) {
      int[] kinds = {0, 1, 0, 0};
      kinds[axis] = 2;
      ConvDim[] conv = new ConvDim[4];
      conv[axis] = d;
      DepthwiseProblem p = new DepthwiseProblem(new int[] {2, 5, 16, 16}, kinds, conv);
      float[] x = randomFloats(r, p.inputSize());
      for (int plane = 0; plane < 10; plane += 2) {
        x[plane * 256 + 255] = Float.POSITIVE_INFINITY;
      }
      float[] f = randomFloats(r, p.filterSize());
      double[] xd = new double[x.length];
      double[] fd = new double[f.length];
      for (int e = 0; e < x.length; e++) {
        xd[e] = x[e];
      }
      for (int e = 0; e < f.length; e++) {
        fd[e] = f[e];
      }
      double[] want = new double[(int) p.outputSize()];
      p.loops(xd, fd, want);
      float[] y = new float[want.length];
      DepthwiseKernels.run(DepthwiseKernels.activeRows(), p, x, f, y, null, null, null,
          Parallelism.of(2));
      for (int e = 0; e < want.length; e++) {
        if (Double.isInfinite(want[e]) || Double.isNaN(want[e])) {
          assertEquals(want[e], (double) y[e], "axis " + axis + " element " + e);
        } else {
          assertEquals(want[e], y[e], 1e-5 * (1 + Math.abs(want[e])), "axis " + axis
              + " element " + e);
        }
      }
    }
  }

  @Test
  void cpFilterGradientsIgnoreInfinitiesInTheNeighbouringPlanes() {
    // the filter gradients of the CP depthwise steps ([b, c, h, w], h or w convolved, 3 taps)
    // and of a 3 x 3 depthwise conv (9 taps): group 0's
    // planes end in an infinity that the shifted taps of group 1's planes read in the padding,
    // so groups 1.. must match the definition exactly as if it were not there
    ConvDim d = new ConvDim(16, 3, 16, 1, 1, 1, false, 0);
    Random r = new Random(6);
    int[][] kindsList = {{0, 1, 2, 0}, {0, 1, 0, 2}, {0, 1, 2, 2}};
    for (int[] kinds : kindsList) {
      ConvDim[] conv = new ConvDim[4];
      for (int a = 0; a < 4; a++) {
        conv[a] = kinds[a] == DepthwiseProblem.CONV ? d : null;
      }
      DepthwiseProblem p = new DepthwiseProblem(new int[] {3, 5, 16, 16}, kinds, conv);
      float[] x = randomFloats(r, p.inputSize());
      for (int b = 0; b < 3; b++) {
        x[b * 5 * 256 + 255] = Float.POSITIVE_INFINITY;
      }
      float[] dy = randomFloats(r, p.outputSize());
      double[] xd = new double[x.length];
      double[] dyd = new double[dy.length];
      for (int e = 0; e < x.length; e++) {
        xd[e] = x[e];
      }
      for (int e = 0; e < dy.length; e++) {
        dyd[e] = dy[e];
      }
      // independent oracle: dF[c, k] = sum over b and outputs o of dY[b, c, o] * X[b, c, in(o, k)]
      int fSize = (int) p.filterSize();
      int taps = fSize / 5;
      int kw = kinds[3] == DepthwiseProblem.CONV ? 3 : 1;
      int kh = kinds[2] == DepthwiseProblem.CONV ? 3 : 1;
      double[] want = new double[fSize];
      for (int b = 0; b < 3; b++) {
        for (int c = 0; c < 5; c++) {
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
              double s = 0;
              for (int h = 0; h < 16; h++) {
                for (int w = 0; w < 16; w++) {
                  int ih = kh == 3 ? h + i - 1 : h;
                  int iw = kw == 3 ? w + j - 1 : w;
                  if (ih >= 0 && ih < 16 && iw >= 0 && iw < 16) {
                    int plane = (b * 5 + c) * 256;
                    s += dyd[plane + h * 16 + w] * xd[plane + ih * 16 + iw];
                  }
                }
              }
              want[c * taps + i * kw + j] += s;
            }
          }
        }
      }
      float[] gf = new float[fSize];
      double[] gd = new double[fSize];
      DepthwiseKernels.gradient(DepthwiseKernels.activeRows(), p, dy, x, gf, null, null, null,
          Parallelism.of(2));
      DepthwiseKernels.gradient(DepthwiseKernels.activeRows(), p, null, null, null, dyd, xd, gd,
          Parallelism.of(2));
      for (int e = taps; e < fSize; e++) {
        String what = Arrays.toString(kinds) + " element " + e;
        assertTrue(Double.isFinite(want[e]), what);
        assertEquals(want[e], gd[e], 1e-12 * (1 + Math.abs(want[e])), what);
        assertEquals(want[e], gf[e], 1e-4 * (1 + Math.abs(want[e])), what);
      }
    }
  }
}
