package dev.conveinsum.cost;

/**
 * The cost of one pairwise step (SPEC section 4): {@code flops = ordinary x pairs x (2 if the
 * step sums anything or convolves, else 1)}.
 *
 * @param left the first operand U
 * @param right the second operand V
 * @param result the tensor the step writes
 * @param ordinary product of the non-convolved index sizes of U and V
 * @param pairs product over convolved indices of the (position in U, position in V) pairs
 * @param sums whether the step sums an index or convolves
 * @param flops forward FLOPs
 * @param trainFlops forward x (1 + [U needs a gradient] + [V needs a gradient])
 */
public record StepCost(Intermediate left, Intermediate right, Intermediate result, long ordinary,
    long pairs, boolean sums, long flops, long trainFlops) {

  /** Returns the element count of the result. */
  public long resultSize() {
    return result.size();
  }
}
