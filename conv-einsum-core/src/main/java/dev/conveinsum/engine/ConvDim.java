package dev.conveinsum.engine;

/**
 * One convolved dimension of the atomic kernel, in cross-correlation form: output position
 * {@code y} and tap {@code k} read the input at
 * {@code x = y*stride - padLeft + dilation*(flip ? kernelLength-1-k : k)}, taken modulo
 * {@code period} when it is positive; positions outside {@code [0, inLength)} read zero.
 *
 * @param inLength input length
 * @param kernelLength number of filter taps
 * @param outLength output length
 * @param stride output step, >= 1
 * @param dilation tap spacing, >= 1
 * @param padLeft shift of the input (may be negative)
 * @param flip whether taps are read in reverse order (true convolution)
 * @param period wrap-around period (circular convolution), or 0 for none
 */
public record ConvDim(int inLength, int kernelLength, int outLength, int stride, int dilation,
    int padLeft, boolean flip, int period) {

  /** Checks the lengths and steps. */
  public ConvDim {
    if (inLength < 1 || kernelLength < 1 || outLength < 0 || stride < 1 || dilation < 1
        || period < 0) {
      throw new IllegalArgumentException("bad conv dimension: in " + inLength + ", kernel "
          + kernelLength + ", out " + outLength + ", stride " + stride + ", dilation "
          + dilation + ", period " + period);
    }
  }

  /** Returns the input position read by output {@code y} and tap {@code k}, or -1 if none. */
  public int inputPosition(int y, int k) {
    int j = flip ? kernelLength - 1 - k : k;
    int x = y * stride - padLeft + dilation * j;
    if (period > 0) {
      x = Math.floorMod(x, period);
    }
    return x >= 0 && x < inLength ? x : -1;
  }
}
