package dev.conveinsum.plan;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.PathCost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A contraction path in opt_einsum notation (SPEC section 4): a list of pairs {@code [i, j]} of
 * positions in the current operand list; both operands are removed and their result appended at
 * the end. A path of an n-operand expression has n - 1 steps. Immutable.
 */
public final class Path {
  private static final Path EMPTY = new Path(new int[0][]);
  private final int[][] steps;

  private Path(int[][] steps) {
    this.steps = steps;
  }

  /**
   * Returns a path of the given pairs (copied); structure only, see {@link #validate(int)}.
   *
   * @param pairs the steps, each of two positions
   * @return the path
   * @throws ConvEinsumException when a step does not have two positions or names a negative one
   */
  public static Path of(List<int[]> pairs) {
    int[][] s = new int[pairs.size()][];
    for (int k = 0; k < s.length; k++) {
      int[] p = pairs.get(k);
      if (p == null || p.length != 2) {
        throw new ConvEinsumException("step " + k + " of the path must name two positions, got "
            + (p == null ? "nothing" : Arrays.toString(p)));
      }
      if (p[0] < 0 || p[1] < 0) {
        throw new ConvEinsumException("step " + k + " of the path, " + Arrays.toString(p)
            + ", names a negative position");
      }
      s[k] = p.clone();
    }
    return new Path(s);
  }

  /**
   * Returns a path of the given pairs, e.g. {@code Path.of(0, 1, 0, 1)} for
   * {@code [[0,1],[0,1]]}.
   *
   * @param positions an even number of positions, two per step
   * @return the path
   */
  public static Path of(int... positions) {
    if (positions.length % 2 != 0) {
      throw new ConvEinsumException("a path needs two positions per step, got "
          + positions.length + " positions");
    }
    List<int[]> l = new ArrayList<>();
    for (int k = 0; k < positions.length; k += 2) {
      l.add(new int[] {positions[k], positions[k + 1]});
    }
    return of(l);
  }

  /** Returns the empty path (a single operand needs no step). */
  public static Path empty() {
    return EMPTY;
  }

  /**
   * Returns the naive, strictly left-to-right path {@code [[0,1],[0,n-2],...,[0,1]]}.
   *
   * @param n the number of operands (at least 1)
   * @return the naive path
   */
  public static Path naive(int n) {
    if (n < 1) {
      throw new ConvEinsumException("a path needs at least one operand, got " + n);
    }
    int[][] s = new int[n - 1][];
    for (int k = 0; k < n - 1; k++) {
      s[k] = k == 0 ? new int[] {0, 1} : new int[] {0, n - 1 - k};
    }
    return new Path(s);
  }

  /**
   * Parses the text form {@code "[[0,1],[0,2]]"} (whitespace and round brackets allowed, so
   * opt_einsum's {@code "[(0, 1), (0, 2)]"} parses too).
   *
   * @param text the path
   * @return the path
   * @throws ConvEinsumException naming the (1-based) column of the first malformed character
   */
  public static Path parse(String text) {
    if (text == null) {
      throw new ConvEinsumException("the path is missing");
    }
    String s = text.replace('(', '[').replace(')', ']');
    int[] pos = {0};
    skipSpace(s, pos);
    expect(s, pos, '[', text);
    List<int[]> pairs = new ArrayList<>();
    skipSpace(s, pos);
    if (pos[0] < s.length() && s.charAt(pos[0]) == ']') {
      pos[0]++;
    } else {
      while (true) {
        skipSpace(s, pos);
        expect(s, pos, '[', text);
        int a = number(s, pos, text);
        skipSpace(s, pos);
        expect(s, pos, ',', text);
        int b = number(s, pos, text);
        skipSpace(s, pos);
        expect(s, pos, ']', text);
        pairs.add(new int[] {a, b});
        skipSpace(s, pos);
        if (pos[0] < s.length() && s.charAt(pos[0]) == ',') {
          pos[0]++;
          continue;
        }
        expect(s, pos, ']', text);
        break;
      }
    }
    skipSpace(s, pos);
    if (pos[0] != s.length()) {
      throw new ConvEinsumException("unexpected '" + s.charAt(pos[0]) + "' after the path \""
          + text + "\" (at column " + (pos[0] + 1) + ")");
    }
    return of(pairs);
  }

  private static void skipSpace(String s, int[] pos) {
    while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) {
      pos[0]++;
    }
  }

  private static void expect(String s, int[] pos, char c, String text) {
    skipSpace(s, pos);
    if (pos[0] >= s.length() || s.charAt(pos[0]) != c) {
      throw new ConvEinsumException("malformed path \"" + text + "\": expected '" + c + "' at"
          + " column " + (pos[0] + 1) + (pos[0] >= s.length() ? " (end of text)"
              : ", found '" + s.charAt(pos[0]) + "'") + "; write e.g. [[0,1],[0,2]]");
    }
    pos[0]++;
  }

  private static int number(String s, int[] pos, String text) {
    skipSpace(s, pos);
    int start = pos[0];
    while (pos[0] < s.length() && Character.isDigit(s.charAt(pos[0]))) {
      pos[0]++;
    }
    if (start == pos[0] || pos[0] - start > 9) {
      throw new ConvEinsumException("malformed path \"" + text + "\": expected a position (a"
          + " non-negative integer) at column " + (start + 1) + "; write e.g. [[0,1],[0,2]]");
    }
    return Integer.parseInt(s.substring(start, pos[0]));
  }

  /**
   * Checks the path against an expression of {@code n} operands: n - 1 steps, each naming two
   * distinct positions of the list as it is at that step.
   *
   * @param n the number of operands
   * @return this path
   * @throws ConvEinsumException naming the step and position at fault
   */
  public Path validate(int n) {
    if (steps.length != Math.max(0, n - 1)) {
      throw new ConvEinsumException("the path has " + steps.length + " step"
          + (steps.length == 1 ? "" : "s") + " but " + n + " operand" + (n == 1 ? "" : "s")
          + " need " + Math.max(0, n - 1) + ": " + this);
    }
    for (int k = 0; k < steps.length; k++) {
      int m = n - k;
      int i = steps[k][0];
      int j = steps[k][1];
      if (i >= m || j >= m) {
        throw new ConvEinsumException("step " + k + " of the path, [" + i + "," + j
            + "], names position " + Math.max(i, j) + " but only " + m + " operand"
            + (m == 1 ? " is" : "s are") + " left (positions 0.." + (m - 1) + ")");
      }
      if (i == j) {
        throw new ConvEinsumException("step " + k + " of the path, [" + i + "," + j
            + "], names the same position twice");
      }
    }
    return this;
  }

  /** Returns the number of steps. */
  public int size() {
    return steps.length;
  }

  /** Returns the pair of step {@code k} (a copy). */
  public int[] step(int k) {
    return steps[k].clone();
  }

  /** Returns copies of all pairs. */
  public List<int[]> pairs() {
    List<int[]> l = new ArrayList<>();
    for (int[] s : steps) {
      l.add(s.clone());
    }
    return l;
  }

  /**
   * Returns this path's cost under a model.
   *
   * @param model the cost model of the expression
   * @return the cost
   */
  PathCost cost(CostModel model) {
    validate(model.operandCount());
    return model.evaluate(pairs());
  }

  /** Paths are equal when their pairs are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Path p && Arrays.deepEquals(steps, p.steps);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(steps);
  }

  /** Returns the text form {@code [[0,1],[0,2]]}, which {@link #parse(String)} reads back. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int k = 0; k < steps.length; k++) {
      sb.append(k == 0 ? "" : ",").append('[').append(steps[k][0]).append(',')
          .append(steps[k][1]).append(']');
    }
    return sb.append(']').toString();
  }
}
