/**
 * The engine SPI. An {@link dev.conveinsum.engine.Engine} runs the atomic grouped convolution
 * ({@link dev.conveinsum.engine.ConvProblem}, {@link dev.conveinsum.engine.DepthwiseProblem}) on
 * arrays, and is found with {@link java.util.ServiceLoader} ({@link dev.conveinsum.engine.Engines});
 * a backend built on another tensor library runs a whole plan as a
 * {@link dev.conveinsum.engine.ForwardProgram} instead.
 */
package dev.conveinsum.engine;
