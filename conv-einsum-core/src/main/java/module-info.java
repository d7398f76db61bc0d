/**
 * conv-einsum core: einsum with convolutions. The exported packages are the API: the facade
 * ({@code dev.conveinsum}), expressions and their options ({@code expr}), the plan report
 * ({@code plan}), tensors ({@code tensor}) and the engine SPI ({@code engine}). Everything else
 * (cost model, path search, geometry, executor, kernels, the loop oracle) is internal.
 */
module dev.conveinsum.core {
  requires jdk.incubator.vector;
  requires static java.compiler;
  // the kernels read the thread-allocation counters (com.sun.management.ThreadMXBean)
  requires jdk.management;
  requires JTransforms;

  exports dev.conveinsum;
  exports dev.conveinsum.expr;
  exports dev.conveinsum.plan;
  exports dev.conveinsum.tensor;
  exports dev.conveinsum.engine;
  // The JMH benchmarks time the path optimizers one by one, bypassing the plan cache, and the
  // convolution kernels' algorithms one by one (ConvBenchmark); nothing else sees inside.
  exports dev.conveinsum.plan.search to dev.conveinsum.benchmarks;
  exports dev.conveinsum.engine.cpu to dev.conveinsum.benchmarks;
  exports dev.conveinsum.concurrent to dev.conveinsum.benchmarks;

  uses dev.conveinsum.engine.Engine;

  provides dev.conveinsum.engine.Engine with
      dev.conveinsum.engine.cpu.CpuEngine,
      dev.conveinsum.engine.reference.LoopEngine;
}
