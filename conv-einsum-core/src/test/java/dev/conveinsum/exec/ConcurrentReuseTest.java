package dev.conveinsum.exec;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * One compiled plan called at the same time from several threads, each with its own inputs:
 * every call must match the reference evaluator (so no two calls ever share a recycled buffer),
 * and what a call returned must stay as it was while later calls, on any thread, reuse the
 * plan's workspace.
 */
class ConcurrentReuseTest {
  private static final int THREADS = 4;

  /** What one call returned, a copy taken when it returned, and the reference values. */
  private record Kept(String what, Execution execution, List<double[]> copy, Tensor want,
      List<Tensor> wantGrads) {}

  @Test
  void randomPlansCalledFromSeveralThreadsMatchTheReferenceAndKeepEarlierResults()
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(20261129);
    Engine cpu = Engines.get("cpu");
    for (int i = 0; i < 24; i++) {
      RandomExpressions.Case c = RandomExpressions.next(rnd, Settings.CONV.withOperands(1, 4));
      BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
          c.convOptions(), c.shapes());
      int[][] path = ExecGoldenTest.randomPath(b.operandCount(), rnd);
      CompiledProgram plan = CompiledProgram.compile(b, path, null);
      String what = "case " + i + ": " + c + " path " + Arrays.deepToString(path);
      int base = 1000 * i;
      hammer(plan, b, what, 5, call -> c.operands(base + call), DType.FLOAT64, cpu,
          Tolerance.FLOAT64);
    }
  }

  /** A CP layer (the bars workload's form, small), float32, 2 kernel threads per call. */
  @Test
  void cpLayerInFloat32CalledFromSeveralThreads() throws Exception {
    BoundExpression b = BoundExpression.bind(Expression.parse("bshw,rt,rs,rh,rw->bthw|hw"),
        ConvOptions.fromMap(Map.of("kind", "CROSS_CORRELATION", "conv", Map.of(
            "h", Map.of("padding", "SAME"), "w", Map.of("padding", "SAME")))),
        List.of(new long[] {4, 16, 8, 8}, new long[] {6, 12}, new long[] {6, 16},
            new long[] {6, 3}, new long[] {6, 3}));
    CompiledProgram plan = CompiledProgram.compile(b, new int[][] {{0, 2}, {3, 2}, {2, 1},
        {1, 0}}, null);
    hammer(plan, b, "CP", 6, call -> {
      List<Tensor> ops = new ArrayList<>();
      for (int k = 0; k < b.operandCount(); k++) {
        ops.add(Tensor.random(DType.FLOAT32, 77L * call + k, b.shape(k)));
      }
      return ops;
    }, DType.FLOAT32, Engines.get("cpu"), Tolerance.FLOAT32);
  }

  /**
   * Runs {@code calls} calls on each of {@link #THREADS} threads, the threads released together
   * before every call; call kinds rotate through forward, STORE and RECOMPUTE backward, and 1 or
   * 2 kernel threads. Checks each result on return and all of them again at the end.
   */
  private static void hammer(CompiledProgram plan, BoundExpression b, String what, int calls,
      IntFunction<List<Tensor>> inputs, DType dtype, Engine engine, double tol)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<List<Kept>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          List<Kept> kept = new ArrayList<>();
          try {
            for (int call = 0; call < calls; call++) {
              int id = thread * calls + call;
              List<Tensor> ops = inputs.apply(id);
              int kind = (thread + call) % 3;
              Tensor grad = kind == 0 ? null
                  : Tensor.random(dtype, 5000L + id, b.outputShape());
              RunOptions options = new RunOptions(engine, 1 + (thread + call) % 2,
                  kind == 2 ? Checkpoint.RECOMPUTE : Checkpoint.STORE);
              String w = what + " thread " + thread + " call " + call;
              start.await(30, TimeUnit.SECONDS);
              Execution e = plan.execute(ops, grad, options);
              Tensor want = ReferenceEvaluator.evaluate(b, ops);
              List<Tensor> wantGrads = grad == null ? List.of()
                  : ReferenceEvaluator.vjp(b, ops, grad);
              check(w, e, want, wantGrads, tol);
              kept.add(new Kept(w, e, snapshot(e), want, wantGrads));
            }
          } catch (Throwable failure) {
            start.reset(); // the others stop waiting for this thread
            throw failure;
          }
          return kept;
        }));
      }
      List<Kept> all = new ArrayList<>();
      Throwable first = null;
      for (Future<List<Kept>> f : futures) {
        try {
          all.addAll(f.get(120, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          // report the thread that failed, not the ones its failure released from the barrier
          if (first == null || first instanceof BrokenBarrierException
              || first instanceof TimeoutException) {
            first = e.getCause();
          }
        }
      }
      if (first instanceof Error err) {
        throw err;
      }
      if (first != null) {
        throw new AssertionError(what + ": a calling thread failed", first);
      }
      assertEquals(THREADS * calls, all.size());
      for (Kept k : all) {
        List<double[]> now = snapshot(k.execution());
        for (int j = 0; j < now.size(); j++) {
          assertArrayEquals(k.copy().get(j), now.get(j), k.what() + ": returned tensor " + j
              + " was changed by a later call");
        }
        check(k.what() + " (at the end)", k.execution(), k.want(), k.wantGrads(), tol);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void check(String what, Execution e, Tensor want, List<Tensor> wantGrads,
      double tol) {
    assertClose(want, e.output(), tol, what + " output");
    for (int k = 0; k < wantGrads.size(); k++) {
      assertClose(wantGrads.get(k), e.gradients().get(k), tol, what + " gradient " + k);
    }
  }

  private static Tensor copy(Tensor t) {
    return Tensor.wrap(t.toDoubleArray(), t.shape());
  }

  private static List<double[]> snapshot(Execution e) {
    List<double[]> out = new ArrayList<>();
    out.add(e.output().toDoubleArray());
    if (e.gradients() != null) {
      for (Tensor g : e.gradients()) {
        out.add(g == null ? new double[0] : g.toDoubleArray());
      }
    }
    return out;
  }

  /**
   * A call returns arrays the caller owns: never an operand's, the output gradient's or another
   * returned tensor's, even where an instruction only renames (the gradient of "ab->ab" is the
   * output gradient itself); changing the inputs afterwards changes no returned value.
   */
  @Test
  void returnedArraysAreNeverTheCallersOrEachOthers() {
    String[][] cases = {{"ab->ab", "2x3"}, {"ab->ba", "2x3"}, {"ab,b->ab", "2x3;3"},
        {"a,b->ab", "2;3"}, {"ab,bc->ac", "2x3;3x4"}, {"ab,ab->ab", "2x3;2x3"},
        {"a->", "4"}, {"ab,c->abc", "2x1;3"}};
    for (String[] c : cases) {
      List<long[]> shapes = new ArrayList<>();
      for (String d : c[1].split(";")) {
        shapes.add(Arrays.stream(d.split("x")).mapToLong(Long::parseLong).toArray());
      }
      BoundExpression b = BoundExpression.bind(Expression.parse(c[0]), ConvOptions.DEFAULT,
          shapes);
      int[][] path = b.operandCount() == 1 ? new int[0][] : new int[][] {{0, 1}};
      CompiledProgram plan = CompiledProgram.compile(b, path, null);
      List<Tensor> ops = new ArrayList<>();
      for (int k = 0; k < shapes.size(); k++) {
        ops.add(Tensor.random(DType.FLOAT32, 40 + k, shapes.get(k)));
      }
      Tensor grad = Tensor.random(DType.FLOAT32, 50, b.outputShape());
      // copies, in case the oracle hands back an input's array too
      Tensor want = copy(ReferenceEvaluator.evaluate(b, ops));
      List<Tensor> wantGrads = new ArrayList<>();
      ReferenceEvaluator.vjp(b, ops, grad).forEach(t -> wantGrads.add(copy(t)));
      Execution e = plan.execute(ops, grad, new RunOptions(Engines.get("cpu"), 1,
          Checkpoint.STORE));
      List<float[]> inputs = new ArrayList<>();
      ops.forEach(t -> inputs.add(t.floatData()));
      inputs.add(grad.floatData());
      List<float[]> returned = new ArrayList<>();
      returned.add(e.output().floatData());
      e.gradients().forEach(t -> returned.add(t.floatData()));
      for (int i = 0; i < returned.size(); i++) {
        for (float[] in : inputs) {
          assertTrue(returned.get(i) != in, c[0] + ": returned tensor " + i
              + " is the array of a tensor the caller passed");
        }
        for (int j = 0; j < i; j++) {
          assertTrue(returned.get(i) != returned.get(j), c[0] + ": returned tensors " + j
              + " and " + i + " share one array");
        }
      }
      inputs.forEach(a -> Arrays.fill(a, 42f)); // the caller reuses its buffers
      check(c[0], e, want, wantGrads, Tolerance.FLOAT32);
    }
  }

  /**
   * The workspace itself: threads taking and giving buffers of a few sizes as fast as they can
   * never hold one buffer at the same time, and a buffer asked for zeroed is all zeros.
   */
  @Test
  void workspaceNeverHandsOneBufferToTwoHolders() throws Exception {
    Workspace ws = new Workspace();
    Set<Object> held = Collections.synchronizedSet(
        Collections.newSetFromMap(new IdentityHashMap<>()));
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(thread);
          start.await(30, TimeUnit.SECONDS);
          int reused = 0;
          for (int i = 0; i < 20_000; i++) {
            int size = 16 + 16 * r.nextInt(3);
            boolean zeroed = r.nextBoolean();
            float[] b = (float[]) ws.take(DType.FLOAT32, size, zeroed);
            if (!held.add(b)) {
              fail("a buffer of " + size + " elements was handed to two holders at once");
            }
            if (zeroed) {
              for (float v : b) {
                assertEquals(0f, v, "a buffer asked for zeroed holds a stale value");
              }
            }
            reused += b[0] != 0 ? 1 : 0;
            Arrays.fill(b, thread + 1); // stale values for the next taker
            for (float v : b) {
              assertEquals(thread + 1, v, "another holder wrote into this thread's buffer");
            }
            held.remove(b);
            ws.give(b);
          }
          return reused;
        }));
      }
      int reused = 0;
      for (Future<Integer> f : futures) {
        reused += f.get(60, TimeUnit.SECONDS);
      }
      assertTrue(reused > 0, "the workspace never handed back a kept buffer");
    } finally {
      pool.shutdownNow();
    }
  }
}
