/**
 * Tensorial convolutional layers: a {@link dev.conveinsum.nn.LayerSpec} writes a decomposition
 * (CP, Tucker, tensor-train, tensor-ring, reshaped variants) as one conv_einsum, a
 * {@link dev.conveinsum.nn.TensorialLayer} runs it forward and backward through
 * {@link dev.conveinsum.ConvEinsum} (with any {@link dev.conveinsum.RunOptions}, RECOMPUTE
 * included), {@link dev.conveinsum.nn.Decomposer} fits factors to a dense kernel, and
 * {@link dev.conveinsum.nn.BenchList} is the benchmark layer list.
 */
package dev.conveinsum.nn;
