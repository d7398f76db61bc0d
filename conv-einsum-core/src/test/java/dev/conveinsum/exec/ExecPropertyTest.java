package dev.conveinsum.exec;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random expressions x random paths: the compiled plan equals the reference evaluator, forward
 * and every operand's gradient, under both checkpoint modes.
 */
class ExecPropertyTest {
  private static final List<Engine> ENGINES = dev.conveinsum.engine.Engines.all();

  /** How many cases ran free axes of a conv step as one-tap convolved axes (last check). */
  private static int oneTap;
  /** How many cases computed a depthwise filter gradient in place. */
  private static int filterGradients;
  /** How many cases ran summed axes leading both GEMM operands as groups, then summed. */
  private static int groupedSums;
  /** How many cases ran summed axes leading both operands of a conv step as groups. */
  private static int convGroupedSums;

  /**
   * Runs the cases; returns how many ran a depthwise step in place (forward or backward), so
   * that tests can assert that the random cases exercise that path.
   */
  private static int check(Settings settings, long seed, int cases) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int depthwise = 0;
    oneTap = 0;
    filterGradients = 0;
    groupedSums = 0;
    convGroupedSums = 0;
    for (int i = 0; i < cases; i++) {
      RandomExpressions.Case c = RandomExpressions.next(rnd, settings);
      BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
          c.convOptions(), c.shapes());
      List<Tensor> ops = c.operands(i);
      Tensor want = ReferenceEvaluator.evaluate(b, ops);
      Tensor grad = Tensor.random(DType.FLOAT64, 1000 + i, b.outputShape());
      List<Tensor> wantGrads = ReferenceEvaluator.vjp(b, ops, grad);
      int[][] path = ExecGoldenTest.randomPath(ops.size(), rnd);
      String what = "case " + i + ": " + c + " path " + Arrays.deepToString(path);
      CompiledProgram plan = CompiledProgram.compile(b, path, null);
      boolean[] all = new boolean[ops.size()];
      Arrays.fill(all, true);
      List<Op> program = Lowering.compile(b, path, all).program().ops;
      if (program.stream().anyMatch(o -> o instanceof KernelOp k && k.depthwise != null)) {
        depthwise++;
      }
      if (program.stream().anyMatch(o -> o instanceof KernelOp k && k.filterGradient)) {
        filterGradients++;
      }
      if (program.stream().anyMatch(o -> o instanceof KernelOp k
          && Arrays.stream(k.convIds).anyMatch(id -> !b.isConv(id)))) {
        oneTap++;
      }
      if (program.stream().anyMatch(o -> o instanceof KernelOp k && k.summedGroups)) {
        convGroupedSums++;
      }
      for (int o = 0; o + 1 < program.size(); o++) {
        if (program.get(o) instanceof KernelOp k && k.problem != null
            && k.problem.dims().isEmpty() && program.get(o + 1) instanceof LinearMap m
            && !m.gather && m.in == k.y) {
          groupedSums++;
          break;
        }
      }
      Checkpoint mode = Checkpoint.values()[i % 2];
      Engine engine = ENGINES.get(i % ENGINES.size());
      Execution e = plan.execute(ops, grad, new RunOptions(engine, 1 + i % 2, mode));
      what += " on " + engine.name();
      assertClose(want, e.output(), Tolerance.FLOAT64, what);
      for (int k = 0; k < ops.size(); k++) {
        assertClose(wantGrads.get(k), e.gradients().get(k), Tolerance.FLOAT64,
            what + " grad " + k + " " + mode);
      }
    }
    return depthwise;
  }

  /** Every optimizer's path, executed, equals the reference (convolutions included). */
  @Test
  void everyOptimizerPathEvaluatesToTheReference() {
    SplittableRandom rnd = new SplittableRandom(14);
    for (int i = 0; i < 60; i++) {
      RandomExpressions.Case c = RandomExpressions.next(rnd, Settings.CONV.withOperands(2, 5));
      BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
          c.convOptions(), c.shapes());
      List<Tensor> ops = c.operands(i);
      Tensor want = ReferenceEvaluator.evaluate(b, ops);
      for (String name : dev.conveinsum.plan.search.Optimizers.names()) {
        var plan = dev.conveinsum.plan.search.Planner.plan(b,
            dev.conveinsum.plan.PlanOptions.optimizer(name));
        CompiledProgram compiled = CompiledProgram.compile(b,
            plan.path().pairs().toArray(int[][]::new), null);
        Tensor got = compiled.execute(ops, null,
            new RunOptions(ENGINES.get(0), 2, Checkpoint.STORE)).output();
        assertClose(want, got, Tolerance.FLOAT64, name + " on " + c + " path " + plan.path());
      }
    }
  }

  @Test
  void plainEinsumOnRandomPaths() {
    check(Settings.EINSUM, 11, 300);
    assertTrue(groupedSums >= 50, "only " + groupedSums + " cases summed GEMM groups");
  }

  @Test
  void convolutionsOnRandomPaths() {
    int depthwise = check(Settings.CONV, 12, 300);
    // 45 of these 300 cases run a depthwise step in place (their filter holds only group and
    // convolved indices): the layout-preserving kernel is checked against the reference
    assertTrue(depthwise >= 30, "only " + depthwise + " cases ran a depthwise step in place");
    // 39 (42 below) compute a depthwise filter's gradient in place, checked by the vjp
    assertTrue(filterGradients >= 20, "only " + filterGradients + " depthwise filter gradients");
    // and 26 (33 below) read X in place by running its trailing free axes as one-tap conv axes
    assertTrue(oneTap >= 15, "only " + oneTap + " cases ran free axes as one-tap conv axes");
    // 55 ran a GEMM with summed leading axes as groups (then summed), 100 of the einsum cases
    assertTrue(groupedSums >= 30, "only " + groupedSums + " cases summed GEMM groups");
    // 9 ran a conv step with summed leading axes as groups: see also the next test
    assertTrue(convGroupedSums >= 5, "only " + convGroupedSums + " conv steps summed groups");
  }

  /**
   * Weight gradients of image layers, {@code b} leading both the input and the output
   * gradient: the conv step runs b as groups and sums them (no transposes), and equals the
   * reference for random sizes, channel counts and both checkpoint modes.
   */
  @Test
  void weightGradientsSumBatchGroups() {
    SplittableRandom rnd = new SplittableRandom(15);
    String[] exprs = {"bshw,tshw->bthw|hw", "bsw,tsw->btw|w", "bshw,rs,rhw,rt->bthw|hw"};
    for (int i = 0; i < 24; i++) {
      String expr = exprs[i % exprs.length];
      BoundExpression b = BoundExpression.bind(Expression.parse(expr),
          dev.conveinsum.expr.ConvOptions.DEFAULT, shapes(expr, rnd));
      List<Tensor> ops = new java.util.ArrayList<>();
      for (int k = 0; k < b.operandCount(); k++) {
        ops.add(Tensor.random(DType.FLOAT64, 50 + 10 * i + k, b.shape(k)));
      }
      Tensor grad = Tensor.random(DType.FLOAT64, 7 + i, b.outputShape());
      List<Tensor> want = ReferenceEvaluator.vjp(b, ops, grad);
      int[][] path = ExecGoldenTest.randomPath(ops.size(), rnd);
      boolean[] all = new boolean[ops.size()];
      Arrays.fill(all, true);
      // the two-operand layers always take it (the CP-like one where its path allows)
      boolean summed = Lowering.compile(b, path, all).program().ops.stream()
          .anyMatch(o -> o instanceof KernelOp k && k.summedGroups);
      assertTrue(summed || i % exprs.length == 2, expr + " case " + i);
      Execution e = CompiledProgram.compile(b, path, null).execute(ops, grad,
          new RunOptions(ENGINES.get(i % ENGINES.size()), 1 + i % 2,
              Checkpoint.values()[i % 2]));
      for (int k = 0; k < ops.size(); k++) {
        assertClose(want.get(k), e.gradients().get(k), Tolerance.FLOAT64,
            expr + " case " + i + " grad " + k);
      }
    }
  }

  private static List<long[]> shapes(String expr, SplittableRandom rnd) {
    java.util.Map<Character, Long> size = new java.util.HashMap<>();
    size.put('b', 2L + rnd.nextInt(3));
    size.put('s', 1L + rnd.nextInt(4));
    size.put('t', 1L + rnd.nextInt(4));
    size.put('r', 1L + rnd.nextInt(3));
    List<long[]> out = new java.util.ArrayList<>();
    String[] terms = expr.split("->")[0].split(",");
    for (int k = 0; k < terms.length; k++) {
      String term = terms[k];
      long[] shape = new long[term.length()];
      for (int a = 0; a < term.length(); a++) {
        char c = term.charAt(a);
        // image operand (k = 0) 5-8 long along h, w; filters 1-3
        shape[a] = c == 'h' || c == 'w' ? (k == 0 ? 5 + rnd.nextInt(4) : 1 + rnd.nextInt(3))
            : size.get(c);
      }
      out.add(shape);
    }
    return out;
  }

  @Test
  void manyWayConvolutionsWithFiveOperands() {
    int depthwise = check(Settings.CONV.withOperands(3, 5).withMaxWork(6000), 13, 200);
    assertTrue(depthwise >= 30, "only " + depthwise + " cases ran a depthwise step in place");
    assertTrue(filterGradients >= 20, "only " + filterGradients + " depthwise filter gradients");
    // 39 (42 below) compute a depthwise filter's gradient in place, checked by the vjp
    assertTrue(filterGradients >= 20, "only " + filterGradients + " depthwise filter gradients");
    // and 26 (33 below) read X in place by running its trailing free axes as one-tap conv axes
    assertTrue(oneTap >= 15, "only " + oneTap + " cases ran free axes as one-tap conv axes");
  }
}
