package dev.conveinsum.benchmarks;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The paper's tables for the layers of {@code tnn_layers.json}, measured in one run on this
 * machine: optimal path against the naive left-to-right path (the paper's baseline), forward,
 * and forward+backward with and without checkpointing, with peak memory and the largest batch
 * that fits a memory budget.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp conv-einsum-benchmarks/target/benchmarks.jar \
 *     dev.conveinsum.benchmarks.TnnLayers forward|training [--batch 32] [--filter REGEX]
 *     [--reps 3] [--threads 2] [--naive-gflop 40] [--naive-max-gflop 200]
 *     [--max-elements 1073741824] [--budget-gib 2]
 * </pre>
 *
 * <p>Markdown rows go to standard output, progress to standard error. The naive path of many
 * layers costs hundreds of GFLOPs; it is timed at the largest batch (at most {@code --batch})
 * whose naive FLOPs stay under {@code --naive-gflop} (batch 1 if none, as long as it costs at
 * most {@code --naive-max-gflop}), and the optimal path is timed at that batch too, so every
 * ratio compares equal work. A naive path whose largest intermediate exceeds
 * {@code --max-elements} even at batch 1 is reported as not fitting (give the JVM a heap of
 * several times that many floats, e.g. {@code -Xmx16g}). Forward mode ends with the geometric
 * mean of the time ratios per decomposition.
 */
public final class TnnLayers {
  private TnnLayers() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    String mode = args.length > 0 ? args[0] : "forward";
    int batch = intArg(args, "--batch", 32);
    int reps = intArg(args, "--reps", 3);
    int threads = intArg(args, "--threads", Runtime.getRuntime().availableProcessors());
    double naiveGflop = Double.parseDouble(arg(args, "--naive-gflop", "40"));
    double budgetGib = Double.parseDouble(arg(args, "--budget-gib", "2"));
    double naiveMaxGflop = Double.parseDouble(arg(args, "--naive-max-gflop", "200"));
    long maxElements = Long.parseLong(arg(args, "--max-elements", String.valueOf(1L << 30)));
    Pattern filter = Pattern.compile(arg(args, "--filter", ".*"));
    java.util.Map<String, List<double[]>> ratios = new java.util.LinkedHashMap<>();
    java.util.Map<String, Integer> entries = new java.util.HashMap<>();
    Engine engine = Engines.best();
    List<BenchLayers.Layer> layers = BenchLayers.load();
    System.out.printf(Locale.ROOT, "# %s, engine %s, %d threads, float32, JDK %s, %s%n", mode,
        engine.name(), threads, System.getProperty("java.version"), cpu());
    if (mode.equals("forward")) {
      System.out.println("| layer | params | batch | optimal ms | naive ms | naive/optimal time"
          + " | naive/optimal FLOPs |");
      System.out.println("|---|---|---|---|---|---|---|");
    } else {
      System.out.println("| layer | batch | opt+store ms | opt+recompute ms | naive+store ms |"
          + " naive+recompute ms | peak MiB opt/store | opt/recompute | naive/store |"
          + " naive/recompute | max batch in " + budgetGib + " GiB: opt/store | opt/recomp |"
          + " naive/store | naive/recomp |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    }
    // JIT warm-up before the first row: for its first seconds a JVM compiles the kernels (and the
    // engine's background kernel warm-up competes for the cores), which made the first row's
    // times up to 30x too high
    layers.stream().filter(l -> filter.matcher(l.name()).matches()).findFirst().ifPresent(l -> {
      PlanInfo p = plan(l.expression(), l.options(), l.shapes(), Math.min(batch, 8), "auto", true);
      long end = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < end) {
        time(p, Math.min(batch, 8), 1, threads, !mode.equals("forward"), Checkpoint.STORE, engine);
      }
    });
    for (BenchLayers.Layer l : layers) {
      String name = l.name();
      if (!filter.matcher(name).matches()) {
        continue;
      }
      System.err.println(name + " ...");
      ConvOptions options = l.options();
      String expr = l.expression();
      List<long[]> shapes = l.shapes();
      if (mode.equals("forward")) {
        String decomposition = name.substring(0, name.indexOf('-'));
        ratios.computeIfAbsent(decomposition, k -> new ArrayList<>());
        entries.merge(decomposition, 1, Integer::sum);
        forwardRow(name, l.entry().get("parameters").asLong(), expr, options, shapes, batch, reps,
            threads, naiveGflop, naiveMaxGflop, maxElements, engine, ratios.get(decomposition));
      } else {
        trainingRow(name, expr, options, shapes, batch, reps, threads, budgetGib, engine);
      }
    }
    if (mode.equals("forward")) {
      System.out.println();
      ratios.forEach((d, r) -> summary(d, r, entries.get(d)));
    }
  }

  private static void forwardRow(String name, long params, String expr, ConvOptions options,
      List<long[]> shapes, int batch, int reps, int threads, double naiveGflop,
      double naiveMaxGflop, long maxElements, Engine engine, List<double[]> ratios) {
    int b = batch;
    while (b > 1 && plan(expr, options, shapes, b, "naive", false).flops() > naiveGflop * 1e9) {
      b /= 2;
    }
    PlanInfo naive = plan(expr, options, shapes, b, "naive", false);
    PlanInfo optimal = plan(expr, options, shapes, b, "auto", false);
    String naiveMs;
    double ratio = Double.NaN;
    double optMs = time(optimal, b, reps, threads, false, Checkpoint.STORE, engine);
    if (naive.largestIntermediate() > maxElements) {
      naiveMs = String.format(Locale.ROOT, "does not fit: %.3g-element intermediate at batch 1"
          + " (%.3g GiB)", (double) naive.largestIntermediate(),
          naive.largestIntermediate() * 4.0 / (1L << 30));
    } else if (naive.flops() > naiveMaxGflop * 1e9) {
      naiveMs = String.format(Locale.ROOT, "not run: %.3g GFLOP at batch 1",
          naive.flops() / 1e9);
    } else {
      double t;
      try {
        t = time(naive, b, reps, threads, false, Checkpoint.STORE, engine);
      } catch (OutOfMemoryError e) {
        t = Double.NaN; // the intermediates fit one by one but not together in this heap
      }
      if (Double.isNaN(t)) {
        naiveMs = String.format(Locale.ROOT, "does not fit: out of memory in a %.3g GiB heap",
            Runtime.getRuntime().maxMemory() / (double) (1L << 30));
      } else {
        naiveMs = String.format(Locale.ROOT, "%.2f", t);
        ratio = t / optMs;
        ratios.add(new double[] {ratio, naive.flops() / (double) optimal.flops()});
      }
    }
    System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %s | %s | %.1f |%n", name, params, b,
        optMs, naiveMs, Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.1f", ratio),
        naive.flops() / (double) optimal.flops());
  }

  /** Prints the geometric means of the time and FLOP ratios of one decomposition. */
  private static void summary(String decomposition, List<double[]> ratios, int entries) {
    if (ratios.isEmpty()) {
      System.out.printf(Locale.ROOT, "| %s: no entry whose naive path fits (of %d) |%n",
          decomposition, entries);
      return;
    }
    double time = 0;
    double flops = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (double[] r : ratios) {
      time += Math.log(r[0]);
      flops += Math.log(r[1]);
      min = Math.min(min, r[0]);
      max = Math.max(max, r[0]);
    }
    System.out.printf(Locale.ROOT, "| %s: %d of %d entries measured | naive/optimal time"
        + " geomean %.1f (min %.1f, max %.1f) | FLOPs geomean %.1f |%n", decomposition,
        ratios.size(), entries, Math.exp(time / ratios.size()), min, max,
        Math.exp(flops / ratios.size()));
  }

  private static void trainingRow(String name, String expr, ConvOptions options,
      List<long[]> shapes, int batch, int reps, int threads, double budgetGib, Engine engine) {
    StringBuilder times = new StringBuilder();
    StringBuilder peaks = new StringBuilder();
    StringBuilder maxBatch = new StringBuilder();
    long budget = (long) (budgetGib * (1L << 30));
    for (String opt : new String[] {"auto", "naive"}) {
      PlanInfo p = plan(expr, options, shapes, batch, opt, true);
      for (Checkpoint mode : Checkpoint.values()) {
        CompiledPlan c = compile(p);
        long predicted = c.predictPeakBytes(DType.FLOAT32, true, mode);
        if (predicted > budget * 4 || p.pathTrainFlops() > 400e9
            || p.largestIntermediate() > Integer.MAX_VALUE / 2) {
          times.append(" skipped |");
          peaks.append(String.format(Locale.ROOT, " %.0f (predicted) |", predicted / 1048576.0));
        } else {
          double[] peak = new double[1];
          double t = time(p, batch, reps, threads, true, mode, engine, peak);
          times.append(String.format(Locale.ROOT, " %.1f |", t));
          peaks.append(String.format(Locale.ROOT, " %.1f |", peak[0] / 1048576.0));
        }
        maxBatch.append(' ').append(maxBatch(expr, options, shapes, opt, mode, budget))
            .append(" |");
      }
    }
    System.out.printf(Locale.ROOT, "| %s | %d |%s%s%s%n", name, batch, times, peaks, maxBatch);
  }

  /** The largest batch whose predicted forward+backward peak fits the budget (0 if none). */
  private static int maxBatch(String expr, ConvOptions options, List<long[]> shapes, String opt,
      Checkpoint mode, long budget) {
    int lo = 0;
    int hi = 1;
    while (hi <= 1 << 16 && fits(expr, options, shapes, opt, mode, budget, hi)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (fits(expr, options, shapes, opt, mode, budget, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static boolean fits(String expr, ConvOptions options, List<long[]> shapes, String opt,
      Checkpoint mode, long budget, int batch) {
    PlanInfo p = plan(expr, options, shapes, batch, opt, true);
    for (long s : p.intermediateSizes()) {
      if (s * 4 > budget) {
        return false;
      }
    }
    return compile(p).predictPeakBytes(DType.FLOAT32, true, mode) <= budget;
  }

  private static PlanInfo plan(String expr, ConvOptions options, List<long[]> shapes, int batch,
      String optimizer, boolean train) {
    List<long[]> s = new ArrayList<>();
    for (long[] d : shapes) {
      s.add(d.clone());
    }
    s.get(0)[0] = batch;
    BoundExpression b = ConvEinsum.bind(expr, options, s);
    PlanOptions po = PlanOptions.optimizer(optimizer);
    return ConvEinsum.plan(b, train ? po.withTrain(null) : po);
  }

  private static CompiledPlan compile(PlanInfo p) {
    return ConvEinsum.compile(p);
  }

  private static double time(PlanInfo p, int batch, int reps, int threads, boolean backward,
      Checkpoint mode, Engine engine) {
    return time(p, batch, reps, threads, backward, mode, engine, new double[1]);
  }

  /** Median milliseconds of {@code reps} runs after warming up; peak[0] gets the peak bytes. */
  private static double time(PlanInfo p, int batch, int reps, int threads, boolean backward,
      Checkpoint mode, Engine engine, double[] peak) {
    BoundExpression b = p.bound();
    CompiledPlan c = compile(p);
    List<Tensor> ops = new ArrayList<>();
    for (int k = 0; k < b.operandCount(); k++) {
      ops.add(Tensor.random(DType.FLOAT32, k, b.shape(k)));
    }
    Tensor grad = backward ? Tensor.random(DType.FLOAT32, 99, b.outputShape()) : null;
    RunOptions o = new RunOptions(engine, threads, mode);
    // Warm up for at least a second (3 runs at least) so C2 has compiled the Vector API code;
    // a run of seconds (naive paths) warms itself up: two warm-up runs and one timed run. The
    // first run of a JVM's first layer can take seconds before C2 has compiled anything, so
    // "slow" is judged on the second run.
    long start = System.nanoTime();
    c.execute(ops, grad, o);
    long second = System.nanoTime();
    c.execute(ops, grad, o);
    boolean slow = System.nanoTime() - second > 2_000_000_000L;
    for (int i = 2; !slow && (i < 3 || System.nanoTime() - start < 1_000_000_000L); i++) {
      c.execute(ops, grad, o);
    }
    reps = slow ? 1 : reps;
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      var e = c.execute(ops, grad, o);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      peak[0] = Math.max(peak[0], e.peakBytes());
    }
    Arrays.sort(ms);
    return ms[reps / 2];
  }

  private static String cpu() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no CPU name
    }
    return System.getProperty("os.arch");
  }

  private static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }

  private static int intArg(String[] args, String name, int dflt) {
    return Integer.parseInt(arg(args, name, String.valueOf(dflt)));
  }
}
