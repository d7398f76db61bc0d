package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.Checkpoint;
import dev.conveinsum.nn.BenchEntry;
import dev.conveinsum.nn.BenchList;
import dev.conveinsum.nn.Decomposition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code conv-einsum report --paper}: the paper's tables for the 192 layers of the bench list
 * ({@link BenchList#resnet34Cifar()}, the entries of {@code bench/tnn_layers.json}) on this
 * machine: FLOPs of the optimal and the naive path for every entry; forward time (optimal,
 * naive, dense) for the {@link #TIMING_SUBSET}; the largest batch under a memory budget for the
 * {@link #MAX_BATCH_SUBSET}.
 */
final class PaperReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The entries timed: stage 2 (128 channels, 16x16) at CR 10 %, every decomposition. */
  static final String TIMING_SUBSET = "stage2-cr010";

  /** The entries of the max-batch table: every stage at CR 10 %, every decomposition. */
  static final String MAX_BATCH_SUBSET = "cr010";

  private static final String[] STAGES = {"stage1", "stage2", "stage3", "stage4"};

  /**
   * A timed entry: its forward time at the timing batch, and the naive path against the
   * optimal one at the largest batch (halving from the timing batch) where the naive path costs
   * at most the naive FLOP limit.
   *
   * @param facts the entry at the timing batch
   * @param optimal forward time of the optimal path at the timing batch
   * @param naiveFacts the entry at the naive comparison's batch, or null when the naive path
   *     was not run
   * @param naiveOptimal the optimal path at that batch (the same as {@code optimal} when the
   *     batches are equal), or null
   * @param naive the naive path at that batch, or why it was not run
   */
  record Timed(LayerFacts facts, Measurer.Timing optimal, LayerFacts naiveFacts,
      Measurer.Timing naiveOptimal, Measurer.Timing naive) {}

  /** A max-batch entry. */
  record Batched(LayerFacts facts, Measurer.MaxBatch maxBatch) {}

  private final ObjectNode config;
  private final Machine machine;
  private final List<BenchEntry> entries;
  private final List<LayerFacts> flops;
  private final Map<String, LayerFacts> dense;
  private final List<Timed> timed;
  private final List<Batched> batched;
  private final long budget;
  private final int timingBatch;

  private PaperReport(ObjectNode config, Machine machine, List<BenchEntry> entries,
      List<LayerFacts> flops, Map<String, LayerFacts> dense, List<Timed> timed,
      List<Batched> batched, long budget, int timingBatch) {
    this.config = config;
    this.machine = machine;
    this.entries = entries;
    this.flops = flops;
    this.dense = dense;
    this.timed = timed;
    this.batched = batched;
    this.budget = budget;
    this.timingBatch = timingBatch;
  }

  /** Steps of the progress bar: plan all, time the subset, search the max-batch subset. */
  static long steps() {
    List<BenchEntry> all = BenchList.resnet34Cifar();
    long timing = all.stream().filter(e -> e.name().endsWith(TIMING_SUBSET)).count() + 1;
    long batch = all.stream().filter(e -> e.name().endsWith(MAX_BATCH_SUBSET)).count() + 4;
    return all.size() + STAGES.length + timing + batch;
  }

  /** Plans every entry, times and searches the subsets. */
  static PaperReport run(ObjectNode config, Machine machine, Measurer m, int timingBatch,
      Progress progress) {
    List<BenchEntry> entries = BenchList.resnet34Cifar();
    List<LayerFacts> flops = new ArrayList<>();
    Map<String, LayerFacts> dense = new LinkedHashMap<>();
    Map<String, BenchEntry> firstOfStage = new LinkedHashMap<>();
    for (BenchEntry e : entries) {
      progress.doing(e.name());
      flops.add(LayerFacts.of(e.name(), e.spec(), e.batch(), e.height(), e.width()));
      firstOfStage.putIfAbsent(e.stage(), e);
      progress.step();
    }
    for (BenchEntry e : firstOfStage.values()) {
      dense.put(e.stage(), LayerFacts.of("DENSE-" + e.stage(), LayerFacts.dense(e.spec()),
          e.batch(), e.height(), e.width()));
      progress.step();
    }
    List<Timed> timed = new ArrayList<>();
    progress.doing("JIT warm-up");
    for (BenchEntry e : entries) {
      if (e.name().endsWith(TIMING_SUBSET)) {
        m.warmUpJit(LayerFacts.of(e.name(), e.spec(), timingBatch, e.height(), e.width()));
        break;
      }
    }
    for (BenchEntry e : entries) {
      if (e.name().endsWith(TIMING_SUBSET)) {
        progress.doing("time " + e.name());
        timed.add(time(LayerFacts.of(e.name(), e.spec(), timingBatch, e.height(), e.width()), m,
            false));
        progress.step();
      }
    }
    BenchEntry stage2 = firstOfStage.get("stage2");
    progress.doing("time DENSE-stage2");
    timed.add(time(LayerFacts.of("DENSE-stage2", LayerFacts.dense(stage2.spec()), timingBatch,
        stage2.height(), stage2.width()), m, true));
    progress.step();
    List<Batched> batched = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).name().endsWith(MAX_BATCH_SUBSET)) {
        progress.doing("max batch " + entries.get(i).name());
        batched.add(new Batched(flops.get(i), m.maxBatch(flops.get(i))));
        progress.step();
      }
    }
    for (LayerFacts d : dense.values()) {
      progress.doing("max batch " + d.name());
      batched.add(new Batched(d, m.maxBatch(d)));
      progress.step();
    }
    return new PaperReport(config, machine, entries, flops, dense, timed, batched,
        m.budgetBytes(), timingBatch);
  }

  private static Timed time(LayerFacts f, Measurer m, boolean dense) {
    Measurer.Timing opt = new Measurer.Timing(m.time(f, "optimal", false, Checkpoint.STORE,
        null), null);
    if (dense) {
      return new Timed(f, opt, null, null, new Measurer.Timing(null,
          "same as optimal (one step)"));
    }
    LayerFacts atB = f;
    while (atB.batch() > 1 && m.naiveObstacle(atB, false) != null) {
      atB = LayerFacts.of(f.name(), f.spec(), atB.batch() / 2, f.height(), f.width());
    }
    Measurer.Timing naive = m.timeNaive(atB, false, null);
    if (naive.record() == null) {
      return new Timed(f, opt, null, null, naive);
    }
    Measurer.Timing optAtB = atB == f ? opt : new Measurer.Timing(m.time(atB, "optimal", false,
        Checkpoint.STORE, null), null);
    return new Timed(f, opt, atB, optAtB, naive);
  }

  /** Returns the JSON: config, machine, flops (192), dense (4), timing, max_batch. */
  ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("generator", "conv-einsum report --paper");
    o.set("config", config);
    o.set("machine", machine.toJson());
    ArrayNode f = o.putArray("flops");
    for (int i = 0; i < flops.size(); i++) {
      ObjectNode n = flops.get(i).toJson();
      n.put("stage", entries.get(i).stage());
      f.add(n);
    }
    ObjectNode d = o.putObject("dense");
    dense.forEach((stage, facts) -> d.set(stage, facts.toJson()));
    ArrayNode t = o.putArray("timing");
    for (Timed x : timed) {
      ObjectNode n = JSON.createObjectNode();
      n.set("layer", x.facts().toJson());
      n.putObject("forward").set("optimal", x.optimal().toJson());
      ObjectNode c = n.putObject("naive_comparison");
      if (x.naiveFacts() == null) {
        c.put("skipped", x.naive().skipped());
      } else {
        c.set("layer", x.naiveFacts().toJson());
        c.set("optimal", x.naiveOptimal().toJson());
        c.set("naive", x.naive().toJson());
      }
      t.add(n);
    }
    ArrayNode b = o.putArray("max_batch");
    for (Batched x : batched) {
      ObjectNode n = JSON.createObjectNode();
      n.put("name", x.facts().name());
      n.set("max_batch", x.maxBatch().toJson());
      b.add(n);
    }
    return o;
  }

  /** The CSV of the FLOPs table (192 lines). */
  String flopsCsv() {
    StringBuilder sb = new StringBuilder("name,decomposition,stage,compression_rate,ranks,"
        + "parameters,flops,naive_flops,dense_flops\n");
    for (int i = 0; i < flops.size(); i++) {
      LayerFacts f = flops.get(i);
      sb.append(f.name()).append(',').append(f.decomposition()).append(',')
          .append(entries.get(i).stage()).append(',').append(f.rate().orElse(Double.NaN))
          .append(",\"").append(f.spec().ranks().toString().replace(" ", "")).append("\",")
          .append(f.spec().parameters()).append(',').append(f.flops()).append(',')
          .append(f.naiveFlops()).append(',').append(f.denseFlops()).append('\n');
    }
    return sb.toString();
  }

  /** The CSV of the timing and max-batch tables. */
  String measuredCsv() {
    StringBuilder sb = new StringBuilder("name,batch,forward_optimal_ms,naive_batch,"
        + "forward_optimal_ms_at_naive_batch,forward_naive_ms\n");
    for (Timed t : timed) {
      sb.append(t.facts().name()).append(',').append(t.facts().batch()).append(',')
          .append(t.optimal().record().medianMs()).append(',');
      if (t.naiveFacts() != null) {
        sb.append(t.naiveFacts().batch()).append(',')
            .append(t.naiveOptimal().record().medianMs()).append(',')
            .append(t.naive().record().medianMs());
      } else {
        sb.append(",,");
      }
      sb.append('\n');
    }
    sb.append("\nname,max_batch_optimal_store,max_batch_optimal_recompute,"
        + "max_batch_naive_store,max_batch_naive_recompute\n");
    for (Batched b : batched) {
      Measurer.MaxBatch m = b.maxBatch();
      sb.append(b.facts().name()).append(',').append(m.optimalStore()).append(',')
          .append(m.optimalRecompute()).append(',').append(m.naiveStore()).append(',')
          .append(m.naiveRecompute()).append('\n');
    }
    return sb.toString();
  }

  /** Figures: FLOPs vs rate per stage, forward time of the subset, max batch of the subset. */
  List<Charts.Figure> figures() {
    List<Charts.Figure> out = new ArrayList<>();
    for (String stage : STAGES) {
      Map<Decomposition, List<double[]>> pts = new LinkedHashMap<>();
      for (int i = 0; i < flops.size(); i++) {
        if (entries.get(i).stage().equals(stage)) {
          LayerFacts f = flops.get(i);
          pts.computeIfAbsent(f.decomposition(), k -> new ArrayList<>())
              .add(new double[] {f.rate().getAsDouble() * 100, f.flops()});
        }
      }
      List<Charts.Line> lines = new ArrayList<>();
      pts.forEach((d, p) -> lines.add(new Charts.Line(d.name(), p)));
      LayerFacts d = dense.get(stage);
      out.add(new Charts.Figure("paper-flops-" + stage, Charts.lines("ResNet-34 " + stage + ": "
          + d.spec().inChannels() + " channels, " + d.height() + "×" + d.width() + ", batch "
          + d.batch(), "forward FLOPs, optimal path (log)", true, lines,
          Map.of("dense layer", (double) d.flops())), "Forward FLOPs of the optimal path per"
              + " decomposition, " + stage + "; dashed: the dense layer."));
    }
    LinkedHashMap<String, LinkedHashMap<String, Double>> time = new LinkedHashMap<>();
    for (String series : List.of("optimal", "naive")) {
      LinkedHashMap<String, Double> byName = new LinkedHashMap<>();
      for (Timed t : timed) {
        if (t.naiveFacts() != null) {
          Measurer.Timing x = series.equals("optimal") ? t.naiveOptimal() : t.naive();
          byName.put(t.facts().name() + " (b" + t.naiveFacts().batch() + ")",
              x.record().medianMs());
        }
      }
      time.put(series, byName);
    }
    out.add(new Charts.Figure("paper-forward-time", Charts.bars("Forward time, naive vs"
        + " optimal path (timing subset)", "median ms (log)", true, time),
        "Measured forward time (median) of the optimal and the naive path at the batch (b) where"
            + " the naive path was run; entries whose naive path was not run are left out."
            + " Shared machine: noisy."));
    LinkedHashMap<String, LinkedHashMap<String, Double>> mb = new LinkedHashMap<>();
    for (String series : List.of("optimal STORE", "optimal RECOMPUTE", "naive STORE")) {
      LinkedHashMap<String, Double> byName = new LinkedHashMap<>();
      for (Batched b : batched) {
        if (b.facts().name().contains("stage2")) {
          Measurer.MaxBatch m = b.maxBatch();
          int v = switch (series) {
            case "optimal STORE" -> m.optimalStore();
            case "optimal RECOMPUTE" -> m.optimalRecompute();
            default -> m.naiveStore();
          };
          byName.put(b.facts().name(), (double) v);
        }
      }
      mb.put(series, byName);
    }
    out.add(new Charts.Figure("paper-max-batch", Charts.bars("Largest batch in "
        + Format.mib(budget) + " MiB, stage 2, CR 10 %", "batch (log)", true, mb),
        "Largest batch whose forward+backward peak fits the budget, stage 2 entries of the"
            + " max-batch subset; a missing bar: 0 (not even batch 1 fits)."));
    return out;
  }

  /** Returns the HTML page; {@code json} is {@link #toJson()} (the cells cite it). */
  String html(JsonNode json, List<Charts.Figure> figures, String command) {
    Html h = new Html();
    Pages.head(h, "conv-einsum: the paper's tables on this CPU");
    h.open("p").text("The layers of the bench list (conv-einsum-nn's BenchList, the 192 entries"
        + " of bench/tnn_layers.json): " + BenchList.RESNET34_CIFAR_DESCRIPTION).close().nl();
    h.open("p").text("Generated by ").element("code", command).text("; the CPU analogues of"
        + " the paper's FLOPs, time and max-batch tables.").close().nl();
    Pages.machine(h, machine, true);
    h.element("h2", "FLOPs: naive vs optimal, all 192 entries", 
        "id", "s-flops").nl();
    h.element("p", "Forward FLOPs at batch 128 as conv-einsum layer and path count them (SPEC"
        + " section 4). naive: operands contracted left to right, the paper's baseline.").nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().startsWith("paper-flops")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
    h.open("table", "id", "flops");
    Pages.headers(h, List.of("entry", "stage", "rate", "ranks", "parameters", "optimal FLOPs",
        "naive FLOPs", "naive / optimal", "dense / optimal"));
    for (int i = 0; i < flops.size(); i++) {
      LayerFacts f = flops.get(i);
      String ref = "/flops/" + i;
      h.open("tr");
      Pages.text(h, f.name());
      Pages.text(h, entries.get(i).stage());
      Pages.text(h, Format.percent(f.rate().getAsDouble()));
      Pages.code(h, f.spec().ranks().toString());
      Pages.number(h, json, ref + "/parameters", Long.toString(f.spec().parameters()));
      Pages.number(h, json, ref + "/flops", Format.big(f.flops()));
      Pages.number(h, json, ref + "/naive_flops", Format.big(f.naiveFlops()));
      Pages.text(h, Format.ratio(f.naiveFlops() / (double) Math.max(1, f.flops())));
      Pages.text(h, Format.ratio(f.denseFlops() / (double) Math.max(1, f.flops())));
      h.close().nl();
    }
    h.close().nl();
    h.open("p").text("Dense layers: ");
    for (String stage : STAGES) {
      h.text(stage + " ").open("span", "data-ref", "/dense/" + stage + "/flops", "data-value",
          Long.toString(dense.get(stage).flops())).text(Format.big(dense.get(stage).flops()))
          .close().text(" FLOPs; ");
    }
    h.close().nl();
    h.element("h2", "Forward time (subset)", "id", "s-time").nl();
    h.element("p", String.format(Locale.ROOT, "Subset: the entries named *-%s (stage 2: 128"
        + " channels, 16×16, CR 10 %%, one per decomposition) and the dense stage-2 layer."
        + " Optimal path and dense layer at batch %d (the list's is 128); the naive path at the"
        + " largest batch, halving from %d, where it costs at most %s GFLOP and its predicted"
        + " peak fits half the heap (its time grows with the batch: the list's batch would take"
        + " minutes to hours per call here), with the optimal path timed again at that batch"
        + " for the ratio. Median of the timed runs"
        + " after warm-up, as conv-einsum bench measures.", TIMING_SUBSET, timingBatch,
        timingBatch, config.path("naive_max_gflop").asText())).nl();
    h.open("table", "id", "time");
    Pages.headers(h, List.of("entry", "batch", "optimal ms", "dense / optimal", "naive batch",
        "optimal ms", "naive ms", "naive / optimal"));
    double denseMs = timed.get(timed.size() - 1).optimal().record().medianMs();
    for (int i = 0; i < timed.size(); i++) {
      Timed t = timed.get(i);
      String ref = "/timing/" + i;
      h.open("tr");
      Pages.text(h, t.facts().name());
      Pages.number(h, json, ref + "/layer/input_shape/0", Long.toString(t.facts().batch()));
      double opt = t.optimal().record().medianMs();
      Pages.number(h, json, ref + "/forward/optimal/median_ms", Format.ms(opt));
      Pages.text(h, Format.ratio(denseMs / opt));
      if (t.naiveFacts() == null) {
        Pages.text(h, "-");
        Pages.text(h, "-");
        Pages.text(h, t.naive().skipped());
        Pages.text(h, "-");
      } else {
        String c = ref + "/naive_comparison";
        Pages.number(h, json, c + "/layer/input_shape/0",
            Long.toString(t.naiveFacts().batch()));
        double o = t.naiveOptimal().record().medianMs();
        double n = t.naive().record().medianMs();
        Pages.number(h, json, c + "/optimal/median_ms", Format.ms(o));
        Pages.number(h, json, c + "/naive/median_ms", Format.ms(n));
        Pages.text(h, Format.ratio(n / o));
      }
      h.close().nl();
    }
    h.close().nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().equals("paper-forward-time")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
    h.element("h2", "Training time", "id", "s-training").nl();
    h.element("p", "The paper's training table (time per training step of whole networks) is"
        + " left out: it waits for the DJL training integration and joins this page when that"
        + " lands.", "class", "note").nl();
    h.element("h2", "Largest batch under " + Format.mib(budget) + " MiB (subset)", "id",
        "s-max-batch").nl();
    h.element("p", "Subset: the entries named *-" + MAX_BATCH_SUBSET + " (every stage at CR 10"
        + " %, one per decomposition) and the four dense layers. The largest batch whose"
        + " forward+backward peak (operands, intermediates and gradients, CompiledPlan's"
        + " accounting, which an execution measures exactly) fits the budget: doubling from 1"
        + " while it fits (up to " + Measurer.MAX_BATCH_LIMIT + "), then bisection; optimal:"
        + " the training-optimal path; STORE keeps the forward intermediates, RECOMPUTE"
        + " recomputes them (checkpointing); 0: not even batch 1 fits.").nl();
    h.open("table", "id", "max-batch");
    Pages.headers(h, List.of("entry", "optimal STORE", "optimal RECOMPUTE", "naive STORE",
        "naive RECOMPUTE"));
    for (int i = 0; i < batched.size(); i++) {
      h.open("tr");
      Pages.text(h, batched.get(i).facts().name());
      for (String k : List.of("optimal_store", "optimal_recompute", "naive_store",
          "naive_recompute")) {
        String ref = "/max_batch/" + i + "/max_batch/" + k;
        Pages.number(h, json, ref, json.at(ref).asText());
      }
      h.close().nl();
    }
    h.close().nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().equals("paper-max-batch")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
    h.element("h2", "Contraction trees (timing subset)", "id", "s-trees").nl();
    for (Timed t : timed) {
      h.open("details", "open", t == timed.get(0) ? "open" : null).element("summary",
          t.facts().name() + ": path "
          + t.facts().optimal().path() + ", " + Format.big(t.facts().flops()) + " FLOPs at batch "
          + t.facts().batch());
      h.raw(TreeSvg.inline(t.facts().optimal())).close().nl();
    }
    h.element("h2", "Files", "id", "s-files").nl();
    h.open("p").element("a", "paper-flops.csv", "href", "paper-flops.csv").text(" (the FLOPs"
        + " table) · ").element("a", "paper-measured.csv", "href", "paper-measured.csv")
        .text(" (time and max batch) · figures as PNG and SVG under figures/").close().nl();
    Pages.end(h);
    return h.toString();
  }
}
