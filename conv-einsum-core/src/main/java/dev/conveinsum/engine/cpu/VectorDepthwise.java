package dev.conveinsum.engine.cpu;

/**
 * The innermost loop of {@link DepthwiseKernels} on the Vector API: two output vectors in
 * registers across all taps, shifted input vectors blended to zero where a tap's table marks the
 * padding. Loaded reflectively only when {@link VectorSupport} runs the vector kernels. The
 * float32 loops are in {@link VectorDepthwiseFloat}, their generated float64 twins in {@code
 * VectorDepthwiseDouble}.
 */
final class VectorDepthwise extends VectorDepthwiseDouble {

  private VectorDepthwise() {}

  /** Creates the rows, or throws when the vectors are wider than the tables' slack. */
  static VectorDepthwise create() {
    if (2 * FL > DepthwiseKernels.TABLE_SLACK) {
      throw new UnsupportedOperationException("vectors wider than the table slack");
    }
    return new VectorDepthwise();
  }
}
