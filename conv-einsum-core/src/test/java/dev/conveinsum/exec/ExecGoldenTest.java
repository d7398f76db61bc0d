package dev.conveinsum.exec;

import static dev.conveinsum.testing.Tolerance.assertClose;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.GoldenCases.Case;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExecGoldenTest {

  static Stream<Case> cases() {
    return GoldenCases.all().stream();
  }

  static int[][] naive(int n) {
    int[][] p = new int[Math.max(0, n - 1)][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new int[] {0, i == 0 ? 1 : n - 1 - i};
    }
    return p;
  }

  static int[][] randomPath(int n, SplittableRandom rnd) {
    int[][] p = new int[Math.max(0, n - 1)][];
    int live = n;
    for (int i = 0; i < p.length; i++) {
      int a = rnd.nextInt(live);
      int b = rnd.nextInt(live - 1);
      if (b >= a) {
        b++;
      }
      p[i] = new int[] {a, b};
      live--;
    }
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyPathMatchesGoldenInFloat64AndFloat32(Case c) {
    BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()), c.options(),
        c.shapes());
    int n = c.operands().size();
    List<int[][]> paths = new ArrayList<>();
    paths.add(naive(n));
    SplittableRandom rnd = new SplittableRandom(c.name().hashCode());
    for (int i = 0; i < 4; i++) {
      paths.add(randomPath(n, rnd));
    }
    for (Engine engine : dev.conveinsum.engine.Engines.all()) {
      check(c, b, paths, engine);
    }
  }

  private static void check(Case c, BoundExpression b, List<int[][]> paths, Engine engine) {
    int n = c.operands().size();
    RunOptions opts = new RunOptions(engine, 2, Checkpoint.STORE);
    for (int[][] path : paths) {
      String what = c.name() + " on " + engine.name() + " path "
          + java.util.Arrays.deepToString(path);
      CompiledProgram plan = CompiledProgram.compile(b, path, null);
      Execution e = plan.execute(c.operands(), c.gradOutput(), opts);
      assertClose(c.expected(), e.output(), Tolerance.FLOAT64, what);
      if (c.hasGrads()) {
        for (int k = 0; k < n; k++) {
          assertClose(c.expectedGrads().get(k), e.gradients().get(k), Tolerance.FLOAT64,
              what + " grad " + k);
        }
        Execution r = plan.execute(c.operands(), c.gradOutput(),
            new RunOptions(engine, 2, Checkpoint.RECOMPUTE));
        for (int k = 0; k < n; k++) {
          assertClose(c.expectedGrads().get(k), r.gradients().get(k), Tolerance.FLOAT64,
              what + " recompute grad " + k);
        }
      }
      List<Tensor> f32 = c.operands().stream().map(t -> t.to(DType.FLOAT32)).toList();
      Execution e32 = plan.execute(f32, null, opts);
      assertClose(c.expected(), e32.output(), Tolerance.FLOAT32, what + " float32");
    }
  }
}
