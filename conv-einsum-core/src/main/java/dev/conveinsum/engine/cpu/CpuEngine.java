package dev.conveinsum.engine.cpu;

import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.Engine;

/**
 * The fast CPU engine: batched GEMM when a step convolves nothing, else {@link ConvKernel}'s
 * im2col + GEMM, direct or FFT algorithm chosen per call by cost. Pure Java on the Vector API,
 * with a scalar fallback when {@code jdk.incubator.vector} is not enabled.
 */
public final class CpuEngine implements Engine {

  /** Creates the engine (public for {@link java.util.ServiceLoader}). */
  public CpuEngine() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public void conv(ConvProblem p, double[] x, double[] f, double[] y, int threads) {
    if (p.dims().isEmpty()) {
      // Y[g] (B x T) = X[g] (B x C) * F[g]^T, F stored [G, T, C].
      Gemm.dgemm(p.groups(), p.batch(), p.outChannels(), p.inChannels(), x, 0, false, f, 0, true,
          y, 0, false, Parallelism.of(threads));
      return;
    }
    ConvKernel.convolve(p, x, 0, f, 0, y, 0, false, ConvKernel.Algorithm.AUTO,
        Parallelism.of(threads));
  }

  @Override
  public void conv(ConvProblem p, float[] x, float[] f, float[] y, int threads) {
    if (p.dims().isEmpty()) {
      Gemm.sgemm(p.groups(), p.batch(), p.outChannels(), p.inChannels(), x, 0, false, f, 0, true,
          y, 0, false, Parallelism.of(threads));
      return;
    }
    ConvKernel.convolve(p, x, 0, f, 0, y, 0, false, ConvKernel.Algorithm.AUTO,
        Parallelism.of(threads));
  }
}
