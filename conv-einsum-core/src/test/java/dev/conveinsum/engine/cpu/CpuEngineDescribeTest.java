package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.DepthwiseProblem;
import dev.conveinsum.engine.cpu.ConvChooser.Form;
import dev.conveinsum.engine.cpu.ConvKernel.Algorithm;
import dev.conveinsum.engine.reference.LoopEngine;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuEngine#describe}: each form of the convolution on a problem built, by the documented
 * cost model and form conditions, to get it; the AUTO run is bit-identical to the algorithm the
 * description names (so that algorithm is the one that ran) and agrees with the oracle.
 */
class CpuEngineDescribeTest {
  private final CpuEngine cpu = new CpuEngine();

  private static ConvDim same(int n, int k) {
    return new ConvDim(n, k, n, 1, 1, (k - 1) / 2, false, 0);
  }

  @Test
  void describesTheConvolutionFormThatRuns() {
    // dense 16-channel 3x3, stride 1: implicit im2col (span 838 <= 1.25 * 784 outputs)
    check(ConvProblem.of(1, 1, 16, 16, same(28, 3), same(28, 3)), Form.IMPLICIT, "implicit im2col");
    // 128 channels, 3x3, stride 1, 16x16 (RCP's conv step): Winograd F(2x2, 3x3)
    check(ConvProblem.of(1, 2, 128, 128, same(16, 3), same(16, 3)), Form.WINOGRAD, "Winograd");
    // the same with stride 2: no implicit form, a patch matrix
    ConvDim s2 = new ConvDim(28, 3, 14, 2, 1, 1, false, 0);
    check(ConvProblem.of(1, 1, 16, 16, s2, s2), Form.PATCH_MATRIX, "patch matrix");
    // depthwise 2-D: direct
    check(ConvProblem.of(256, 1, 1, 1, same(32, 3), same(32, 3)), Form.DIRECT, "direct");
    // depthwise 1-D, 32 outputs per row: short rows read in place
    check(ConvProblem.of(64, 1, 1, 1, same(32, 3)), Form.SHORT_ROWS, "short rows");
    // depthwise 1-D, 256 outputs per row, 4 batch entries: rows fused over the batch
    check(ConvProblem.of(64, 4, 1, 1, same(256, 3)), Form.FUSED_ROWS, "fused");
    // 1-D weight gradient, one output per channel pair: shifted dot products
    check(ConvProblem.of(1, 2, 32, 8, new ConvDim(200, 200, 1, 1, 1, 0, false, 0)),
        Form.SHIFTED, "shifted dot products");
    // 2-D weight gradient, 18-tap filter rows over 3 outputs: segment dot products
    ConvDim wg = new ConvDim(20, 18, 3, 1, 1, 0, false, 0);
    check(ConvProblem.of(1, 2, 16, 4, wg, wg), Form.SEGMENT_DOTS, "segment dot products");
    // long signal, long filter: FFT
    check(ConvProblem.of(1, 4, 4, 4, new ConvDim(8192, 1024, 8192, 1, 1, 512, false, 0)),
        Form.FFT, "FFT");
  }

  private void check(ConvProblem p, Form form, String words) {
    assertEquals(form, ConvChooser.form(p), p.toString());
    String text = cpu.describe(p, 2);
    assertTrue(text.contains(words), text);
    assertTrue(text.contains(VectorSupport.description()), text);
    Algorithm algo = switch (form) {
      case DIRECT, SHORT_ROWS, FUSED_ROWS -> Algorithm.DIRECT;
      case FFT -> Algorithm.FFT;
      case WINOGRAD -> Algorithm.WINOGRAD;
      default -> Algorithm.IM2COL;
    };
    Random r = new Random(7);
    float[] x = new float[(int) p.inputSize()];
    float[] w = new float[(int) p.filterSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    float[] auto = new float[(int) p.outputSize()];
    float[] forced = new float[auto.length];
    cpu.conv(p, x, w, auto, 2);
    ConvKernel.convolve(p, x, 0, w, 0, forced, 0, false, algo, Parallelism.of(2));
    assertArrayEquals(forced, auto, form + " " + p);
    if (form != Form.FFT) { // the FFT problem's loop oracle takes too long for a unit test
      float[] want = new float[auto.length];
      new LoopEngine().conv(p, x, w, want, 1);
      double scale = Math.sqrt(p.multiplyAdds() / Math.max(1.0, p.outputSize()));
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], auto[i], 1e-4 * scale * (1 + Math.abs(want[i])), form + " at " + i);
      }
    }
  }

  @Test
  void describesTheGemmLayoutAndSplit() {
    // groups, batch, T, C, dims, xTransposed, fTransposed, fShared, yTransposed
    String folded = cpu.describe(new ConvProblem(3, 5, 4, 6, List.of(), false, false, true, false), 2);
    assertTrue(folded.startsWith("GEMM Y = X F^T, 5 x 4 x 6 per group, A plain, B transposed"), folded);
    assertTrue(folded.contains("groups folded into its rows"), folded);
    String batched = cpu.describe(new ConvProblem(3, 5, 4, 6, List.of(), true, true, false, true), 2);
    assertTrue(batched.startsWith("GEMM Y^T = F X^T, 4 x 5 x 6 per group, A transposed, B plain"),
        batched);
    assertTrue(batched.contains("a batch of one product per group"), batched);
    String perThread = cpu.describe(new ConvProblem(8, 5, 4, 6, List.of(), true, false, true, false), 2);
    assertTrue(perThread.contains("A transposed, B transposed: one single-threaded product per group"),
        perThread);
    assertFalse(perThread.contains("packed once"), perThread);
    String sharedA = cpu.describe(new ConvProblem(8, 5, 4, 6, List.of(), true, false, true, true), 2);
    assertTrue(sharedA.contains("GEMM Y^T = F X^T") && sharedA.contains(
        "one single-threaded product per group, the groups over the threads, F packed once"),
        sharedA);
    String repeated = cpu.describe(new ConvProblem(1, 5, 4, 6, List.of(), true, false, true, false), 2);
    assertTrue(repeated.contains("the shared F repeated"), repeated);
    String loop = cpu.describe(new ConvProblem(65, 5, 4, 6, List.of(), true, false, true, false), 128);
    assertTrue(loop.contains("one multi-threaded product per group in turn"), loop);
  }

  @Test
  void describesDepthwiseAndTheLoopEngine() {
    DepthwiseProblem dw = DepthwiseKernelsTest.randomProblem(new Random(3));
    assertTrue(cpu.describe(dw, 1).startsWith("depthwise"), cpu.describe(dw, 1));
    LoopEngine loops = new LoopEngine();
    assertTrue(loops.describe(ConvProblem.of(1, 1, 1, 1, same(8, 3)), 1).startsWith("loop"));
    assertTrue(loops.describe(dw, 1).startsWith("loop"));
  }
}
