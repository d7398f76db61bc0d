/**
 * Path optimizers and plans: which pair of tensors to contract next. {@link
 * dev.conveinsum.plan.Optimizers} registers the {@link dev.conveinsum.plan.PathOptimizer}s by
 * name ({@code optimal}/{@code dp}, {@code branch}, {@code greedy}, {@code random-greedy}, {@code
 * naive}, {@code auto}); {@link dev.conveinsum.plan.Planner} runs one under the cost model with
 * {@link dev.conveinsum.plan.PlanOptions} (training FLOPs, memory limit, time budget), caches the
 * result and describes it as a printable {@link dev.conveinsum.plan.PlanInfo}.
 */
package dev.conveinsum.plan;
