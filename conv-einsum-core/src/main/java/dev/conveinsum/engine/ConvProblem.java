package dev.conveinsum.engine;

import java.util.List;

/**
 * The one atomic kernel every pairwise step lowers to: a grouped N-d convolution
 * {@code Y[g, b, t, y...] = sum_c sum_k X[g, b, c, x...] * F[g, t, c, k...]}, all row-major and
 * contiguous. With no convolved dimensions it is a batched GEMM, {@code Y[g] = X[g] F[g]^T},
 * and then the layout flags let a step read and write its operands in place instead of
 * permuting them first: X may be stored {@code [G, C, B]}, F {@code [G, C, T]} or shared by all
 * groups ({@code [T, C]}), Y {@code [G, T, B]}.
 *
 * @param groups G, shared by X, F and Y (batch indices of the step)
 * @param batch B, rows of X (its free indices)
 * @param outChannels T, rows of F (its free indices)
 * @param inChannels C, summed (contraction indices)
 * @param dims the convolved dimensions (possibly none)
 * @param xTransposed X is stored {@code [G, C, B]} (no conv dims only)
 * @param fTransposed F is stored {@code [G, C, T]} (no conv dims only)
 * @param fShared F has no group axis: one F for every group (no conv dims only)
 * @param yTransposed Y is stored {@code [G, T, B]} (no conv dims only)
 */
public record ConvProblem(int groups, int batch, int outChannels, int inChannels,
    List<ConvDim> dims, boolean xTransposed, boolean fTransposed, boolean fShared,
    boolean yTransposed) {

  /** Copies the dimension list and checks the sizes. */
  public ConvProblem {
    dims = List.copyOf(dims);
    if (groups < 0 || batch < 0 || outChannels < 0 || inChannels < 0) {
      throw new IllegalArgumentException("negative size in " + groups + "x" + batch + "x"
          + outChannels + "x" + inChannels);
    }
    if (!dims.isEmpty() && (xTransposed || fTransposed || fShared || yTransposed)) {
      throw new IllegalArgumentException("layout flags are for problems without conv dims");
    }
  }

  /** A problem in the plain layout: X {@code [G,B,C,x...]}, F {@code [G,T,C,k...]}. */
  public ConvProblem(int groups, int batch, int outChannels, int inChannels,
      List<ConvDim> dims) {
    this(groups, batch, outChannels, inChannels, dims, false, false, false, false);
  }


  /**
   * Returns a problem with the given dimensions.
   *
   * @param groups G
   * @param batch B
   * @param outChannels T
   * @param inChannels C
   * @param dims the convolved dimensions
   * @return the problem
   */
  public static ConvProblem of(int groups, int batch, int outChannels, int inChannels,
      ConvDim... dims) {
    return new ConvProblem(groups, batch, outChannels, inChannels, List.of(dims));
  }

  /** Returns the number of convolved dimensions N. */
  public int rank() {
    return dims.size();
  }

  /** Returns the element count of one group of X per channel: the product of input lengths. */
  public long inputSpatial() {
    long n = 1;
    for (ConvDim d : dims) {
      n *= d.inLength();
    }
    return n;
  }

  /** Returns the product of kernel lengths. */
  public long kernelSpatial() {
    long n = 1;
    for (ConvDim d : dims) {
      n *= d.kernelLength();
    }
    return n;
  }

  /** Returns the product of output lengths. */
  public long outputSpatial() {
    long n = 1;
    for (ConvDim d : dims) {
      n *= d.outLength();
    }
    return n;
  }

  /** Returns the element count of X. */
  public long inputSize() {
    return (long) groups * batch * inChannels * inputSpatial();
  }

  /** Returns the element count of F. */
  public long filterSize() {
    return (fShared ? 1L : groups) * outChannels * inChannels * kernelSpatial();
  }

  /** Returns the element count of Y. */
  public long outputSize() {
    return (long) groups * batch * outChannels * outputSpatial();
  }

  /** Returns the multiply-adds of the dense formulation (taps hitting padding included). */
  public long multiplyAdds() {
    return (long) groups * batch * outChannels * inChannels * outputSpatial() * kernelSpatial();
  }
}
