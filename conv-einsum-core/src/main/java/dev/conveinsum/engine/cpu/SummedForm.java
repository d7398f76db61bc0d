package dev.conveinsum.engine.cpu;

/**
 * How a convolution with its groups summed runs ({@link SumGroupsFloat#summedForm}): the run and
 * {@link CpuEngine#describeSumGroups} take the same decision.
 */
enum SummedForm {
  /** Weight-gradient GEMM tiles (AVX-512), every group summed in the tiles. */
  TILES,
  /** Segment dot products, every group summed in one accumulator per output. */
  SEGMENT_DOTS,
  /** One convolution per group, the first overwriting Y and the rest adding to it. */
  PER_GROUP
}
