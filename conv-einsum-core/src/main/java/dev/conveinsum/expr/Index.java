package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;

/**
 * One index of an expression: a single letter such as {@code h}, or a parenthesised name such as
 * {@code (t1)}. {@code (a)} and {@code a} are the same index.
 *
 * @param name the index name, without parentheses
 */
public record Index(String name) implements Comparable<Index> {

  /** Validates the name: letters, digits and underscores, at least one character. */
  public Index {
    if (name == null || name.isEmpty()) {
      throw new ConvEinsumException("an index name needs at least one character");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(isLetter(c) || (c >= '0' && c <= '9') || c == '_')) {
        throw new ConvEinsumException("index name '" + name + "' has the character '" + c
            + "'; names hold letters, digits and '_'");
      }
    }
  }

  static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Compares by Unicode code point, the order of implicit outputs ({@code t < t1 < u}). */
  @Override
  public int compareTo(Index other) {
    return name.compareTo(other.name);
  }

  /** Returns the index as written in an expression: {@code h} or {@code (t1)}. */
  @Override
  public String toString() {
    return name.length() == 1 && isLetter(name.charAt(0)) ? name : "(" + name + ")";
  }
}
