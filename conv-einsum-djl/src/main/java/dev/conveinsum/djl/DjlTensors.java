package dev.conveinsum.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;

/** Copies between this library's {@link Tensor} and DJL's {@link NDArray}. */
public final class DjlTensors {
  private DjlTensors() {}

  /**
   * Copies a tensor into a new array of the same shape and element type.
   *
   * @param manager the manager (and so the device) of the new array
   * @param t the tensor
   * @return the array
   */
  public static NDArray toNDArray(NDManager manager, Tensor t) {
    Shape shape = new Shape(t.shape());
    return t.dtype() == DType.FLOAT64 ? manager.create(t.doubleData(), shape)
        : manager.create(t.floatData(), shape);
  }

  /**
   * Copies an array (from any device) into a new tensor of the same shape and element type.
   *
   * @param a a float32 or float64 array
   * @return the tensor
   * @throws ConvEinsumException for another element type
   */
  public static Tensor toTensor(NDArray a) {
    long[] shape = a.getShape().getShape();
    if (a.getDataType() == DataType.FLOAT64) {
      return Tensor.wrap(a.toDoubleArray(), shape);
    }
    if (a.getDataType() == DataType.FLOAT32) {
      return Tensor.wrap(a.toFloatArray(), shape);
    }
    throw new ConvEinsumException("an array of " + a.getDataType()
        + " cannot become a tensor; float32 or float64 only");
  }
}
