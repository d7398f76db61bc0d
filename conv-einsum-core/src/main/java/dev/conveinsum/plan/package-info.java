/**
 * The plan report: {@link dev.conveinsum.plan.PlanInfo} (path, FLOPs against the naive path,
 * largest intermediate, steps), {@link dev.conveinsum.plan.PlanOptions} (optimizer name, training
 * cost, trainable operands, memory limit) and {@link dev.conveinsum.plan.Path} (pairwise steps in
 * opt_einsum notation). Plans come from {@link dev.conveinsum.ConvEinsum#plan}.
 */
package dev.conveinsum.plan;
