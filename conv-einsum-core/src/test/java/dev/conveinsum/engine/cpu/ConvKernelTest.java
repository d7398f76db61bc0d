package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import static dev.conveinsum.engine.cpu.GemmTest.assertClose;
import static dev.conveinsum.engine.cpu.GemmTest.random;
import static dev.conveinsum.engine.cpu.GemmTest.toDouble;
import static dev.conveinsum.engine.cpu.GemmTest.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConvKernelTest {

  static ConvDim randomDim(Random r, int maxIn) {
    int k = 1 + r.nextInt(4);
    int in = 1 + r.nextInt(maxIn);
    int stride = 1 + r.nextInt(3);
    int dil = 1 + r.nextInt(3);
    int pad = r.nextInt(k + 1);
    boolean flip = r.nextBoolean();
    int period = r.nextInt(3) == 0 ? 1 + r.nextInt(in + 2) : 0;
    int span = dil * (k - 1) + 1;
    int valid = (in + 2 * pad - span) / stride + 1;
    int out = Math.max(1, valid + r.nextInt(3) - 1); // sometimes reads past the end
    return new ConvDim(in, k, out, stride, dil, pad, flip, period);
  }

  static ConvProblem randomShape(Random r) {
    int n = 1 + r.nextInt(3);
    int maxIn = n == 1 ? 40 : n == 2 ? 12 : 6;
    List<ConvDim> dims = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      dims.add(randomDim(r, maxIn));
    }
    return new ConvProblem(1 + r.nextInt(3), 1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), dims);
  }

  /** Runs one shape with both precisions against the reference; returns nothing, throws on mismatch. */
  static void check(CpuKernels kern, ConvProblem s, Algorithm algo, boolean acc, int threads, Random r, String msg) {
    if (algo == Algorithm.WINOGRAD && !new ConvLayout(s).winograd()) {
      return; // 2-D 3x3 stride-1 only (ConvWinogradTest covers it; so do the shapes here that fit)
    }
    int xOff = r.nextInt(3);
    int wOff = r.nextInt(3);
    int yOff = r.nextInt(3);
    double[] x = GemmTest.pad(random(r, (int) s.inputSize()), xOff);
    double[] w = GemmTest.pad(random(r, (int) s.filterSize()), wOff);
    double[] y0 = GemmTest.pad(random(r, (int) s.outputSize()), yOff);
    double[] want = y0.clone();
    ConvKernel.reference(s, x, xOff, w, wOff, want, yOff, acc);
    double[] got = y0.clone();
    if (!acc) {
      Arrays.fill(got, yOff, yOff + (int) s.outputSize(), Double.NaN);
    }
    ConvDouble.convolve(kern, s, x, xOff, w, wOff, got, yOff, acc, algo, Parallelism.of(threads));
    String m = msg + " " + algo + " acc=" + acc + " threads=" + threads + " " + s;
    assertClose(Arrays.copyOfRange(want, yOff, want.length), got, yOff, 1e-9, "double " + m);
    assertEquals(-7.0, got[got.length - 1], "guard " + m);

    float[] xf = toFloat(x);
    float[] wf = toFloat(w);
    float[] yf0 = toFloat(y0);
    float[] wantF = yf0.clone();
    ConvKernel.reference(s, xf, xOff, wf, wOff, wantF, yOff, acc);
    float[] gotF = yf0.clone();
    ConvFloat.convolve(kern, s, xf, xOff, wf, wOff, gotF, yOff, acc, algo, Parallelism.of(threads));
    assertClose(toDouble(Arrays.copyOfRange(wantF, yOff, wantF.length)), gotF, yOff, 1e-4, "float " + m);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void randomShapesMatchReference(Algorithm algo) {
    Random r = new Random(1234 + algo.ordinal());
    for (int i = 0; i < 120; i++) {
      ConvProblem s = randomShape(r);
      check(VectorSupport.kernels(), s, algo, r.nextBoolean(), 1 + r.nextInt(2), r, "case " + i);
    }
  }

  /**
   * The short-row direct kernel (1-D, stride 1, no period, at most 64 outputs per row) reads the
   * unpadded input with masked vector loads: rows of every length around the vector widths,
   * crops and pads wider than the filter, dilation, flips, several channels, both kernel sets.
   */
  @Test
  void shortRowDirectKernelMatchesReference() {
    Random r = new Random(2024);
    for (int i = 0; i < 300; i++) {
      int k = 1 + r.nextInt(5);
      int dil = 1 + r.nextInt(2);
      int in = 1 + r.nextInt(70);
      int pad = r.nextInt(2 * k + 3) - k; // negative pads crop
      int out = 1 + r.nextInt(64);
      ConvDim d = new ConvDim(in, k, out, 1, dil, pad, r.nextBoolean(), 0);
      ConvProblem s = new ConvProblem(1 + r.nextInt(3), 1 + r.nextInt(9), 1 + r.nextInt(6),
          1 + r.nextInt(6), List.of(d));
      CpuKernels kern = i % 4 == 3 ? VectorSupport.scalarKernels() : VectorSupport.kernels();
      check(kern, s, Algorithm.DIRECT, false, 1 + r.nextInt(2), r, "short-row case " + i);
    }
  }

  /**
   * Stride-1 problems take the implicit im2col (GEMM rows read from the padded input): 1-3
   * dimensions, padding, crops, periods, dilation, flips, fused batch entries, products split
   * over threads (one group and entry), depths across the GEMM's 256-deep blocks, both kernel
   * sets.
   */
  @Test
  void implicitIm2colMatchesReference() {
    Random r = new Random(4242);
    int implicit = 0;
    for (int i = 0; i < 200; i++) {
      int n = 1 + r.nextInt(3);
      List<ConvDim> dims = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        int k = 1 + r.nextInt(3);
        int dil = 1 + r.nextInt(2);
        int in = (n == 1 ? 20 : n == 2 ? 12 : 6) + r.nextInt(n == 1 ? 60 : 10);
        int pad = r.nextInt(k + 1) * dil - (r.nextInt(4) == 0 ? 1 : 0);
        int period = r.nextInt(4) == 0 ? in : 0;
        int out = Math.max(k, in + 2 * pad - dil * (k - 1) - r.nextInt(2));
        dims.add(new ConvDim(in, k, out, 1, dil, pad, r.nextBoolean(), period));
      }
      boolean one = r.nextInt(4) == 0; // one group and entry: the product is split over threads
      int c = r.nextInt(5) == 0 ? 30 + r.nextInt(10) : 1 + r.nextInt(6);
      ConvProblem s = new ConvProblem(one ? 1 : 1 + r.nextInt(2), one ? 1 : 1 + r.nextInt(5),
          1 + r.nextInt(20), c, dims);
      if (!ConvKernel.implicitIm2col(s)) {
        continue;
      }
      implicit++;
      CpuKernels kern = i % 4 == 3 ? VectorSupport.scalarKernels() : VectorSupport.kernels();
      check(kern, s, Algorithm.IM2COL, r.nextBoolean(), 1 + r.nextInt(3), r, "implicit case " + i);
    }
    assertTrue(implicit >= 100, "too few shapes took the implicit im2col: " + implicit);
  }

  /**
   * Filters longer than the output (weight gradients) take the segment dot products: 1-3
   * dimensions, the last with 16-70 taps, outer dimensions with strides and dilations, pads,
   * crops, periods, flips, several groups and entries, both kernel sets, 1-3 threads.
   */
  @Test
  void segmentDotsMatchReference() {
    Random r = new Random(5151);
    int taken = 0;
    for (int i = 0; i < 120; i++) {
      int n = 1 + r.nextInt(3);
      List<ConvDim> dims = new ArrayList<>();
      for (int j = 0; j < n - 1; j++) {
        dims.add(randomDim(r, 6));
      }
      int k = 16 + r.nextInt(55);
      int out = 1 + r.nextInt(5);
      int pad = r.nextInt(3);
      int in = Math.max(1, k + out - 1 - 2 * pad + r.nextInt(3) - 1);
      int period = r.nextInt(5) == 0 ? in : 0;
      dims.add(new ConvDim(in, k, out, 1, 1, pad, r.nextBoolean(), period));
      ConvProblem s = new ConvProblem(1 + r.nextInt(3), 1 + r.nextInt(6), 1 + r.nextInt(9),
          1 + r.nextInt(4), dims);
      if (!ConvKernel.segmentDotIm2col(s)) {
        continue;
      }
      taken++;
      CpuKernels kern = i % 4 == 3 ? VectorSupport.scalarKernels() : VectorSupport.kernels();
      check(kern, s, Algorithm.IM2COL, r.nextBoolean(), 1 + r.nextInt(3), r, "segment case " + i);
    }
    assertTrue(taken >= 100, "too few shapes took the segment dot products: " + taken);
  }

  /** Lanes read past a segment never reach the sums, even when they hold NaN or infinity. */
  @Test
  void segmentDotsIgnoreWhatLiesPastASegment() {
    for (CpuKernels kern : List.of(VectorSupport.kernels(), VectorSupport.scalarKernels())) {
      int len = 21;
      float[] a = new float[200];
      float[] b = new float[200];
      Arrays.fill(a, Float.NaN);
      Arrays.fill(b, Float.POSITIVE_INFINITY);
      int[] aRows = {0, 40, 80, 120, 160};
      int[] bRows = {0, 50, 100, 150};
      double[] want = new double[aRows.length * bRows.length];
      for (int i = 0; i < aRows.length; i++) {
        for (int q = 0; q < len; q++) {
          a[aRows[i] + q] = i + q * 0.5f;
        }
      }
      for (int j = 0; j < bRows.length; j++) {
        for (int q = 0; q < len; q++) {
          b[bRows[j] + q] = j - q * 0.25f;
        }
      }
      for (int i = 0; i < aRows.length; i++) {
        for (int j = 0; j < bRows.length; j++) {
          for (int q = 0; q < len; q++) {
            want[i * bRows.length + j] += (double) a[aRows[i] + q] * b[bRows[j] + q];
          }
        }
      }
      float[] acc = new float[want.length];
      kern.sdotSegments(aRows.length, bRows.length, len, a, aRows, new int[] {0}, b, bRows, 0,
          new int[] {0}, 0, 1, acc, 0, bRows.length);
      assertClose(want, acc, 0, 1e-5, kern.name());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"DIRECT", "IM2COL"})
  void scalarFallbackMatchesReference(Algorithm algo) {
    Random r = new Random(777 + algo.ordinal());
    for (int i = 0; i < 40; i++) {
      check(VectorSupport.scalarKernels(), randomShape(r), algo, r.nextBoolean(), 1, r, "scalar case " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void longRowsExerciseVectorLoops(Algorithm algo) {
    // rows long enough for the 4-vector unrolled loop, with tails; depthwise-like and dense-like
    Random r = new Random(42);
    ConvProblem[] shapes = {
      ConvProblem.of(6, 1, 1, 1, new ConvDim(33, 3, 33, 1, 1, 1, false, 0), new ConvDim(70, 3, 70, 1, 1, 1, false, 0)),
      ConvProblem.of(1, 2, 4, 5, new ConvDim(9, 3, 9, 1, 1, 1, true, 0), new ConvDim(130, 5, 130, 1, 2, 4, false, 0)),
      ConvProblem.of(1, 1, 2, 2, new ConvDim(300, 40, 261, 1, 1, 0, false, 0)),
      ConvProblem.of(2, 1, 2, 3, new ConvDim(200, 33, 100, 2, 1, 16, true, 200)),
      // output rows that are whole vectors (16, 32, 64 lanes): accumulated in place in Y
      ConvProblem.of(3, 2, 2, 2, new ConvDim(12, 3, 12, 1, 2, 2, true, 0), new ConvDim(32, 3, 32, 1, 1, 1, false, 0)),
      ConvProblem.of(2, 1, 1, 2, new ConvDim(64, 5, 64, 1, 3, 4, false, 50)),
      ConvProblem.of(1, 2, 3, 1, new ConvDim(5, 2, 4, 1, 1, 0, false, 0), new ConvDim(4, 2, 3, 1, 1, 0, true, 0),
          new ConvDim(20, 3, 16, 1, 1, 0, false, 0)),
    };
    for (ConvProblem s : shapes) {
      check(VectorSupport.kernels(), s, algo, false, 2, r, "long");
      check(VectorSupport.kernels(), s, algo, true, 1, r, "long");
    }
  }

  /** The tensorial-layer workload families, scaled down so that the reference stays fast. */
  static List<ConvProblem> workloadShapes(boolean flip) {
    ConvDim same16 = new ConvDim(16, 3, 16, 1, 1, 1, flip, 0);
    ConvDim same8 = new ConvDim(8, 3, 8, 1, 1, 1, flip, 0);
    ConvDim grad16 = new ConvDim(16, 16, 3, 1, 1, 0, flip, 0);
    ConvDim grad16p = new ConvDim(16, 16, 3, 1, 1, 1, flip, 0);
    ConvDim grad8 = new ConvDim(8, 8, 3, 1, 1, 1, flip, 0);
    return List.of(
        ConvProblem.of(7, 37, 1, 1, same16), // depthwise 1-D, many rows (G56 B512 T1 C1)
        ConvProblem.of(1, 40, 6, 5, same16), // 1-D, many short rows (G1 B512 T32 C32)
        ConvProblem.of(1, 300, 2, 3, new ConvDim(32, 3, 32, 1, 1, 1, flip, 0)), // B5120 T5 C5
        ConvProblem.of(1, 3, 5, 6, same8, same16), // 2-D 3x3 SAME
        ConvProblem.of(3, 1, 1, 64, grad16), // weight gradient, G56 B1 T1 C512
        ConvProblem.of(1, 5, 6, 40, grad16p), // G1 B32 T32 C512
        ConvProblem.of(1, 9, 7, 4, grad8, grad16), // 2-D weight gradient
        ConvProblem.of(1, 3, 2, 200, new ConvDim(32, 32, 3, 1, 1, 1, flip, 0))); // B5 T5 C5120
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void workloadShapesMatchReference(Algorithm algo) {
    Random r = new Random(2024 + algo.ordinal());
    for (boolean flip : new boolean[] {false, true}) {
      for (ConvProblem s : workloadShapes(flip)) {
        for (int threads = 1; threads <= 2; threads++) {
          check(VectorSupport.kernels(), s, algo, threads == 2, threads, r, "workload flip=" + flip);
        }
        check(VectorSupport.scalarKernels(), s, algo, false, 2, r, "workload scalar flip=" + flip);
      }
    }
  }

  @Test
  void fourDimensionsWorkExceptFft() {
    Random r = new Random(5);
    ConvProblem s = ConvProblem.of(1, 1, 2, 2, randomDim(r, 4), randomDim(r, 4), randomDim(r, 4), randomDim(r, 4));
    check(VectorSupport.kernels(), s, Algorithm.DIRECT, false, 1, r, "4d");
    check(VectorSupport.kernels(), s, Algorithm.IM2COL, true, 2, r, "4d");
    check(VectorSupport.kernels(), s, Algorithm.AUTO, true, 2, r, "4d");
    assertThrows(IllegalArgumentException.class,
        () -> ConvKernel.convolve(s, new float[(int) s.inputSize()], 0, new float[(int) s.filterSize()], 0,
            new float[(int) s.outputSize()], 0, false, Algorithm.FFT, Parallelism.serial()));
  }

  @Test
  void referenceMatchesHandComputedExample() {
    // 1-D true convolution, stride 2, dilation 1, pad 1: y[o] = sum_k x[2o - 1 + (2 - k)] w[k]
    ConvProblem s = ConvProblem.of(1, 1, 1, 1, new ConvDim(5, 3, 3, 2, 1, 1, true, 0));
    double[] x = {1, 2, 3, 4, 5};
    double[] w = {1, 10, 100};
    double[] y = new double[3];
    ConvKernel.reference(s, x, 0, w, 0, y, 0, false);
    // o=0: x idx j=0..2 -> -1,0,1 with w[2],w[1],w[0]: 0 + 1*10 + 2*1 = 12
    // o=1: 1,2,3 -> 2*100 + 3*10 + 4*1 = 234 ; o=2: 3,4,5 -> 4*100 + 5*10 + 0 = 450
    assertEquals(List.of(12.0, 234.0, 450.0), List.of(y[0], y[1], y[2]));
    // circular: period 5 wraps index -1 to 4 and 5 to 0
    ConvProblem c = ConvProblem.of(1, 1, 1, 1, new ConvDim(5, 3, 3, 2, 1, 1, true, 5));
    ConvKernel.reference(c, x, 0, w, 0, y, 0, false);
    assertEquals(List.of(5 * 100 + 12.0, 234.0, 450.0 + 1), List.of(y[0], y[1], y[2]));
    for (Algorithm a : new Algorithm[] {Algorithm.DIRECT, Algorithm.IM2COL, Algorithm.FFT}) {
      double[] got = new double[3];
      ConvKernel.convolve(c, x, 0, w, 0, got, 0, false, a, Parallelism.serial());
      assertClose(y, got, 0, 1e-12, a.toString());
    }
  }

  @Test
  void autoChoosesDocumentedAlgorithms() {
    ConvDim d56 = new ConvDim(56, 3, 56, 1, 1, 1, false, 0);
    ConvDim d32 = new ConvDim(32, 3, 32, 1, 1, 1, false, 0);
    assertEquals(Algorithm.WINOGRAD, ConvKernel.choose(ConvProblem.of(1, 32, 64, 64, d56, d56)));
    ConvDim d56k5 = new ConvDim(56, 5, 56, 1, 1, 2, false, 0);
    assertEquals(Algorithm.IM2COL, ConvKernel.choose(ConvProblem.of(1, 32, 64, 64, d56k5, d56k5)));
    assertEquals(Algorithm.DIRECT, ConvKernel.choose(ConvProblem.of(256, 1, 1, 1, d32, d32)));
    ConvDim longDim = new ConvDim(8192, 1024, 8192, 1, 1, 512, false, 0);
    assertEquals(Algorithm.FFT, ConvKernel.choose(ConvProblem.of(1, 4, 4, 4, longDim)));
  }

  @Test
  void emptyChannelsZeroTheOutput() {
    ConvProblem s = ConvProblem.of(1, 1, 2, 0, ConvDim.valid(4, 2));
    float[] y = {1, 2, 3, 4, 5, 6};
    ConvKernel.convolve(s, new float[0], 0, new float[0], 0, y, 0, false);
    assertEquals(0f, y[5]);
  }
}
