package dev.conveinsum.djl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * Whether float32 convolutions on the CPU may go to libtorch's own convolution (oneDNN).
 */
final class OneDnnCheck {
  private OneDnnCheck() {}

  /** The most convolved axes a DJL convolution call may take for this type and device. */
  static int maxConvDims(DataType type, Device device) {
    return NdKernels.MAX_CONV_DIMS;
  }
}
