package dev.conveinsum.engine;

/**
 * One convolved dimension of a {@link ConvProblem}, in cross-correlation form.
 *
 * <p>For output position {@code y} and kernel tap {@code k}: the tap index is {@code j = flip ?
 * kernelLength-1-k : k}; the input position is {@code x = y*stride - padLeft + dilation*j}; when
 * {@code period > 0}, {@code x = floorMod(x, period)} (circular convolution); the input is read at
 * {@code x} only when {@code 0 <= x < inLength}, otherwise the term is zero. {@code flip = true}
 * gives a true convolution, {@code false} a cross-correlation.
 *
 * @param inLength length of the input along this dimension, at least 0
 * @param kernelLength length of the filter along this dimension, at least 1
 * @param outLength length of the output along this dimension, at least 0
 * @param stride output stride, at least 1
 * @param dilation filter dilation, at least 1
 * @param padLeft implicit zero padding before the input (may be negative to crop)
 * @param flip whether the filter is reversed (true convolution)
 * @param period wrap-around period for circular convolution, or 0 for none
 */
public record ConvDim(
    int inLength,
    int kernelLength,
    int outLength,
    int stride,
    int dilation,
    int padLeft,
    boolean flip,
    int period) {

  /**
   * Validates the parameters.
   *
   * @param inLength length of the input along this dimension, at least 0
   * @param kernelLength length of the filter along this dimension, at least 1
   * @param outLength length of the output along this dimension, at least 0
   * @param stride output stride, at least 1
   * @param dilation filter dilation, at least 1
   * @param padLeft implicit zero padding before the input (may be negative to crop)
   * @param flip whether the filter is reversed (true convolution)
   * @param period wrap-around period for circular convolution, or 0 for none
   */
  public ConvDim {
    if (inLength < 0 || kernelLength < 1 || outLength < 0 || stride < 1 || dilation < 1 || period < 0) {
      throw new IllegalArgumentException(
          "invalid ConvDim: in=" + inLength + " k=" + kernelLength + " out=" + outLength
              + " stride=" + stride + " dilation=" + dilation + " period=" + period);
    }
  }

  /**
   * Returns a plain cross-correlation dimension: stride 1, dilation 1, no padding, no flip, no
   * period, with the "valid" output length {@code inLength - kernelLength + 1}.
   *
   * @param inLength input length, at least {@code kernelLength}
   * @param kernelLength filter length, at least 1
   * @return the dimension
   */
  public static ConvDim valid(int inLength, int kernelLength) {
    return new ConvDim(inLength, kernelLength, inLength - kernelLength + 1, 1, 1, 0, false, 0);
  }

  /**
   * Returns the number of consecutive padded input positions one output row reads: {@code
   * (outLength-1)*stride + dilation*(kernelLength-1) + 1}, or 0 when the output is empty.
   *
   * @return the window extent
   */
  public int window() {
    return outLength == 0 ? 0 : (outLength - 1) * stride + dilation * (kernelLength - 1) + 1;
  }

  /**
   * Maps a tap and an output position to the input position read, or -1 when the term is zero.
   *
   * @param y output position
   * @param k kernel tap (index into the stored filter)
   * @return the input position in {@code [0, inLength)}, or -1
   */
  public int inputIndex(int y, int k) {
    int j = flip ? kernelLength - 1 - k : k;
    int x = y * stride - padLeft + dilation * j;
    if (period > 0) {
      x = Math.floorMod(x, period);
    }
    return x >= 0 && x < inLength ? x : -1;
  }
}
