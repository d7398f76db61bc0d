/**
 * Internal: the cost model of SPEC section 4. {@link dev.conveinsum.cost.CostModel} prices a
 * pairwise step (forward and training FLOPs, result size) over the index kinds and the exact
 * convolution pair counts of {@code dev.conveinsum.geometry}; the path optimizers and the plan
 * report read it.
 */
package dev.conveinsum.cost;
