/**
 * Tensorial convolution layers: a {@link dev.conveinsum.nn.LayerSpec} factors a dense kernel
 * {@code W[t,s,h,w]} by one {@link dev.conveinsum.nn.Decomposition} (CP, Tucker, tensor train,
 * tensor ring and their reshaped forms) and yields the layer as one conv_einsum expression with
 * the input first; a {@link dev.conveinsum.nn.TensorialLayer} holds the factors and evaluates
 * forward and backward through a {@link dev.conveinsum.nn.LayerEvaluator}. Also the decomposition
 * of a trained dense kernel into factors and the benchmark layer lists.
 */
package dev.conveinsum.nn;
