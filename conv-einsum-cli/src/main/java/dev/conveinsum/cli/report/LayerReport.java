package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.Checkpoint;
import dev.conveinsum.nn.Decomposition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code conv-einsum report} for one layer shape: every decomposition at every rate against the
 * dense layer, planned and (optionally) measured; its JSON, CSV, figures and page.
 */
final class LayerReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to measure. */
  enum Measure { NONE, FORWARD, TRAINING }

  /**
   * Measurements of one layer.
   *
   * @param forwardOptimal forward, optimal path
   * @param forwardNaive forward, naive path (or why not)
   * @param trainingStore forward+backward, optimal training path, STORE (null unless training)
   * @param trainingRecompute the same with RECOMPUTE (null unless training)
   * @param trainingNaive forward+backward, naive path, STORE (null unless training)
   * @param peakStore predicted forward+backward peak bytes, STORE
   * @param peakRecompute the same, RECOMPUTE
   * @param maxBatch the largest batches that fit the budget
   */
  record Measured(Measurer.Timing forwardOptimal, Measurer.Timing forwardNaive,
      Measurer.Timing trainingStore, Measurer.Timing trainingRecompute,
      Measurer.Timing trainingNaive, long peakStore, long peakRecompute,
      Measurer.MaxBatch maxBatch) {
    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      ObjectNode f = o.putObject("forward");
      f.set("optimal", forwardOptimal.toJson());
      f.set("naive", forwardNaive.toJson());
      if (trainingStore != null) {
        ObjectNode t = o.putObject("training");
        t.set("store", trainingStore.toJson());
        t.set("recompute", trainingRecompute.toJson());
        t.set("naive", trainingNaive.toJson());
      }
      ObjectNode p = o.putObject("peak_bytes");
      p.put("store", peakStore);
      p.put("recompute", peakRecompute);
      o.set("max_batch", maxBatch.toJson());
      return o;
    }
  }

  /** One layer with its measurements (null when not measured). */
  record Row(LayerFacts facts, Measured measured) {
    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.set("layer", facts.toJson());
      if (measured != null) {
        o.set("measured", measured.toJson());
      }
      return o;
    }
  }

  private final ObjectNode config;
  private final Machine machine;
  private final Row dense;
  private final List<Row> rows;
  private final Measure measure;
  private final long budget;

  private LayerReport(ObjectNode config, Machine machine, Row dense, List<Row> rows,
      Measure measure, long budget) {
    this.config = config;
    this.machine = machine;
    this.dense = dense;
    this.rows = rows;
    this.measure = measure;
    this.budget = budget;
  }

  /** Steps the progress bar takes for these layers (plus the dense one). */
  static long steps(int layers, Measure measure) {
    return measure == Measure.NONE ? layers + 1 : 2L * (layers + 1);
  }

  /** Measures the planned layers (and the dense layer) as asked. */
  static LayerReport run(ObjectNode config, Machine machine, LayerFacts denseFacts,
      List<LayerFacts> layers, Measure measure, Measurer m, Progress progress) {
    if (measure != Measure.NONE) {
      progress.doing("JIT warm-up");
      m.warmUpJit(layers.isEmpty() ? denseFacts : layers.get(0));
    }
    Row dense = new Row(denseFacts, measure(denseFacts, measure, m, progress, true));
    List<Row> rows = new ArrayList<>();
    for (LayerFacts f : layers) {
      rows.add(new Row(f, measure(f, measure, m, progress, false)));
    }
    return new LayerReport(config, machine, dense, rows, measure, m.budgetBytes());
  }

  private static Measured measure(LayerFacts f, Measure measure, Measurer m, Progress progress,
      boolean dense) {
    progress.doing(f.name());
    progress.step();
    if (measure == Measure.NONE) {
      return null;
    }
    Measurer.Timing fwd = new Measurer.Timing(m.time(f, "optimal", false, Checkpoint.STORE,
        null), null);
    Measurer.Timing naive = dense ? new Measurer.Timing(null, "same as optimal (one step)")
        : m.timeNaive(f, false, null);
    Measurer.Timing store = null;
    Measurer.Timing recompute = null;
    Measurer.Timing trainNaive = null;
    if (measure == Measure.TRAINING) {
      store = new Measurer.Timing(m.time(f, "optimal", true, Checkpoint.STORE, null), null);
      recompute = new Measurer.Timing(m.time(f, "optimal", true, Checkpoint.RECOMPUTE, null),
          null);
      trainNaive = dense ? new Measurer.Timing(null, "same as optimal (one step)")
          : m.timeNaive(f, true, null);
    }
    Measured out = new Measured(fwd, naive, store, recompute, trainNaive,
        m.trainingPeak(f, Checkpoint.STORE), m.trainingPeak(f, Checkpoint.RECOMPUTE),
        m.maxBatch(f));
    progress.step();
    return out;
  }

  /** Returns the report's JSON: generator, config, machine, dense, layers. */
  ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("generator", "conv-einsum report");
    o.set("config", config);
    o.set("machine", machine.toJson());
    o.set("dense", dense.toJson());
    ArrayNode a = o.putArray("layers");
    rows.forEach(r -> a.add(r.toJson()));
    return o;
  }

  /** Returns one CSV line per layer (dense first). */
  String csv() {
    StringBuilder sb = new StringBuilder("decomposition,compression_rate,ranks,parameters,"
        + "compression,flops,naive_flops,dense_flops,forward_optimal_ms,forward_naive_ms,"
        + "training_store_ms,training_recompute_ms,peak_store_bytes,peak_recompute_bytes,"
        + "max_batch_optimal_store,max_batch_optimal_recompute,max_batch_naive_store,"
        + "max_batch_naive_recompute\n");
    List<Row> all = new ArrayList<>();
    all.add(dense);
    all.addAll(rows);
    for (Row r : all) {
      LayerFacts f = r.facts();
      Measured m = r.measured();
      sb.append(f.decomposition()).append(',')
          .append(f.rate().isPresent() ? Double.toString(f.rate().getAsDouble()) : "")
          .append(",\"").append(f.spec().ranks().toString().replace(" ", "")).append("\",")
          .append(f.spec().parameters()).append(',').append(f.spec().compression()).append(',')
          .append(f.flops()).append(',').append(f.naiveFlops()).append(',')
          .append(f.denseFlops());
      if (m == null) {
        sb.append(",,,,,,,,,,");
      } else {
        sb.append(',').append(ms(m.forwardOptimal())).append(',').append(ms(m.forwardNaive()))
            .append(',').append(ms(m.trainingStore())).append(',')
            .append(ms(m.trainingRecompute())).append(',').append(m.peakStore()).append(',')
            .append(m.peakRecompute()).append(',').append(m.maxBatch().optimalStore())
            .append(',').append(m.maxBatch().optimalRecompute()).append(',')
            .append(m.maxBatch().naiveStore()).append(',').append(m.maxBatch().naiveRecompute());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String ms(Measurer.Timing t) {
    return t == null || t.record() == null ? "" : Double.toString(t.record().medianMs());
  }

  /** Returns the figures: FLOPs vs rate, and with measurements time, memory and max batch. */
  List<Charts.Figure> figures() {
    List<Charts.Figure> out = new ArrayList<>();
    String shape = shape();
    out.add(new Charts.Figure("flops", Charts.lines("FLOPs of the optimal path, " + shape,
        "forward FLOPs (log)", true, lines(r -> (double) r.facts().flops()),
        Map.of("dense layer", (double) dense.facts().flops())),
        "Forward FLOPs of the optimal path against the compression rate, per decomposition;"
            + " dashed: the dense layer."));
    if (measure == Measure.NONE) {
      return out;
    }
    out.add(new Charts.Figure("time", Charts.lines("Forward time, optimal path, " + shape,
        "median ms (log)", true, lines(r -> median(r.measured().forwardOptimal())),
        Map.of("dense layer", median(dense.measured().forwardOptimal()))),
        "Measured forward time (median) of the optimal path; dashed: the dense layer."
            + " Shared machine: noisy."));
    if (measure == Measure.TRAINING) {
      out.add(new Charts.Figure("training-time", Charts.lines("Forward+backward time, "
          + shape, "median ms (log)", true, lines(r -> median(r.measured().trainingStore())),
          Map.of("dense layer", median(dense.measured().trainingStore()))),
          "Measured forward+backward time (median, STORE) of the optimal training path;"
              + " dashed: the dense layer."));
    }
    out.add(new Charts.Figure("memory", Charts.lines("Forward+backward peak memory, " + shape,
        "MiB (log), STORE", true, lines(r -> r.measured().peakStore() / 1048576.0),
        Map.of("dense layer", dense.measured().peakStore() / 1048576.0)),
        "Peak memory of forward+backward on the optimal training path, intermediates stored"
            + " (the accounting bench reports as peak_bytes); dashed: the dense layer."));
    out.add(new Charts.Figure("max-batch", Charts.lines("Largest batch in "
        + Format.mib(budget) + " MiB, " + shape, "batch (log), optimal path, STORE", true,
        lines(r -> (double) r.measured().maxBatch().optimalStore()),
        Map.of("dense layer", (double) dense.measured().maxBatch().optimalStore())),
        "Largest batch whose forward+backward peak fits the memory budget (optimal path,"
            + " STORE); dashed: the dense layer."));
    return out;
  }

  private static double median(Measurer.Timing t) {
    return t == null || t.record() == null ? Double.NaN : t.record().medianMs();
  }

  private String shape() {
    LayerFacts f = dense.facts();
    return f.spec().inChannels() + "→" + f.spec().outChannels() + ", " + f.spec().kernelSize()
        + "×" + f.spec().kernelSize() + ", input " + f.batch() + "×" + f.spec().inChannels() + "×"
        + f.height() + "×" + f.width();
  }

  private List<Charts.Line> lines(java.util.function.ToDoubleFunction<Row> y) {
    Map<Decomposition, List<double[]>> byDecomposition = new LinkedHashMap<>();
    for (Row r : rows) {
      double v = y.applyAsDouble(r);
      if (!Double.isNaN(v)) {
        byDecomposition.computeIfAbsent(r.facts().decomposition(), k -> new ArrayList<>())
            .add(new double[] {r.facts().rate().orElse(r.facts().spec().compression()) * 100,
                v});
      }
    }
    List<Charts.Line> out = new ArrayList<>();
    byDecomposition.forEach((d, pts) -> out.add(new Charts.Line(d.name(), pts)));
    return out;
  }

  /** Returns the HTML page; {@code json} is {@link #toJson()} (the cells cite it). */
  String html(JsonNode json, List<Charts.Figure> figures, String command) {
    Html h = new Html();
    Pages.head(h, "conv-einsum report: " + shape());
    h.open("p").text("Every decomposition at every compression rate against the dense layer:"
        + " parameters, FLOPs of the optimal and the naive (left-to-right) path").text(
            measure == Measure.NONE ? "." : ", measured time, peak memory and the largest batch"
                + " that fits " + Format.mib(budget) + " MiB.").close().nl();
    h.open("p").text("Command: ").element("code", command).close().nl();
    Pages.machine(h, machine, measure != Measure.NONE);
    h.element("h2", "Parameters and FLOPs", "id", "s-flops").nl();
    h.element("p", "FLOPs as conv-einsum layer and path count them (SPEC section 4): forward,"
        + " at the input's batch. naive: operands contracted left to right.").nl();
    h.open("table", "id", "flops");
    Pages.headers(h, List.of("layer", "rate", "ranks", "parameters", "compression",
        "optimal FLOPs", "naive FLOPs", "naive / optimal", "dense FLOPs", "dense / optimal",
        "expression"));
    flopsRow(h, json, "/dense/layer", dense);
    for (int i = 0; i < rows.size(); i++) {
      flopsRow(h, json, "/layers/" + i + "/layer", rows.get(i));
    }
    h.close().nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().equals("flops")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
    if (measure != Measure.NONE) {
      timeSection(h, json, figures);
      memorySection(h, json, figures);
    } else {
      h.element("p", "Not measured: run with --measure forward or --measure training for"
          + " times, peak memory and the largest batch.").nl();
    }
    h.element("h2", "Training", "id", "s-training").nl();
    h.element("p", "Network training times (the paper's training table) are not part of this"
        + " report yet: they wait for the DJL training integration.", "class", "note").nl();
    h.element("h2", "Contraction trees", "id", "s-trees").nl();
    h.element("p", "The optimal path of each layer (conv-einsum path --svg draws the same"
        + " picture). Leaves are the operands; each step shows its contraction, index kinds,"
        + " FLOPs and result size, filled darker the more it costs.").nl();
    for (Row r : rows) {
      h.open("details", "open", r == rows.get(0) ? "open" : null).element("summary",
          r.facts().name() + ": path "
          + r.facts().optimal().path() + ", " + Format.big(r.facts().flops()) + " FLOPs");
      h.raw(TreeSvg.inline(r.facts().optimal())).close().nl();
    }
    h.element("h2", "Files", "id", "s-files").nl();
    h.open("p").element("a", "report.json", "href", "report.json").text(" (every number, with"
        + " the bench records) · ").element("a", "report.csv", "href", "report.csv")
        .text(" · figures as PNG and SVG under figures/").close().nl();
    Pages.end(h);
    return h.toString();
  }

  private static void flopsRow(Html h, JsonNode json, String ref, Row r) {
    LayerFacts f = r.facts();
    h.open("tr");
    Pages.text(h, f.decomposition().name());
    Pages.text(h, f.rate().isPresent() ? Format.percent(f.rate().getAsDouble()) : "-");
    Pages.code(h, f.spec().ranks().isEmpty() ? "-" : f.spec().ranks().toString());
    Pages.number(h, json, ref + "/parameters", Long.toString(f.spec().parameters()));
    Pages.number(h, json, ref + "/compression", String.format(Locale.ROOT, "%.4f",
        f.spec().compression()));
    Pages.number(h, json, ref + "/flops", Format.big(f.flops()));
    Pages.number(h, json, ref + "/naive_flops", Format.big(f.naiveFlops()));
    Pages.text(h, Format.ratio(f.naiveFlops() / (double) Math.max(1, f.flops())));
    Pages.number(h, json, ref + "/dense_flops", Format.big(f.denseFlops()));
    Pages.text(h, Format.ratio(f.denseFlops() / (double) Math.max(1, f.flops())));
    Pages.code(h, f.spec().expression());
    h.close().nl();
  }

  private void timeSection(Html h, JsonNode json, List<Charts.Figure> figures) {
    h.element("h2", "Time", "id", "s-time").nl();
    h.element("p", "Median of the timed runs after warm-up, as conv-einsum bench measures"
        + " (float32, random inputs); the naive path runs only where it costs at most "
        + config.path("naive_max_gflop").asText() + " GFLOP (--naive-max-gflop) and its"
        + " predicted peak fits half the heap.").nl();
    h.open("table", "id", "time");
    List<String> head = new ArrayList<>(List.of("layer", "rate", "forward optimal ms",
        "forward naive ms", "naive / optimal", "dense / optimal"));
    if (measure == Measure.TRAINING) {
      head.addAll(List.of("fwd+bwd STORE ms", "fwd+bwd RECOMPUTE ms", "fwd+bwd naive ms"));
    }
    Pages.headers(h, head);
    timeRow(h, json, "/dense/measured", dense, dense);
    for (int i = 0; i < rows.size(); i++) {
      timeRow(h, json, "/layers/" + i + "/measured", rows.get(i), dense);
    }
    h.close().nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().contains("time")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
  }

  private void timeRow(Html h, JsonNode json, String ref, Row r, Row denseRow) {
    Measured m = r.measured();
    h.open("tr");
    Pages.text(h, r.facts().decomposition().name());
    Pages.text(h, r.facts().rate().isPresent() ? Format.percent(r.facts().rate().getAsDouble())
        : "-");
    timing(h, json, ref + "/forward/optimal", m.forwardOptimal());
    timing(h, json, ref + "/forward/naive", m.forwardNaive());
    double opt = median(m.forwardOptimal());
    double naive = median(m.forwardNaive());
    Pages.text(h, Double.isNaN(naive) ? "-" : Format.ratio(naive / opt));
    Pages.text(h, Format.ratio(median(denseRow.measured().forwardOptimal()) / opt));
    if (measure == Measure.TRAINING) {
      timing(h, json, ref + "/training/store", m.trainingStore());
      timing(h, json, ref + "/training/recompute", m.trainingRecompute());
      timing(h, json, ref + "/training/naive", m.trainingNaive());
    }
    h.close().nl();
  }

  private static void timing(Html h, JsonNode json, String ref, Measurer.Timing t) {
    if (t.record() == null) {
      Pages.text(h, t.skipped());
    } else {
      Pages.number(h, json, ref + "/median_ms", Format.ms(t.record().medianMs()));
    }
  }

  private void memorySection(Html h, JsonNode json, List<Charts.Figure> figures) {
    h.element("h2", "Memory and the largest batch", "id", "s-memory").nl();
    h.element("p", "Peak bytes held by operands, intermediates and gradients during one"
        + " forward+backward call at the input's batch (CompiledPlan's accounting: what bench"
        + " reports as predicted_peak_bytes, and measures as peak_bytes). STORE keeps the"
        + " forward intermediates for the backward pass; RECOMPUTE recomputes them. Largest"
        + " batch: the largest batch whose forward+backward peak fits " + Format.mib(budget)
        + " MiB, found by doubling from 1 while it fits (up to " + Measurer.MAX_BATCH_LIMIT
        + "), then bisecting between the last batch that fit and the first that did not;"
        + " 0: not even batch 1 fits.").nl();
    h.open("table", "id", "memory");
    Pages.headers(h, List.of("layer", "rate", "peak MiB STORE", "peak MiB RECOMPUTE",
        "max batch optimal STORE", "optimal RECOMPUTE", "naive STORE", "naive RECOMPUTE"));
    memoryRow(h, json, "/dense/measured", dense);
    for (int i = 0; i < rows.size(); i++) {
      memoryRow(h, json, "/layers/" + i + "/measured", rows.get(i));
    }
    h.close().nl();
    h.open("div", "class", "figs");
    for (Charts.Figure f : figures) {
      if (f.name().equals("memory") || f.name().equals("max-batch")) {
        Pages.figure(h, f);
      }
    }
    h.close().nl();
  }

  private static void memoryRow(Html h, JsonNode json, String ref, Row r) {
    Measured m = r.measured();
    h.open("tr");
    Pages.text(h, r.facts().decomposition().name());
    Pages.text(h, r.facts().rate().isPresent() ? Format.percent(r.facts().rate().getAsDouble())
        : "-");
    Pages.number(h, json, ref + "/peak_bytes/store", Format.mib(m.peakStore()));
    Pages.number(h, json, ref + "/peak_bytes/recompute", Format.mib(m.peakRecompute()));
    for (String k : List.of("optimal_store", "optimal_recompute", "naive_store",
        "naive_recompute")) {
      JsonNode v = json.at(ref + "/max_batch/" + k);
      Pages.number(h, json, ref + "/max_batch/" + k, v.asText());
    }
    h.close().nl();
  }
}
