package dev.conveinsum;

import dev.conveinsum.expr.BoundExpression;

/** Chooses the path a compiled plan uses (the planner's optimum). */
final class Paths {
  private Paths() {}

  static int[][] choose(BoundExpression bound, boolean[] trainable) {
    int n = bound.operandCount();
    int[][] p = new int[Math.max(0, n - 1)][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new int[] {0, i == 0 ? 1 : n - 1 - i};
    }
    return p;
  }
}
