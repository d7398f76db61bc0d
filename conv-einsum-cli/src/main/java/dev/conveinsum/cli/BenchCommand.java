package dev.conveinsum.cli;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.PrintWriter;
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
      description = "warm up for at least this long, then until the JIT has compiled nothing for"
          + " 250 ms and 5 runs in a row are within 25%% of the fastest and no faster than 0.9x"
          + " the runs before (at most 10x this long), so the JIT has compiled the Vector API"
          + " kernels and no compilation shares the cores with the timed runs; 0: exactly W runs"
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
    BoundExpression bound = ConvEinsum.bind(expression, convOptions, Inputs.shapes(shapes));
    PlanInfo plan = choosePlan(bound);
    Path chosen = plan.path();
    PrintWriter err = spec.commandLine().getErr();
    boolean progress = !json && System.console() != null;
    Bencher.Listener listener = !progress ? null : new Bencher.Listener() {
      @Override
      public void warmup(int runs) {
        err.printf("\rwarm-up %d", runs);
        err.flush();
      }

      @Override
      public void timed(int run, int total) {
        err.printf("\rrun %d/%d   ", run, total);
        err.flush();
      }
    };
    Bencher.Record r = Bencher.measure(new Bencher.Job(expression, plan, backward, mode, type,
        engine, nThreads), new Bencher.Settings(warmup, warmupMs, reps), System::nanoTime,
        listener);
    if (progress) {
      err.print("\r" + " ".repeat(30) + "\r");
      err.flush();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(r.toJson());
    } else {
      out.printf(Locale.ROOT, "expression   %s%n", expression);
      out.printf(Locale.ROOT, "path         %s%n", chosen);
      out.printf(Locale.ROOT, "engine       %s, %d thread%s, %s%s%n", engine.name(), nThreads,
          nThreads == 1 ? "" : "s", type, backward ? ", forward+backward (" + mode + ")"
              : ", forward");
      out.printf(Locale.ROOT, "time         median %.3f ms, min %.3f ms (%d runs after %d"
          + " warm-up)%n", r.medianMs(), r.minMs(), reps, r.warmupRuns());
      out.printf(Locale.ROOT, "FLOPs        %.4g  (%.2f GFLOPS at the median)%n",
          (double) r.flops(), r.gflops());
      out.printf(Locale.ROOT, "peak memory  %.2f MiB measured, %.2f MiB predicted%n",
          r.peakBytes() / 1048576.0, r.predictedPeakBytes() / 1048576.0);
      if (r.cpuCores() >= 0) {
        // below the threads' count: other processes had the cores, so the time is the machine's
        out.printf(Locale.ROOT, "cpu          %.2f cores busy on average during the timed runs"
            + " (%d thread%s asked)%n", r.cpuCores(), nThreads, nThreads == 1 ? "" : "s");
      }
    }
    if (profile) {
      Tensor grad = backward ? Tensor.random(type, 7, bound.outputShape()) : null;
      printProfile(ConvEinsum.compile(plan), Bencher.operands(bound, type), grad,
          new RunOptions(engine, nThreads, mode, true), json ? err : out);
    }
    out.flush();
    return 0;
  }

  /** Times every instruction over {@code reps} more runs; prints each one's mean and share. */
  private void printProfile(CompiledPlan plan, List<Tensor> operands, Tensor grad,
      RunOptions run, PrintWriter sink) {
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

  private PlanInfo choosePlan(BoundExpression bound) {
    String p = path.trim();
    PlanOptions po = PlanOptions.DEFAULT;
    if (!p.startsWith("[")) {
      po = PlanOptions.optimizer(p.equalsIgnoreCase("optimal") ? "auto" : p);
    }
    if (backward) {
      po = po.withTrain(null);
    }
    if (p.startsWith("[")) {
      return ConvEinsum.plan(bound, Path.parse(p).validate(bound.operandCount()), po);
    }
    return ConvEinsum.plan(bound, po);
  }
}
