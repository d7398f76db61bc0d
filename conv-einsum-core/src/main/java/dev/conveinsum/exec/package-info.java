/**
 * Execution: a bound expression and a path compiled into a {@link
 * dev.conveinsum.exec.CompiledProgram}, run on an {@link dev.conveinsum.engine.Engine}, with
 * reverse-mode gradients and checkpointing.
 *
 * <p>How a pairwise step is lowered. Along every convolution index each tensor records where its
 * elements sit in the full coordinates of {@link dev.conveinsum.geometry.ConvGeometry} (start and
 * step: a signal at {@code 0, 1, 2, ...}, a dilated filter at {@code 0, d, 2d, ...}, reversed for
 * cross-correlation; an intermediate at the hull of the positions it must keep). A step then
 * computes {@code W[w] = sum U[a] V[b]} over pairs with {@code a + b = w} (modulo the period for
 * circular padding), which is one call of the atomic grouped convolution {@link
 * dev.conveinsum.engine.ConvProblem} after at most a reversal, a dilation or a circular fold of
 * one operand and a permutation of both into the kernel's layout {@code [groups, free, summed,
 * conv]}. Steps that convolve nothing are batched GEMMs.
 *
 * <p>Why backpropagate through the forward steps rather than plan each operand's gradient as its
 * own conv_einsum: the gradient of a step with respect to one operand is the same kind of step
 * (the output gradient convolved with the other operand at negated positions), so the backward
 * pass reuses the forward intermediates, costs about two forward steps per step, as SPEC section
 * 4's training cost assumes, and every backward step runs on the same fast kernels. Data
 * movements are linear maps whose transposes are data movements too.
 *
 * <p>Memory: {@link dev.conveinsum.Checkpoint#STORE} keeps every intermediate the backward
 * pass reads; {@link dev.conveinsum.Checkpoint#RECOMPUTE} keeps only the operands and
 * recomputes what each backward step reads just before it. Both give identical gradients. The
 * same schedule run without data predicts the peak bytes exactly.
 *
 * <p>Buffers. A compiled program keeps the intermediates its calls free (its {@code Workspace})
 * and hands each to a later instruction or a later call that needs that many elements;
 * concurrent calls each take their own. The result and the gradients are never given back to it
 * and the caller's operands never enter it, so no later call writes what a call returned. A kept
 * buffer holds stale values: kernels overwrite their outputs (the {@link
 * dev.conveinsum.engine.Engine} contract) and gathers every element; only scatter-adds
 * (reductions, dilations, folds, the transposes of gathers), gathers with missing elements (none
 * in today's lowering) and zero tensors ask for a cleared buffer. Peak accounting counts live
 * slots, not kept buffers, so it is the same with or without reuse.
 */
package dev.conveinsum.exec;
