/**
 * Fast CPU kernels in pure Java: batched GEMM and grouped N-d convolution, float32 and float64.
 *
 * <p>The pairwise steps of a contraction path are lowered to two atomic kernels:
 *
 * <ul>
 *   <li>{@link dev.conveinsum.engine.cpu.Gemm}: batched strided matrix product with optional
 *       transposes and accumulation. On the Vector API it packs A into 8-row micro-panels (and B
 *       into 2-vector panels when M &gt; 32 or B is transposed) and runs an 8 x 2-vector FMA
 *       micro-kernel, about 150 GFLOPS on one AVX-512 core for large squares, on par with or above
 *       OpenBLAS (see {@code conv-einsum-benchmarks/RESULTS.md}).
 *   <li>{@link dev.conveinsum.engine.cpu.ConvKernel}: {@code Y[g,b,t,y] (=|+=) sum_c sum_k
 *       X[g,b,c,x(y,k)] W[g,t,c,k]} with per-dimension stride, dilation, padding, flip and period
 *       ({@link dev.conveinsum.engine.ConvDim}). Three algorithms:
 *       <ul>
 *         <li>direct: padded input planes and a register-blocked row kernel; wins for few channels
 *             and depthwise layers (C = T = 1, many groups). 1-D problems with stride 1 lay the
 *             padded rows of many batch entries end to end and run the row kernel once over the
 *             whole run (a depthwise 16*3 layer over 28672 rows: about 0.5 ms);
 *         <li>im2col + GEMM: wins when {@code C*prod(k)} is large (dense layers). With every
 *             stride 1 there is no patch matrix: the padded planes of a few batch entries are laid
 *             out {@code [c][entry][plane]}, and each row of B (channel c, tap j) is that buffer
 *             read from a shifted offset, in place: 4-channel x 4-vector tiles whose vectors each
 *             read their own window, so that output rows are covered exactly where that computes
 *             fewer lanes than the padded span ({@code CpuKernels.convTiles}; the dense 64-channel
 *             56x56 3x3 layer at batch 32: 50 ms with the patch matrix, 24-27 ms without, 2
 *             threads; 16x16 planes compute no columns between rows). When the filter is longer
 *             than the output (weight gradients) and its rows are at least 16 long, each output
 *             is a sum of dot products of filter rows with the padded input rows they meet, in
 *             place ({@code CpuKernels.sdotSegments}, 4 x 4 register blocks; the dense layer's
 *             weight gradient 118 -> 57-65 ms). Otherwise one patch matrix covers the output
 *             rows of many batch entries, so short planes still make one wide GEMM; it is stored
 *             transposed ({@code [position][c, tap]}) when the filter is longer than the output.
 *             1-D weight gradients with few outputs skip the patch matrix: against the
 *             zero-padded filter each output is one long dot product over the padded input, read
 *             from a shifted offset;
 *         <li>FFT (JTransforms, N &lt;= 3): wins when both signal and filter are long.
 *         <li>Winograd F(2x2, 3x3) ({@code ConvWinogradFloat}; 2-D, 3x3, stride 1): 16 GEMMs over
 *             transformed 2x2 output tiles, 16 instead of 36 products; wins for many channels.
 *       </ul>
 *       The automatic choice ({@link dev.conveinsum.engine.cpu.ConvKernel#choose}, in {@code
 *       ConvChooser}, which {@link dev.conveinsum.engine.cpu.CpuEngine#describe} also asks) compares
 *       estimated times: direct {@code 0.04 ns/MAC + 40 ns per row call}; im2col {@code 0.0133
 *       ns/MAC} scaled for partial 8-row tiles and small depth, plus {@code 0.45 ns} per
 *       patch-matrix element ({@code 0.3 ns} when read in place); FFT {@code 1.1 ns * F log2 F} per transform plus {@code 3 ns} per
 *       spectral multiply-add.
 * </ul>
 *
 * <p>Weight gradients whose batch leads both operands run with the batch as groups that the
 * kernel sums ({@link dev.conveinsum.engine.cpu.CpuEngine#convSumGroups}, {@code
 * SumGroupsFloat}): the 1x1 ones as dot products of rows read in place, the groups as further
 * segments of each row; the convolutional ones (filter longer than output) as 8 x 2-vector GEMM
 * tiles whose rows are windows of the padded input broadcast in place ({@code
 * VectorWgradFloat}, AVX-512: the dense layer's weight gradient at about the forward
 * convolution's rate), or as segment dots when the output is too small for tiles.
 *
 * <p>{@link dev.conveinsum.engine.cpu.VectorSupport} selects the Vector API implementation when
 * the JVM runs with {@code --add-modules jdk.incubator.vector} and otherwise falls back to scalar
 * loops (logging one hint); {@code -Dconveinsum.vector=false} forces the fallback. {@link
 * dev.conveinsum.concurrent.Parallelism} bounds the threads: kernels parallelise either over
 * independent problems (groups, batch) or inside one problem, never both.
 *
 * <p>Files. {@code ConvKernel} is the convolution's front (algorithm enum, entry points, oracle);
 * {@code ConvChooser} the cost model and the form that runs; {@code ConvLayout} the
 * type-independent index maps; {@code ConvTiling} the chunk and buffer sizes; {@code ConvScratch}
 * the per-thread buffers; {@code ConvFloat} (dispatch, padding), {@code ConvDirectFloat}, {@code
 * ConvIm2colFloat}, {@code ConvImplicitFloat} and {@code ConvFftFloat} the float32 algorithms.
 * {@code CpuKernels} is the single-threaded kernel interface, implemented by {@code ScalarKernels}
 * and {@code VectorKernels} ({@code VectorKernelsFloat} entry points, {@code VectorGemmFloat}
 * packing and blocking, {@code VectorMicroFloat} micro-kernels, {@code VectorRowsFloat} row
 * correlations, {@code VectorDotsFloat} segment dots, {@code VectorShapes} block sizes); {@code
 * GemmFloat} spreads a batched GEMM over threads (and runs products that share one A, such as
 * the per-image products of a 1x1 step with its one F, on A packed once for all of them); {@code
 * VectorDepthwiseFloat} holds the vector rows of {@link
 * dev.conveinsum.engine.cpu.DepthwiseKernels}; {@code SumGroupsFloat} and {@code
 * VectorWgradFloat} the group-summed weight gradients.
 *
 * <p>Maintenance: every {@code *Double.java} is generated from its {@code *Float.java} by {@code
 * gen_double.py} in this directory (marked {@code @Generated}, with a header naming the script);
 * edit the float code and rerun the script, never the generated files. {@code .ci/run}
 * regenerates them into a temporary directory and fails on any difference.
 */
package dev.conveinsum.engine.cpu;
