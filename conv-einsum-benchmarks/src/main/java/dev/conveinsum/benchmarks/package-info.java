/**
 * JMH benchmarks and the paper's measured tables: GEMM and convolution kernels against their
 * baselines, path-finding time per optimizer, whole tensorial layers against the dense layer, and
 * training. Never a dependency of another module.
 */
package dev.conveinsum.benchmarks;
