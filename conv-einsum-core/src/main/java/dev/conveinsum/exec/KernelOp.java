package dev.conveinsum.exec;

import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.DepthwiseProblem;

/**
 * The atomic kernel: {@code y = conv(x, f)} of a {@link ConvProblem}, run by the plan's engine.
 * The slot layouts carry virtual positions that make {@code pos(x) + pos(f) = pos(y)} (modulo
 * the period) hold along each convolved axis, so the backward pass can be compiled as two more
 * pairwise steps. A depthwise step runs as a {@link DepthwiseProblem} on X's own layout instead
 * ({@code problem} is then null).
 */
final class KernelOp implements Op {
  final int x;
  final int f;
  final int y;
  final ConvProblem problem;
  final int[] convIds;
  final int[] periods;
  final DepthwiseProblem depthwise;
  /**
   * With {@code depthwise}: this computes the filter gradient of that convolution instead, with
   * {@code x} its input, {@code f} its output gradient and {@code y} the filter gradient.
   */
  final boolean filterGradient;
  /**
   * Convolved ids that are free axes of X run with a one-tap filter (X read in place); the
   * filter's gradient sums over them instead of convolving.
   */
  int[] oneTapIds = new int[0];
  /**
   * The leading axes of both operands that the step sums over ran as the problem's groups, and
   * the engine sums the groups' products ({@link dev.conveinsum.engine.Engine#convSumGroups}):
   * {@code y} has no group axis.
   */
  boolean summedGroups;

  KernelOp(int x, int f, int y, ConvProblem problem, int[] convIds, int[] periods) {
    this(x, f, y, problem, null, false, convIds, periods);
  }

  KernelOp(int x, int f, int y, DepthwiseProblem depthwise, int[] convIds, int[] periods) {
    this(x, f, y, null, depthwise, false, convIds, periods);
  }

  /** The filter gradient of a depthwise step: {@code df} from its input and output gradient. */
  static KernelOp filterGradient(int x, int dy, int df, DepthwiseProblem depthwise) {
    return new KernelOp(x, dy, df, null, depthwise, true, new int[0], new int[0]);
  }

  private KernelOp(int x, int f, int y, ConvProblem problem, DepthwiseProblem depthwise,
      boolean filterGradient, int[] convIds, int[] periods) {
    this.filterGradient = filterGradient;
    this.x = x;
    this.f = f;
    this.y = y;
    this.problem = problem;
    this.depthwise = depthwise;
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
    long outSize = filterGradient ? depthwise.filterSize()
        : depthwise != null ? depthwise.outputSize()
        : summedGroups ? (long) problem.batch() * problem.outChannels() * problem.outputSpatial()
        : problem.outputSize();
    rt.stats().flops += 2 * (depthwise != null ? depthwise.multiplyAdds()
        : problem.multiplyAdds());
    if (rt.dry()) {
      rt.allocate(y, outSize, false);
      return;
    }
    Object xs = rt.get(x);
    Object fs = rt.get(f);
    Object ys = rt.allocate(y, outSize, false);
    if (filterGradient) {
      if (ys instanceof double[] yd) {
        rt.engine().depthwiseFilterGradient(depthwise, (double[]) fs, (double[]) xs, yd,
            rt.threads());
      } else {
        rt.engine().depthwiseFilterGradient(depthwise, (float[]) fs, (float[]) xs, (float[]) ys,
            rt.threads());
      }
      return;
    }
    if (depthwise != null) {
      if (ys instanceof double[] yd) {
        rt.engine().depthwise(depthwise, (double[]) xs, (double[]) fs, yd, rt.threads());
      } else {
        rt.engine().depthwise(depthwise, (float[]) xs, (float[]) fs, (float[]) ys,
            rt.threads());
      }
      return;
    }
    if (summedGroups) {
      if (ys instanceof double[] yd) {
        rt.engine().convSumGroups(problem, (double[]) xs, (double[]) fs, yd, rt.threads());
      } else {
        rt.engine().convSumGroups(problem, (float[]) xs, (float[]) fs, (float[]) ys,
            rt.threads());
      }
      return;
    }
    if (ys instanceof double[] yd) {
      rt.engine().conv(problem, (double[]) xs, (double[]) fs, yd, rt.threads());
    } else {
      rt.engine().conv(problem, (float[]) xs, (float[]) fs, (float[]) ys, rt.threads());
    }
  }
}
