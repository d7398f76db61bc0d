package dev.conveinsum.expr;

/** The role of an index in an expression or in one pairwise step (SPEC section 2). */
public enum IndexKind {
  /** In both operands and in the result. */
  BATCH,
  /** In both operands, summed. */
  CONTRACTION,
  /** In one operand and in the result. */
  FREE,
  /** In one operand, summed. */
  SELF_SUM,
  /** Convolved between two or more operands (kept or summed after convolving). */
  CONVOLUTION;

  /**
   * Classifies an index.
   *
   * @param convolved whether it is convolved
   * @param shared whether two or more operands hold it
   * @param kept whether the result keeps it
   */
  public static IndexKind of(boolean convolved, boolean shared, boolean kept) {
    if (convolved && shared) {
      return CONVOLUTION;
    }
    if (shared) {
      return kept ? BATCH : CONTRACTION;
    }
    return kept ? FREE : SELF_SUM;
  }
}
