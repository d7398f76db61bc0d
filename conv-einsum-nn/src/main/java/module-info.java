/**
 * conv-einsum nn: tensorial convolutional layers (CP, Tucker, tensor-train, tensor-ring and their
 * reshaped variants), each one conv_einsum run through the core facade.
 */
module dev.conveinsum.nn {
  requires transitive dev.conveinsum.core;
  requires ejml.core;
  requires ejml.ddense;

  exports dev.conveinsum.nn;
}
