package dev.conveinsum.engine.cpu;

import java.util.List;

/**
 * The sizes of one grouped N-d convolution evaluated by {@link ConvKernel}.
 *
 * <p>Arrays are row-major and contiguous: input X is {@code [G, B, C, in_1..in_N]}, filter W is
 * {@code [G, T, C, k_1..k_N]} and output Y is {@code [G, B, T, out_1..out_N]}.
 *
 * @param groups G, independent groups (e.g. rank times batch in a factorised layer)
 * @param batch B, inputs sharing the same filters within a group
 * @param outChannels T, filters per group
 * @param inChannels C, channels summed over
 * @param dims the convolved dimensions, at least one
 */
public record ConvShape(int groups, int batch, int outChannels, int inChannels, List<ConvDim> dims) {

  /**
   * Validates the sizes and copies the dimension list.
   *
   * @param groups G, at least 0
   * @param batch B, at least 0
   * @param outChannels T, at least 0
   * @param inChannels C, at least 0
   * @param dims the convolved dimensions, at least one
   */
  public ConvShape {
    if (groups < 0 || batch < 0 || outChannels < 0 || inChannels < 0) {
      throw new IllegalArgumentException("negative size in ConvShape");
    }
    dims = List.copyOf(dims);
    if (dims.isEmpty()) {
      throw new IllegalArgumentException("at least one convolved dimension is required");
    }
  }

  /**
   * Convenience factory taking the dimensions as varargs.
   *
   * @param groups G
   * @param batch B
   * @param outChannels T
   * @param inChannels C
   * @param dims the convolved dimensions
   * @return the shape
   */
  public static ConvShape of(int groups, int batch, int outChannels, int inChannels, ConvDim... dims) {
    return new ConvShape(groups, batch, outChannels, inChannels, List.of(dims));
  }

  /**
   * Returns the number of convolved dimensions N.
   *
   * @return N
   */
  public int rank() {
    return dims.size();
  }

  /**
   * Returns the number of elements of X, {@code G*B*C*prod(in)}.
   *
   * @return the input size
   */
  public long inputSize() {
    long s = (long) groups * batch * inChannels;
    for (ConvDim d : dims) {
      s *= d.inLength();
    }
    return s;
  }

  /**
   * Returns the number of elements of W, {@code G*T*C*prod(k)}.
   *
   * @return the filter size
   */
  public long filterSize() {
    long s = (long) groups * outChannels * inChannels;
    for (ConvDim d : dims) {
      s *= d.kernelLength();
    }
    return s;
  }

  /**
   * Returns the number of elements of Y, {@code G*B*T*prod(out)}.
   *
   * @return the output size
   */
  public long outputSize() {
    long s = (long) groups * batch * outChannels;
    for (ConvDim d : dims) {
      s *= d.outLength();
    }
    return s;
  }

  /**
   * Returns the multiply-adds of the direct algorithm, {@code G*B*T*C*prod(out)*prod(k)}.
   *
   * @return the multiply-add count
   */
  public long multiplyAdds() {
    long s = outputSize() * inChannels;
    for (ConvDim d : dims) {
      s *= d.kernelLength();
    }
    return s;
  }
}
