package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.cli.Bencher;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Measures layers the way {@code conv-einsum bench} does ({@link Bencher}, float32), predicts
 * peak memory as {@link CompiledPlan#predictPeakBytes} does (the accounting an execution
 * reports), and finds the largest batch that fits a memory budget.
 *
 * @param engine the engine
 * @param threads threads
 * @param settings warm-up and repetitions of every timing
 * @param clock the clock timings read ({@code System::nanoTime})
 * @param budgetBytes the memory budget of the max-batch search
 * @param naiveMaxFlops the naive path is timed only when it costs at most this many FLOPs
 * @param heapBytes the naive path is timed only when its predicted peak fits in half of this
 */
public record Measurer(Engine engine, int threads, Bencher.Settings settings,
    LongSupplier clock, long budgetBytes, long naiveMaxFlops, long heapBytes) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The largest batch the max-batch search tries. */
  public static final int MAX_BATCH_LIMIT = 1 << 16;

  /**
   * A timing, or why there is none.
   *
   * @param record the measurement, as {@code bench --json} prints it; null when skipped
   * @param skipped why the run was left out; null when measured
   */
  public record Timing(Bencher.Record record, String skipped) {
    /** Returns {@code bench --json}'s object, or {@code {"skipped": reason}}. */
    public ObjectNode toJson() {
      if (record != null) {
        return record.toJson();
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("skipped", skipped);
      return o;
    }
  }

  /**
   * Largest batches whose forward+backward predicted peak fits the budget (0: not even 1).
   *
   * @param optimalStore optimal training path, intermediates stored
   * @param optimalRecompute optimal training path, intermediates recomputed
   * @param naiveStore naive path, stored
   * @param naiveRecompute naive path, recomputed
   */
  public record MaxBatch(int optimalStore, int optimalRecompute, int naiveStore,
      int naiveRecompute) {
    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("optimal_store", optimalStore);
      o.put("optimal_recompute", optimalRecompute);
      o.put("naive_store", naiveStore);
      o.put("naive_recompute", naiveRecompute);
      return o;
    }
  }

  /** Binds a layer's expression at its batch. */
  static BoundExpression bind(LayerFacts f, long batch) {
    List<long[]> shapes = new ArrayList<>();
    for (long[] s : f.shapes()) {
      shapes.add(s.clone());
    }
    shapes.get(0)[0] = batch;
    return ConvEinsum.bind(f.spec().expression(), f.spec().options(), shapes);
  }

  /** The plan {@code bench --path NAME} runs: "optimal" is the auto optimizer. */
  static PlanInfo plan(BoundExpression bound, String optimizer, boolean training) {
    PlanOptions po = PlanOptions.optimizer(optimizer.equals("optimal") ? "auto" : optimizer);
    return ConvEinsum.plan(bound, training ? po.withTrain(null) : po);
  }

  /**
   * Times a layer as {@code bench EXPR --shapes ... --path OPTIMIZER [--backward --checkpoint
   * MODE]} does.
   */
  public Bencher.Record time(LayerFacts f, String optimizer, boolean backward, Checkpoint mode,
      Bencher.Listener listener) {
    BoundExpression bound = bind(f, f.batch());
    return Bencher.measure(new Bencher.Job(f.spec().expression(),
        plan(bound, optimizer, backward), backward, mode, DType.FLOAT32, engine, threads),
        settings, clock, listener);
  }

  /**
   * Runs a layer's optimal path untimed for about a second (until its call time settles, at
   * most 10 s), so the first timing of a sweep does not pay for the JIT compiling the kernels.
   * Nothing when the settings ask for no warm-up time.
   */
  public void warmUpJit(LayerFacts f) {
    if (settings.warmupMs() == 0) {
      return;
    }
    BoundExpression bound = bind(f, f.batch());
    Bencher.measure(new Bencher.Job(f.spec().expression(), plan(bound, "optimal", false),
        false, Checkpoint.STORE, DType.FLOAT32, engine, threads),
        new Bencher.Settings(1, 1000, 1), clock, null);
  }

  /**
   * Times the naive path where it is affordable: at most {@code naiveMaxFlops} and a predicted
   * peak within half the heap; otherwise says why not.
   */
  public Timing timeNaive(LayerFacts f, boolean backward, Bencher.Listener listener) {
    String obstacle = naiveObstacle(f, backward);
    if (obstacle != null) {
      return new Timing(null, obstacle);
    }
    BoundExpression bound = bind(f, f.batch());
    return new Timing(Bencher.measure(new Bencher.Job(f.spec().expression(),
        plan(bound, "naive", backward), backward, Checkpoint.STORE, DType.FLOAT32, engine,
        threads), settings, clock, listener), null);
  }

  /**
   * Says why the naive path of a layer is not timed (over the FLOP limit, an intermediate past
   * a Java array, a predicted peak over half the heap), or null when it is affordable.
   */
  public String naiveObstacle(LayerFacts f, boolean backward) {
    PlanInfo p = plan(bind(f, f.batch()), "naive", backward);
    long flops = backward ? p.pathTrainFlops() : p.flops();
    if (flops > naiveMaxFlops) {
      return String.format(Locale.ROOT, "not run: %.3g GFLOP at batch %d > %.3g", flops / 1e9,
          f.batch(), naiveMaxFlops / 1e9);
    }
    for (long s : p.intermediateSizes()) {
      if (s > Integer.MAX_VALUE / 2) {
        return String.format(Locale.ROOT, "does not fit: a %.3g-element intermediate at batch"
            + " %d", (double) s, f.batch());
      }
    }
    long peak = ConvEinsum.compile(p).predictPeakBytes(DType.FLOAT32, backward,
        Checkpoint.STORE);
    if (peak > heapBytes / 2) {
      return String.format(Locale.ROOT, "does not fit: needs %.3g GiB at batch %d, heap %.3g"
          + " GiB", peak / 1073741824.0, f.batch(), heapBytes / 1073741824.0);
    }
    return null;
  }

  /**
   * Predicted forward+backward peak bytes of the optimal training path, as {@code bench
   * --backward --checkpoint MODE --json} reports in {@code predicted_peak_bytes} (and measures
   * in {@code peak_bytes}: the same accounting).
   */
  public long trainingPeak(LayerFacts f, Checkpoint mode) {
    return peak(f, f.batch(), "optimal", mode);
  }

  private static long peak(LayerFacts f, long batch, String optimizer, Checkpoint mode) {
    return ConvEinsum.compile(plan(bind(f, batch), optimizer, true))
        .predictPeakBytes(DType.FLOAT32, true, mode);
  }

  /** The four max-batch searches of a layer. */
  public MaxBatch maxBatch(LayerFacts f) {
    return new MaxBatch(maxBatch(f, "optimal", Checkpoint.STORE),
        maxBatch(f, "optimal", Checkpoint.RECOMPUTE), maxBatch(f, "naive", Checkpoint.STORE),
        maxBatch(f, "naive", Checkpoint.RECOMPUTE));
  }

  /**
   * The largest batch whose predicted forward+backward peak fits the budget: doubling from 1
   * while it fits (up to {@link #MAX_BATCH_LIMIT}), then bisection between the last batch that
   * fit and the first that did not. The peak grows with the batch, so this finds the exact
   * largest batch up to the limit in at most 2 log2(limit) + 1 predictions.
   */
  public int maxBatch(LayerFacts f, String optimizer, Checkpoint mode) {
    int lo = 0;
    int hi = 1;
    while (hi <= MAX_BATCH_LIMIT && fits(f, optimizer, mode, hi)) {
      lo = hi;
      hi *= 2;
    }
    if (lo == MAX_BATCH_LIMIT) {
      return lo;
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (fits(f, optimizer, mode, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean fits(LayerFacts f, String optimizer, Checkpoint mode, int batch) {
    PlanInfo p = plan(bind(f, batch), optimizer, true);
    // a single intermediate over the budget rules the batch out without compiling the plan
    for (long s : p.intermediateSizes()) {
      if (s > budgetBytes / 4) {
        return false;
      }
    }
    return ConvEinsum.compile(p).predictPeakBytes(DType.FLOAT32, true, mode) <= budgetBytes;
  }
}
