/**
 * DJL blocks computing conv_einsums: {@link dev.conveinsum.djl.block.ConvEinsumBlock} (any
 * expression with trainable operands) and {@link dev.conveinsum.djl.block.TensorialConv2d} (a
 * tensorial 2-D convolution built from a {@code LayerSpec}).
 */
package dev.conveinsum.djl.block;
