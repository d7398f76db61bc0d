/**
 * Training a tensorial ResNet with DJL's trainer: configuration, the epoch loop, checkpoints and
 * the summary behind {@code conv-einsum train}.
 */
package dev.conveinsum.djl.train;
