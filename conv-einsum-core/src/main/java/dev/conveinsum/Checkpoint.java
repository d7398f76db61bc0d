package dev.conveinsum;

/** What the backward pass keeps from the forward pass. */
public enum Checkpoint {
  /** Keep every intermediate the backward pass reads: least compute, most memory. */
  STORE,
  /**
   * Keep only the operands; before each backward step recompute the intermediates it reads and
   * drop them right after: more compute, a peak no larger than one forward chain.
   */
  RECOMPUTE
}
