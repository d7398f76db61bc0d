/**
 * The facade of conv-einsum: {@link dev.conveinsum.ConvEinsum} runs the pipeline parse, bind,
 * plan, compile and execute (or differentiate); {@link dev.conveinsum.CompiledPlan} is a plan
 * ready to run, {@link dev.conveinsum.RunOptions} says how (engine, threads,
 * {@link dev.conveinsum.Checkpoint} mode, profiling), and {@link dev.conveinsum.Execution} is
 * what a run returns. Every error a user can cause is a {@link dev.conveinsum.ConvEinsumException}.
 */
package dev.conveinsum;
