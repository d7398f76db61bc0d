package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.exec.Checkpoint;
import dev.conveinsum.exec.CompiledPlan;
import dev.conveinsum.exec.Execution;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.plan.Planner;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv-einsum bench}: times a compiled plan on random inputs. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Time an expression on random inputs through a compiled plan.",
        "Prints min/median time, the path's FLOPs (SPEC section 4; training FLOPs with"
            + " --backward) and GFLOPS, and the measured and predicted peak memory."})
final class BenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPR", description = "the expression")
  String expression;

  @Option(names = "--shapes", required = true, paramLabel = "SHAPES",
      description = "one shape per operand, e.g. \"32x64x56x56;64x64x3x3\"")
  String shapes;

  @Option(names = "--options", paramLabel = "JSON", description = "conv options (SPEC form)")
  String options;

  @Option(names = "--path", paramLabel = "PATH", defaultValue = "optimal",
      description = "optimal (default), naive, another optimizer name, or an explicit path"
          + " such as \"[[0,1],[0,1]]\"")
  String path;

  @Option(names = "--backward",
      description = "time forward + backward (gradients of every operand)")
  boolean backward;

  @Option(names = "--checkpoint", paramLabel = "MODE", defaultValue = "STORE",
      description = "with --backward: STORE keeps intermediates, RECOMPUTE recomputes them"
          + " (default: ${DEFAULT-VALUE})")
  String checkpoint;

  @Option(names = "--threads", paramLabel = "N",
      description = "threads (default: available processors)")
  Integer threads;

  @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32",
      description = "float32 (default) or float64")
  String dtype;

  @Option(names = "--warmup", paramLabel = "W", defaultValue = "5",
      description = "untimed runs first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1500",
      description = "warm up for at least this long, then until 5 runs in a row are within 25%%"
          + " of the fastest and no faster than 0.9x the runs before (at most 10x this long), so"
          + " the JIT has compiled the Vector API kernels; 0: exactly W runs"
          + " (default: ${DEFAULT-VALUE})")
  long warmupMs;

  @Option(names = "--reps", paramLabel = "R", defaultValue = "10",
      description = "timed runs (default: ${DEFAULT-VALUE})")
  int reps;

  @Option(names = "--engine", paramLabel = "NAME",
      description = "engine name (default: the fastest available)")
  String engineName;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--profile",
      description = "after timing, run --reps more times and print the mean time of every instruction")
  boolean profile;

  @Override
  public Integer call() {
    if (reps < 1 || warmup < 0 || warmupMs < 0) {
      throw new ConvEinsumException("--reps must be >= 1, --warmup and --warmup-ms >= 0");
    }
    int nThreads = threads == null ? java.lang.Runtime.getRuntime().availableProcessors()
        : threads;
    if (nThreads < 1) {
      throw new ConvEinsumException("--threads must be >= 1, got " + nThreads);
    }
    Checkpoint mode;
    try {
      mode = Checkpoint.valueOf(checkpoint.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConvEinsumException("--checkpoint must be STORE or RECOMPUTE, got '"
          + checkpoint + "'");
    }
    DType type = DType.parse(dtype);
    Engine engine = engineName == null ? ConvEinsum.defaultEngine() : Engines.get(engineName);
    var convOptions = Inputs.options(options);
    BoundExpression bound = BoundExpression.bind(Expression.parse(expression), convOptions,
        Inputs.shapes(shapes));
    Path chosen = choosePath(bound);
    CostModel model = new CostModel(bound);
    var cost = chosen.cost(model);
    long flops = backward ? cost.trainFlops() : cost.flops();
    CompiledPlan plan = CompiledPlan.compile(bound, chosen.pairs().toArray(int[][]::new), null);
    List<Tensor> operands = new ArrayList<>();
    for (int k = 0; k < bound.operandCount(); k++) {
      operands.add(Tensor.random(type, 17 + k, bound.shape(k)));
    }
    Tensor grad = backward ? Tensor.random(type, 7, bound.outputShape()) : null;
    CompiledPlan.Options run = new CompiledPlan.Options(engine, nThreads, mode);
    PrintWriter err = spec.commandLine().getErr();
    boolean progress = !json && System.console() != null;
    long peak = 0;
    double[] ms = new double[reps];
    long warmStart = System.nanoTime();
    int warmRuns = 0;
    // Warm up for at least W runs and --warmup-ms, then until the call time has settled: the
    // Vector API kernels run ~100x slower until C2 compiles them, which on 2 busy cores can take
    // several seconds. Settled: the last SETTLE runs each within 25 % of the fastest so far,
    // and none of them more than 10 % faster than every run before them.
    double best = Double.POSITIVE_INFINITY;
    double bestBefore = Double.POSITIVE_INFINITY;
    double[] recent = new double[SETTLE];
    long limitMs = warmupMs * 10;
    while (true) {
      double elapsed = (System.nanoTime() - warmStart) / 1e6;
      boolean minimumDone = warmRuns >= warmup && elapsed >= warmupMs;
      if (minimumDone && (warmupMs == 0 || settled(recent, warmRuns, best, bestBefore)
          || elapsed >= limitMs
          || warmRuns >= Math.max(warmup, 1000))) { // 1000 runs of a very fast call: warm enough
        break;
      }
      long t0 = System.nanoTime();
      plan.execute(operands, grad, run);
      double took = (System.nanoTime() - t0) / 1e6;
      best = Math.min(best, took);
      if (warmRuns >= SETTLE) {
        bestBefore = Math.min(bestBefore, recent[warmRuns % SETTLE]); // the run SETTLE ago
      }
      recent[warmRuns % SETTLE] = took;
      warmRuns++;
      if (progress) {
        err.printf("\rwarm-up %d", warmRuns);
        err.flush();
      }
    }
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      Execution e = plan.execute(operands, grad, run);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      peak = Math.max(peak, e.peakBytes());
      if (progress) {
        err.printf("\rrun %d/%d   ", i + 1, reps);
        err.flush();
      }
    }
    if (progress) {
      err.print("\r" + " ".repeat(30) + "\r");
      err.flush();
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = reps % 2 == 1 ? sorted[reps / 2]
        : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    double min = sorted[0];
    double gflops = flops / (median * 1e6);
    long predicted = plan.predictPeakBytes(type, backward, mode);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = Inputs.JSON.createObjectNode();
      o.put("expression", expression);
      o.put("median_ms", median);
      o.put("min_ms", min);
      o.put("flops", flops);
      o.put("gflops", gflops);
      ArrayNode p = o.putArray("path");
      for (int[] pair : chosen.pairs()) {
        p.addArray().add(pair[0]).add(pair[1]);
      }
      o.put("threads", nThreads);
      o.put("dtype", type.toString());
      o.put("backward", backward);
      o.put("checkpoint", mode.name());
      o.put("engine", engine.name());
      o.put("peak_bytes", peak);
      o.put("predicted_peak_bytes", predicted);
      o.put("warmup", warmRuns);
      o.put("reps", reps);
      out.println(o);
    } else {
      out.printf(Locale.ROOT, "expression   %s%n", expression);
      out.printf(Locale.ROOT, "path         %s%n", chosen);
      out.printf(Locale.ROOT, "engine       %s, %d thread%s, %s%s%n", engine.name(), nThreads,
          nThreads == 1 ? "" : "s", type, backward ? ", forward+backward (" + mode + ")"
              : ", forward");
      out.printf(Locale.ROOT, "time         median %.3f ms, min %.3f ms (%d runs after %d"
          + " warm-up)%n", median, min, reps, warmRuns);
      out.printf(Locale.ROOT, "FLOPs        %.4g  (%.2f GFLOPS at the median)%n",
          (double) flops, gflops);
      out.printf(Locale.ROOT, "peak memory  %.2f MiB measured, %.2f MiB predicted%n",
          peak / 1048576.0, predicted / 1048576.0);
    }
    if (profile) {
      printProfile(plan, operands, grad, new CompiledPlan.Options(engine, nThreads, mode, true),
          json ? err : out);
    }
    out.flush();
    return 0;
  }

  /** Times every instruction over {@code reps} more runs; prints each one's mean and share. */
  private void printProfile(CompiledPlan plan, List<Tensor> operands, Tensor grad,
      CompiledPlan.Options run, PrintWriter sink) {
    java.util.Map<String, Long> total = new java.util.LinkedHashMap<>();
    for (int i = 0; i < reps; i++) {
      plan.execute(operands, grad, run).profile().forEach((k, v) -> total.merge(k, v, Long::sum));
    }
    double all = total.values().stream().mapToLong(Long::longValue).sum();
    sink.printf(Locale.ROOT, "profile (mean of %d runs, ms per instruction in program order):%n",
        reps);
    total.forEach((k, v) -> sink.printf(Locale.ROOT, "  %9.3f  %5.1f%%  %s%n",
        v / 1e6 / reps, 100 * v / all, k));
    sink.printf(Locale.ROOT, "  %9.3f  total%n", all / 1e6 / reps);
    sink.flush();
  }

  /** Warm-up runs that must all be near the fastest for the timing to start. */
  private static final int SETTLE = 5;

  private static boolean settled(double[] recent, int runs, double best, double bestBefore) {
    if (runs < 2 * SETTLE || best < 0.9 * bestBefore) {
      return false;
    }
    for (double ms : recent) {
      if (ms > 1.25 * best) {
        return false;
      }
    }
    return true;
  }

  private Path choosePath(BoundExpression bound) {
    String p = path.trim();
    if (p.startsWith("[")) {
      return Path.parse(p).validate(bound.operandCount());
    }
    String name = p.equalsIgnoreCase("optimal") ? "auto" : p;
    PlanOptions po = PlanOptions.optimizer(name);
    if (backward) {
      po = po.withTrain(null);
    }
    return Planner.shared().plan(bound, po).path();
  }
}
