/**
 * The tensor value every stage exchanges: {@link dev.conveinsum.tensor.Tensor}, a dense row-major
 * float32 or float64 array with a shape, and its element type {@link
 * dev.conveinsum.tensor.DType}. Kept to what the kernels need, so that an engine can read the
 * backing array without a copy.
 */
package dev.conveinsum.tensor;
