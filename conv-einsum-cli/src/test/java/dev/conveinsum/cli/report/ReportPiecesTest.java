package dev.conveinsum.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cli.Bencher;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The report's parts: its timing goes through bench's loop, its search, sizes and HTML. */
class ReportPiecesTest {
  private static final LayerSpec CP = LayerSpec.builder().setInChannels(8).setOutChannels(8)
      .setKernelSize(3).setDecomposition(Decomposition.CP).optCompressionRate(0.5).build();

  /** A clock that moves {@code stepNs} on every reading: every timed call lasts one step. */
  private static LongSupplier fakeClock(long stepNs) {
    long[] now = {0};
    return () -> now[0] += stepNs;
  }

  @Test
  void reportTimingIsBenchsRecordUnderAFakeClock() {
    LayerFacts f = LayerFacts.of("CP 50%", CP, 2, 6, 6);
    Bencher.Settings settings = new Bencher.Settings(3, 0, 4);
    Measurer m = new Measurer(ConvEinsum.defaultEngine(), 1, settings, fakeClock(2_500_000),
        1L << 30, Long.MAX_VALUE, 1L << 30);
    Bencher.Record mine = m.time(f, "optimal", false, Checkpoint.STORE, null);
    // what bench does for "bench EXPR --shapes ... --path optimal": the auto optimizer's path
    BoundExpression bound = ConvEinsum.bind(CP.expression(), CP.options(), f.shapes());
    Bencher.Record bench = Bencher.measure(new Bencher.Job(CP.expression(),
        ConvEinsum.plan(bound, PlanOptions.optimizer("auto")), false,
        Checkpoint.STORE, DType.FLOAT32, ConvEinsum.defaultEngine(), 1), settings,
        fakeClock(2_500_000), null);
    // the same record, but for the CPU time the two loops really took
    var benchJson = bench.toJson();
    var mineJson = mine.toJson();
    assertTrue(benchJson.remove("cpu_cores") != null && mineJson.remove("cpu_cores") != null);
    assertEquals(benchJson, mineJson);
    // each timed call spans exactly one clock step: 2.5 ms; 3 warm-up runs, then 4 timed
    assertEquals(2.5, mine.medianMs(), 1e-12);
    assertEquals(2.5, mine.minMs(), 1e-12);
    assertEquals(3, mine.warmupRuns());
    assertEquals(4, mine.reps());
    assertEquals(f.flops(), mine.flops());
    assertEquals(f.flops() / 2.5e6, mine.gflops(), 1e-9);
    assertEquals(mine.predictedPeakBytes(), mine.peakBytes());
  }

  @Test
  void maxBatchIsTheLargestBatchThatFitsByBruteForce() {
    LayerFacts f = LayerFacts.of("CP 50%", CP, 2, 6, 6);
    long budget = 300_000;
    Measurer m = new Measurer(ConvEinsum.defaultEngine(), 1, new Bencher.Settings(0, 0, 1),
        System::nanoTime, budget, 0, 1L << 30);
    for (Checkpoint mode : Checkpoint.values()) {
      for (String optimizer : List.of("optimal", "naive")) {
        int expected = 0;
        for (int b = 1; b <= 400; b++) { // linear scan: every batch planned and predicted
          List<long[]> shapes = new ArrayList<>(f.shapes());
          shapes.set(0, new long[] {b, 8, 6, 6});
          BoundExpression bound = ConvEinsum.bind(CP.expression(), CP.options(), shapes);
          PlanOptions po = PlanOptions.optimizer(optimizer.equals("optimal") ? "auto"
              : optimizer).withTrain(null);
          long peak = ConvEinsum.compile(ConvEinsum.plan(bound, po))
              .predictPeakBytes(DType.FLOAT32, true, mode);
          if (peak <= budget) {
            expected = b;
          }
        }
        int got = m.maxBatch(f, optimizer, mode);
        assertEquals(expected, got, optimizer + " " + mode);
        assertEquals(true, got > 0 && got < 400, "the scan covers the answer: " + got);
      }
    }
  }

  @Test
  void memoryBudgetSizes() {
    assertEquals(2L << 30, ReportCommand.bytes("2GiB"));
    assertEquals(512L << 20, ReportCommand.bytes("512MiB"));
    assertEquals(1_500_000_000L, ReportCommand.bytes("1.5GB"));
    assertEquals(1000, ReportCommand.bytes("1000"));
    assertEquals(4096, ReportCommand.bytes("4 kib"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.bytes("2 GiBs"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.bytes("-1GiB"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.bytes("0.1"));
  }

  @Test
  void listsAreParsedAndChecked() {
    assertEquals(List.of(Decomposition.CP, Decomposition.RTR),
        ReportCommand.decompositions(" cp, RTR,cp"));
    assertEquals(List.of(0.01, 1.0), ReportCommand.rates("0.01,1"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.rates("0.5,"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.rates("1.0000001"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.rates("NaN"));
    assertThrows(ConvEinsumException.class, () -> ReportCommand.decompositions("cp,,tk"));
  }

  @Test
  void htmlEscapesTextAndAttributesAndClosesEverything() {
    Html h = new Html();
    h.open("p", "title", "a \"b\" <c> & 'd'").text("x < y && z > 'w'").close();
    assertEquals("<p title=\"a &quot;b&quot; &lt;c&gt; &amp; &#39;d&#39;\">x &lt; y &amp;&amp; z"
        + " &gt; &#39;w&#39;</p>", h.toString());
    Html open = new Html().open("div");
    assertThrows(IllegalStateException.class, open::toString);
  }

  @Test
  void formats() {
    assertEquals("99999", Format.big(99_999));
    assertEquals("7.019e+07", Format.big(70_189_056)); // as path prints it (README)
    assertEquals("5%", Format.percent(0.05));
    assertEquals("100%", Format.percent(1));
    assertEquals("12.5", Format.mib(13_107_200));
  }
}
