/**
 * Dense row-major tensors ({@link dev.conveinsum.tensor.Tensor}) of float32 or float64
 * ({@link dev.conveinsum.tensor.DType}): the operands and results of every call.
 */
package dev.conveinsum.tensor;
