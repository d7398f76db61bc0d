/**
 * JMH benchmarks of conv-einsum: layers, training, path optimizers and GEMM through the public
 * API; the convolution kernels' algorithms one by one through a qualified export of the CPU
 * engine (the only benchmark that looks inside the engine).
 */
module dev.conveinsum.benchmarks {
  requires dev.conveinsum.core;
  requires dev.conveinsum.nn;
  requires dev.conveinsum.djl;
  requires jmh.core;
  requires com.fasterxml.jackson.databind;
  requires org.bytedeco.javacpp;
  requires org.bytedeco.openblas;

  // JMH instantiates the @State classes and runs the generated code by reflection
  opens dev.conveinsum.benchmarks;
  opens dev.conveinsum.benchmarks.jmh_generated;
}
