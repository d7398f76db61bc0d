package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The warm-up of {@link Bencher}: the timing starts only once the JIT has been quiet a while. */
class BencherTest {
  private static Bencher.Job job() {
    BoundExpression bound = ConvEinsum.bind("ij,jk->ik", ConvOptions.DEFAULT,
        List.of(new long[] {4, 5}, new long[] {5, 6}));
    return new Bencher.Job("ij,jk->ik", ConvEinsum.plan(bound, PlanOptions.optimizer("auto")),
        false, Checkpoint.STORE, DType.FLOAT32, ConvEinsum.defaultEngine(), 1);
  }

  /**
   * Every read advances 2.5 ms. The warm-up reads the clock once before its first run, then three
   * times per run (before it, at its start, at its end): run i (from 0) starts its check at
   * {@code 2.5 * (1 + 3i)} ms after the warm-up began and takes 2.5 ms.
   */
  private static LongSupplier fakeClock() {
    long[] now = {0};
    return () -> now[0] += 2_500_000;
  }

  @Test
  void timingWaitsUntilNoCompilationFinishedFor250Ms() {
    // all runs equally fast; the JIT counts as quiet from 250 ms after the warm-up began (what
    // it did before is unknown): run 33 (2.5 * 100 ms), past the 200 ms minimum
    Bencher.Record quiet = Bencher.measure(job(), new Bencher.Settings(1, 200, 3), fakeClock(),
        () -> 7, null);
    assertEquals(33, quiet.warmupRuns());
    // the JIT's total grows at each of its first 120 reads (one before the warm-up, one per run):
    // it last changes at run 118, and 250 ms later (7.5 ms per run) is run 118 + 34 = 152
    long[] reads = {0};
    LongSupplier busyJit = () -> ++reads[0] <= 120 ? reads[0] : 120;
    Bencher.Record r = Bencher.measure(job(), new Bencher.Settings(1, 200, 3), fakeClock(),
        busyJit, null);
    assertEquals(152, r.warmupRuns());
  }

  @Test
  void aJitThatNeverQuietsEndsTheWarmUpAtTenTimesTheMinimum() {
    long[] reads = {0};
    Bencher.Record r = Bencher.measure(job(), new Bencher.Settings(1, 200, 3), fakeClock(),
        () -> ++reads[0], null);
    // 2000 ms: 2.5 * (1 + 3i) >= 2000 first at run 267
    assertEquals(267, r.warmupRuns());
  }
}
