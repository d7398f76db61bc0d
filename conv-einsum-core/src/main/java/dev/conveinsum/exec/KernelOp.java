package dev.conveinsum.exec;

import dev.conveinsum.engine.ConvProblem;

/**
 * The atomic kernel: {@code y = conv(x, f)} of a {@link ConvProblem}, run by the plan's engine.
 * The slot layouts carry virtual positions that make {@code pos(x) + pos(f) = pos(y)} (modulo
 * the period) hold along each convolved axis, so the backward pass can be compiled as two more
 * pairwise steps.
 */
final class KernelOp implements Op {
  final int x;
  final int f;
  final int y;
  final ConvProblem problem;
  final int[] convIds;
  final int[] periods;

  KernelOp(int x, int f, int y, ConvProblem problem, int[] convIds, int[] periods) {
    this.x = x;
    this.f = f;
    this.y = y;
    this.problem = problem;
    this.convIds = convIds;
    this.periods = periods;
  }

  @Override
  public int[] inputs() {
    return new int[] {x, f};
  }

  @Override
  public int output() {
    return y;
  }

  @Override
  public void run(Runtime rt) {
    rt.stats().flops += 2 * problem.multiplyAdds();
    if (rt.dry()) {
      rt.allocate(y, problem.outputSize(), false);
      return;
    }
    Object xs = rt.get(x);
    Object fs = rt.get(f);
    Object ys = rt.allocate(y, problem.outputSize(), false);
    if (ys instanceof double[] yd) {
      rt.engine().conv(problem, (double[]) xs, (double[]) fs, yd, rt.threads());
    } else {
      rt.engine().conv(problem, (float[]) xs, (float[]) fs, (float[]) ys, rt.threads());
    }
  }
}
