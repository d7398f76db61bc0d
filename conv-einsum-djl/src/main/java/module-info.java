/**
 * conv-einsum on DJL: conv_einsum plans lowered to DJL NDArray operations (autograd, any device
 * of DJL's PyTorch engine), DJL blocks for tensorial layers, ResNets built from them, and their
 * training on CIFAR-10 and Fashion-MNIST.
 */
module dev.conveinsum.djl {
  requires transitive dev.conveinsum.core;
  requires transitive dev.conveinsum.nn;
  requires transitive ai.djl.api;
  // Training reads the native thread settings of the PyTorch engine (ai.djl.pytorch.jni)
  requires ai.djl.pytorch_engine;

  exports dev.conveinsum.djl;
  exports dev.conveinsum.djl.block;
  exports dev.conveinsum.djl.data;
  exports dev.conveinsum.djl.model;
  exports dev.conveinsum.djl.train;
}
