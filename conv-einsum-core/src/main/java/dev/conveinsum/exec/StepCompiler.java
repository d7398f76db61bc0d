package dev.conveinsum.exec;

import java.util.Map;

/**
 * Lowers one generalised pairwise step to instructions: {@code W[w] = sum U[a] V[b]} over the
 * indices not kept, where along every convolved index the positions satisfy
 * {@code a + b = w} (or {@code a + b = w mod period}).
 *
 * <p>Forward steps, and both halves of every backward step, are instances: the gradient of a
 * convolution with respect to one operand convolves the output gradient with the other operand
 * at negated positions. Each step becomes at most a few data movements (self-sums, reversal,
 * dilation, circular folding, permutation to the kernel layout) and one kernel problem ({@code ConvProblem} or {@code DepthwiseProblem}).
 */
final class StepCompiler {
  private StepCompiler() {}

  /** Where the result of a convolved index sits: positions {@code start + step*e}, e < length. */
  record OutAxis(int start, int step, int length, int period) {}

  /**
   * Compiles a step.
   *
   * @param pb the program being built
   * @param u first operand slot
   * @param v second operand slot
   * @param outIds the ids the result keeps (conv ids summed after convolving excluded)
   * @param exact whether the result must have exactly the order of {@code outIds}; otherwise
   *     the kernel's natural order is kept
   * @param conv the convolved ids (held by both operands) and where their results sit
   * @return the result slot
   */
  static int pairStep(ProgramBuilder pb, int u, int v, int[] outIds, boolean exact,
      Map<Integer, OutAxis> conv) {
    u = reduceUnused(pb, u, v, outIds, conv);
    v = reduceUnused(pb, v, u, outIds, conv);
    if (conv.isEmpty()) {
      return GemmStepCompiler.compile(pb, u, v, outIds, exact);
    }
    return ConvStepCompiler.compile(pb, u, v, outIds, exact, conv);
  }

  /** Sums the axes of {@code s} that neither the other operand nor the result holds. */
  private static int reduceUnused(ProgramBuilder pb, int s, int other, int[] outIds,
      Map<Integer, OutAxis> conv) {
    Layout o = pb.layout(other);
    boolean again = true;
    while (again) {
      again = false;
      Layout l = pb.layout(s);
      for (int a = 0; a < l.rank(); a++) {
        int id = l.ids[a];
        if (!o.has(id) && !StepIds.contains(outIds, id) && !conv.containsKey(id)) {
          s = pb.reduce(s, a);
          again = true;
          break;
        }
      }
    }
    return s;
  }

  /** Whether {@code a} holds {@code v}. */
  static boolean contains(int[] a, int v) {
    return StepIds.contains(a, v);
  }
}
