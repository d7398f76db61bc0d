package dev.conveinsum.expr;

/** Whether filters are flipped (true convolution) or not (the deep-learning convention). */
public enum ConvKind {
  /** Filters are flipped: commutative and associative; the paper's choice and the default. */
  CONVOLUTION,
  /** Filters are not flipped; matches PyTorch {@code conv*d} weights. */
  CROSS_CORRELATION
}
