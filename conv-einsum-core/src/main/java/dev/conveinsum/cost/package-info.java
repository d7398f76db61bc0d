/**
 * The cost model of SPEC section 4: forward and training FLOPs of a pairwise step and of a whole
 * path, and the element count of every intermediate, including the positions a convolved
 * intermediate must keep. Optimizers and plan reports ask {@link dev.conveinsum.cost.CostModel};
 * {@link dev.conveinsum.cost.CostMath} saturates at {@code Long.MAX_VALUE} because the figures of
 * large random networks overflow a {@code long}.
 */
package dev.conveinsum.cost;
