package dev.conveinsum.expr;

import java.util.List;

/**
 * One comma-separated input of an expression, or its output: indices with at most one ellipsis.
 *
 * @param indices the labelled indices in order, without the ellipsis
 * @param ellipsisAt the position in {@code indices} before which the ellipsis stands, or -1 when
 *     the term has none
 */
public record Term(List<Index> indices, int ellipsisAt) {

  /** Copies the indices and checks the ellipsis position. */
  public Term {
    indices = List.copyOf(indices);
    if (ellipsisAt < -1 || ellipsisAt > indices.size()) {
      throw new IllegalArgumentException("ellipsis position " + ellipsisAt + " out of range");
    }
  }

  /** Returns whether the term has an ellipsis. */
  public boolean hasEllipsis() {
    return ellipsisAt >= 0;
  }

  /** Returns whether the index occurs in this term. */
  public boolean contains(Index index) {
    return indices.contains(index);
  }

  /** Returns the term as written: {@code b...hw}, {@code (t1)s}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= indices.size(); i++) {
      if (i == ellipsisAt) {
        sb.append("...");
      }
      if (i < indices.size()) {
        sb.append(indices.get(i));
      }
    }
    return sb.toString();
  }
}
