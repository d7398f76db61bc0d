package dev.conveinsum.engine;

/**
 * A compute engine: the kernels that pairwise steps are lowered to. Engines are found with
 * {@link java.util.ServiceLoader} (see {@link Engines}); the executor does all layout work
 * (permutes, folds, reductions) itself and hands each engine only the atomic
 * {@link ConvProblem}, so a new engine implements one method per element type.
 */
public interface Engine {

  /** Returns the engine's name, e.g. {@code cpu} or {@code loops}. */
  String name();

  /** Returns the preference among available engines: the highest is the default. */
  int priority();

  /**
   * Describes, without running anything, what this engine runs for a convolution step: the
   * kernel and algorithm (for the CPU engine e.g. direct, im2col, implicit im2col, FFT, or a GEMM
   * with its layout and transposes), for plan reports and profiles. The default is {@link
   * #name()}.
   *
   * @param p the problem
   * @param threads the most threads the step will use (>= 1)
   * @return a short human-readable description
   */
  default String describe(ConvProblem p, int threads) {
    return name();
  }

  /**
   * Describes, without running anything, what {@link #convSumGroups} runs for the problem. The
   * default names its own form: every group's product ({@link #describe(ConvProblem, int)}),
   * then their sum.
   *
   * @param p the problem
   * @param threads the most threads the step will use (>= 1)
   * @return a short human-readable description
   */
  default String describeSumGroups(ConvProblem p, int threads) {
    return "every group's product (" + describe(p, threads) + "), then their sum";
  }

  /**
   * Describes, without running anything, what this engine runs for a depthwise step; see {@link
   * #describe(ConvProblem, int)}. The default is {@link #name()}.
   *
   * @param p the problem
   * @param threads the most threads the step will use (>= 1)
   * @return a short human-readable description
   */
  default String describe(DepthwiseProblem p, int threads) {
    return name();
  }

  /**
   * Computes {@code Y = conv(X, F)} of the problem in float64, overwriting {@code y}.
   *
   * @param p the problem
   * @param x input, {@code [G, B, C, x...]}
   * @param f filter, {@code [G, T, C, k...]}
   * @param y output, {@code [G, B, T, y...]}
   * @param threads the most threads to use (>= 1)
   */
  void conv(ConvProblem p, double[] x, double[] f, double[] y, int threads);

  /** Computes {@code Y = conv(X, F)} in float32, overwriting {@code y}; see the float64 form. */
  void conv(ConvProblem p, float[] x, float[] f, float[] y, int threads);

  /**
   * Computes the sum over the groups of {@code conv(X, F)} in float64, overwriting {@code y}:
   * {@code y[b, t, y...] = sum_g Y[g, b, t, y...]}, in Y's layout without its group axis
   * ({@code [T, B]} when the problem stores Y transposed). This is the form of a weight gradient
   * whose batch runs as the groups of its step ({@code dF[t, c] = sum_b dY[b] X[b]^T}); an engine
   * can then accumulate over the groups instead of writing and summing every group's product.
   * The default computes every group's product into a temporary array and sums them in group
   * order.
   *
   * @param p the problem (with no groups, y is zeroed)
   * @param x input, as for {@link #conv(ConvProblem, double[], double[], double[], int)}
   * @param f filter, as there
   * @param y the summed output, {@code outputSize() / groups} elements
   * @param threads the most threads to use (>= 1)
   */
  default void convSumGroups(ConvProblem p, double[] x, double[] f, double[] y, int threads) {
    if (p.groups() == 0) {
      java.util.Arrays.fill(y, 0);
      return;
    }
    double[] full = new double[Math.toIntExact(p.outputSize())];
    conv(p, x, f, full, threads);
    int n = Math.toIntExact(p.outputSize() / p.groups());
    System.arraycopy(full, 0, y, 0, n);
    for (int g = 1; g < p.groups(); g++) {
      for (int i = 0; i < n; i++) {
        y[i] += full[g * n + i];
      }
    }
  }

  /** Float32 form of {@link #convSumGroups(ConvProblem, double[], double[], double[], int)}. */
  default void convSumGroups(ConvProblem p, float[] x, float[] f, float[] y, int threads) {
    if (p.groups() == 0) {
      java.util.Arrays.fill(y, 0);
      return;
    }
    float[] full = new float[Math.toIntExact(p.outputSize())];
    conv(p, x, f, full, threads);
    int n = Math.toIntExact(p.outputSize() / p.groups());
    System.arraycopy(full, 0, y, 0, n);
    for (int g = 1; g < p.groups(); g++) {
      for (int i = 0; i < n; i++) {
        y[i] += full[g * n + i];
      }
    }
  }

  /**
   * Computes a depthwise convolution on its given layout in float64, overwriting {@code y}. The
   * default enumerates every output and tap ({@link DepthwiseProblem#loops}).
   *
   * @param p the problem
   * @param x input in the problem's X layout
   * @param f filter in its F layout
   * @param y output in its Y layout
   * @param threads the most threads to use (>= 1)
   */
  default void depthwise(DepthwiseProblem p, double[] x, double[] f, double[] y, int threads) {
    p.loops(x, f, y);
  }

  /** Float32 form of {@link #depthwise(DepthwiseProblem, double[], double[], double[], int)}. */
  default void depthwise(DepthwiseProblem p, float[] x, float[] f, float[] y, int threads) {
    p.loops(x, f, y);
  }

  /**
   * Computes the filter gradient of a depthwise convolution in float64, overwriting {@code df}:
   * {@code dF[g, k] = sum_i dY[i] * X[in(i, k)]}. The default enumerates every output and tap.
   *
   * @param p the problem of the forward convolution
   * @param dy gradient of its output, in Y's layout
   * @param x its input, in X's layout
   * @param df the filter gradient, in F's layout
   * @param threads the most threads to use (>= 1)
   */
  default void depthwiseFilterGradient(DepthwiseProblem p, double[] dy, double[] x,
      double[] df, int threads) {
    p.filterGradientLoops(dy, x, df);
  }

  /** Float32 form of {@link #depthwiseFilterGradient(DepthwiseProblem, double[], double[],
   * double[], int)}. */
  default void depthwiseFilterGradient(DepthwiseProblem p, float[] dy, float[] x, float[] df,
      int threads) {
    p.filterGradientLoops(dy, x, df);
  }
}
