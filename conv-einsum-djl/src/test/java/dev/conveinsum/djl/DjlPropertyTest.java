package dev.conveinsum.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random expressions x random paths: the DJL backend's output equals the JVM engine's on the
 * same path, and DJL's autograd gradients equal {@link ConvEinsum#vjp}'s, in float64 (1e-9) and
 * float32 (1e-4).
 */
class DjlPropertyTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static Path randomPath(int n, SplittableRandom rnd) {
    List<int[]> p = new ArrayList<>();
    for (int live = n; live > 1; live--) {
      int a = rnd.nextInt(live);
      int b = rnd.nextInt(live - 1);
      p.add(new int[] {a, b >= a ? b + 1 : b});
    }
    return Path.of(p);
  }

  private static void check(Settings settings, long seed, int cases) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < cases; i++) {
      RandomExpressions.Case c = RandomExpressions.next(rnd, settings);
      BoundExpression b = ConvEinsum.bind(c.expression(), c.convOptions(), c.shapes());
      List<Tensor> ops = c.operands(i);
      Path path = randomPath(ops.size(), rnd);
      String what = "case " + i + ": " + c + " path " + path;
      PlanInfo info = ConvEinsum.plan(b, path, PlanOptions.DEFAULT);
      Tensor want = ConvEinsum.compile(info).execute(ops, null, ConvEinsum.defaults()).output();
      Tensor grad = Tensor.random(DType.FLOAT64, 1000 + i, b.outputShape());
      List<Tensor> wantGrads = ConvEinsum.vjp(c.expression(), c.convOptions(), ops, grad);
      DjlPlan plan = DjlEinsum.forPlan(info);
      DType dtype = i % 3 == 2 ? DType.FLOAT32 : DType.FLOAT64;
      double tol = dtype == DType.FLOAT64 ? Tolerance.FLOAT64 : Tolerance.FLOAT32;
      try (NDManager m = manager.newSubManager()) {
        NDArray[] xs = new NDArray[ops.size()];
        for (int k = 0; k < xs.length; k++) {
          xs[k] = DjlTensors.toNDArray(m, ops.get(k).to(dtype));
          xs[k].setRequiresGradient(true);
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray y = plan.apply(xs);
          Tolerance.assertClose(want, DjlTensors.toTensor(y).to(DType.FLOAT64), tol,
              what + " " + dtype);
          gc.backward(y.mul(DjlTensors.toNDArray(m, grad.to(dtype))).sum());
        }
        for (int k = 0; k < xs.length; k++) {
          Tolerance.assertClose(wantGrads.get(k), DjlTensors.toTensor(xs[k].getGradient())
              .to(DType.FLOAT64), tol, what + " " + dtype + " gradient " + k);
        }
      }
    }
  }

  @Test
  void plainEinsumOnRandomPaths() {
    check(Settings.EINSUM, 21, 120);
  }

  @Test
  void convolutionsOnRandomPaths() {
    check(Settings.CONV, 22, 150);
  }

  @Test
  void manyWayConvolutionsWithFiveOperands() {
    check(Settings.CONV.withOperands(3, 5).withMaxWork(6000), 23, 60);
  }

  /** Up to five convolution indices: steps beyond three convolved axes take the im2col route. */
  @Test
  void moreConvolvedAxesThanDjlConvolutionsTake() {
    check(new Settings(2, 3, 2, 2, 5, 3, 2, false, false, false, 4000), 24, 60);
  }
}
