/**
 * JMH benchmarks: tensorial layers forward and backward, training, the path optimizers and GEMM
 * through the public API, and the convolution kernels' algorithms one by one.
 */
package dev.conveinsum.benchmarks;
