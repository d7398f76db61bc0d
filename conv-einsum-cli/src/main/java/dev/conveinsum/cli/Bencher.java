package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The measuring loop of {@code conv-einsum bench}, shared with {@code conv-einsum report}: warm
 * a compiled plan up until its call time settles, time {@code reps} calls, and return one
 * {@link Record} (what {@code bench --json} prints).
 */
public final class Bencher {
  /** Warm-up runs that must all be near the fastest for the timing to start. */
  private static final int SETTLE = 5;
  /**
   * How long no JIT compilation may have finished before the timing starts, in milliseconds. On
   * 2 cores a C2 compilation takes one of them for tens to hundreds of milliseconds, longer than
   * the timed calls of a small layer (10 x 1.5 ms): measured while one runs, a fresh JVM's median
   * came out up to 3x slower than another's.
   */
  private static final long JIT_QUIET_MS = 250;

  private Bencher() {}

  /**
   * How long to warm up and how many calls to time.
   *
   * @param warmup untimed runs first, at least
   * @param warmupMs warm up for at least this long, then until the JIT is quiet and the call
   *     time settles (at most 10x this long); 0: exactly {@code warmup} runs
   * @param reps timed runs, at least 1
   */
  public record Settings(int warmup, long warmupMs, int reps) {}

  /**
   * What to run: the expression, the plan (bound expression and path), forward or
   * forward+backward, and the engine.
   */
  public record Job(String expression, PlanInfo plan, boolean backward, Checkpoint checkpoint,
      DType dtype, Engine engine, int threads) {}

  /** Told of each finished run, for a progress display. */
  public interface Listener {
    /** A warm-up run finished; {@code runs} so far. */
    void warmup(int runs);

    /** Timed run {@code run} (1-based) of {@code reps} finished. */
    void timed(int run, int reps);
  }

  /**
   * One measurement, the fields of {@code bench --json}.
   *
   * @param expression the expression text
   * @param path the path run
   * @param flops FLOPs of the path (training FLOPs when backward)
   * @param medianMs median of the timed runs, milliseconds
   * @param minMs fastest timed run, milliseconds
   * @param threads threads
   * @param dtype element type
   * @param backward whether the runs computed gradients
   * @param checkpoint what the backward pass kept
   * @param engine the engine's name
   * @param peakBytes measured peak bytes (largest over the timed runs)
   * @param predictedPeakBytes the plan's predicted peak bytes
   * @param warmupRuns untimed runs done
   * @param reps timed runs
   * @param cpuCores the CPU time of the JVM's Java threads during the timed runs over their wall
   *     time (a waiting kernel thread spins, so it counts): about {@code threads} when the calls
   *     had their cores, less when other processes took them (the time then says more about the
   *     machine than about the library); -1 where the JVM does not report thread CPU time
   */
  public record Record(String expression, Path path, long flops, double medianMs, double minMs,
      int threads, DType dtype, boolean backward, Checkpoint checkpoint, String engine,
      long peakBytes, long predictedPeakBytes, int warmupRuns, int reps, double cpuCores) {

    /** Returns FLOPs per second at the median, in GFLOPS. */
    public double gflops() {
      return flops / (medianMs * 1e6);
    }

    /** Returns the JSON object {@code bench --json} prints. */
    public ObjectNode toJson() {
      ObjectNode o = Inputs.JSON.createObjectNode();
      o.put("expression", expression);
      o.put("median_ms", medianMs);
      o.put("min_ms", minMs);
      o.put("flops", flops);
      o.put("gflops", gflops());
      ArrayNode p = o.putArray("path");
      for (int[] pair : path.pairs()) {
        p.addArray().add(pair[0]).add(pair[1]);
      }
      o.put("threads", threads);
      o.put("dtype", dtype.toString());
      o.put("backward", backward);
      o.put("checkpoint", checkpoint.name());
      o.put("engine", engine);
      o.put("peak_bytes", peakBytes);
      o.put("predicted_peak_bytes", predictedPeakBytes);
      o.put("warmup", warmupRuns);
      o.put("reps", reps);
      o.put("cpu_cores", cpuCores);
      return o;
    }
  }

  /** Returns the operands a job runs on: seeded random tensors, as {@code bench} has always used. */
  public static List<Tensor> operands(BoundExpression bound, DType type) {
    List<Tensor> operands = new ArrayList<>();
    for (int k = 0; k < bound.operandCount(); k++) {
      operands.add(Tensor.random(type, 17 + k, bound.shape(k)));
    }
    return operands;
  }

  /**
   * Compiles and measures a job.
   *
   * @param job what to run
   * @param settings warm-up and repetitions
   * @param clock nanosecond clock ({@code System::nanoTime}; tests pass a fake one)
   * @param listener told of each run, or null
   * @return the measurement
   */
  public static Record measure(Job job, Settings settings, LongSupplier clock,
      Listener listener) {
    return measure(job, settings, clock, jitClock(), listener);
  }

  /** {@link #measure(Job, Settings, LongSupplier, Listener)} with the JIT's clock given (tests). */
  static Record measure(Job job, Settings settings, LongSupplier clock, LongSupplier jitMs,
      Listener listener) {
    BoundExpression bound = job.plan().bound();
    CompiledPlan plan = ConvEinsum.compile(job.plan());
    List<Tensor> operands = operands(bound, job.dtype());
    Tensor grad = job.backward() ? Tensor.random(job.dtype(), 7, bound.outputShape()) : null;
    RunOptions run = new RunOptions(job.engine(), job.threads(), job.checkpoint());
    int reps = settings.reps();
    long warmupMs = settings.warmupMs();
    long peak = 0;
    double[] ms = new double[reps];
    long warmStart = clock.getAsLong();
    int warmRuns = 0;
    // Warm up for at least W runs and --warmup-ms, then until the call time has settled: the
    // Vector API kernels run ~100x slower until C2 compiles them, which on 2 busy cores can take
    // several seconds. Settled: no JIT compilation finished for JIT_QUIET_MS, and the last SETTLE
    // runs each within 25 % of the fastest so far, none of them more than 10 % faster than every
    // run before them.
    double best = Double.POSITIVE_INFINITY;
    double bestBefore = Double.POSITIVE_INFINITY;
    double[] recent = new double[SETTLE];
    long limitMs = warmupMs * 10;
    long jitSeen = jitMs.getAsLong();
    long jitChanged = warmStart;
    while (true) {
      long now = clock.getAsLong();
      long jit = jitMs.getAsLong();
      if (jit != jitSeen) {
        jitSeen = jit;
        jitChanged = now;
      }
      double elapsed = (now - warmStart) / 1e6;
      boolean jitQuiet = (now - jitChanged) / 1e6 >= JIT_QUIET_MS;
      boolean minimumDone = warmRuns >= settings.warmup() && elapsed >= warmupMs;
      if (minimumDone && (warmupMs == 0 || elapsed >= limitMs
          || jitQuiet && (settled(recent, warmRuns, best, bestBefore)
              || warmRuns >= Math.max(settings.warmup(), 1000)))) { // 1000 runs of a fast call
        break;
      }
      long t0 = clock.getAsLong();
      plan.execute(operands, grad, run);
      double took = (clock.getAsLong() - t0) / 1e6;
      best = Math.min(best, took);
      if (warmRuns >= SETTLE) {
        bestBefore = Math.min(bestBefore, recent[warmRuns % SETTLE]); // the run SETTLE ago
      }
      recent[warmRuns % SETTLE] = took;
      warmRuns++;
      if (listener != null) {
        listener.warmup(warmRuns);
      }
    }
    long cpu0 = javaThreadsCpuNanos();
    long wall0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      long t0 = clock.getAsLong();
      Execution e = plan.execute(operands, grad, run);
      ms[i] = (clock.getAsLong() - t0) / 1e6;
      peak = Math.max(peak, e.peakBytes());
      if (listener != null) {
        listener.timed(i + 1, reps);
      }
    }
    long cpu1 = javaThreadsCpuNanos();
    long wall = System.nanoTime() - wall0;
    double cpuCores = cpu0 < 0 || cpu1 < 0 || wall <= 0 ? -1 : (double) (cpu1 - cpu0) / wall;
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = reps % 2 == 1 ? sorted[reps / 2]
        : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    long flops = job.backward() ? job.plan().pathTrainFlops() : job.plan().flops();
    long predicted = plan.predictPeakBytes(job.dtype(), job.backward(), job.checkpoint());
    return new Record(job.expression(), job.plan().path(), flops, median, sorted[0], job.threads(),
        job.dtype(), job.backward(), job.checkpoint(), job.engine().name(), peak, predicted,
        warmRuns, reps, cpuCores);
  }

  /**
   * The CPU time of the JVM's live Java threads in nanoseconds (the caller and the kernels'
   * workers among them; not the JIT's or the collector's), or -1 where the JVM does not say.
   */
  private static long javaThreadsCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      sum += Math.max(t, 0); // -1: the thread has ended meanwhile
    }
    return sum;
  }

  /**
   * The JIT's total compilation time in milliseconds (it grows when a compilation finishes), or a
   * constant where the JVM does not report it.
   */
  private static LongSupplier jitClock() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return () -> 0;
    }
    return jit::getTotalCompilationTime;
  }

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
}
