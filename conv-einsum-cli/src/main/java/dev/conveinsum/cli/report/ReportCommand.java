package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cli.Bencher;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.nn.BenchList;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv-einsum report}: an HTML page of tables and figures for one layer, or the paper's. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write an HTML report (DIR/index.html, figures as PNG and SVG, the numbers"
        + " as JSON and CSV): for one layer shape, every decomposition at every compression"
        + " rate against the dense layer (parameters, FLOPs of the optimal and naive paths;"
        + " with --measure: time, peak memory under STORE and RECOMPUTE, the largest batch"
        + " that fits --memory-budget) and each layer's contraction tree.",
        "With --paper: the paper's tables for the 192 layers of the bench list (FLOPs for all,"
            + " forward time and max batch for documented subsets)."})
public final class ReportCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--in", paramLabel = "S", description = "input channels")
  Integer in;

  @Option(names = "--out", paramLabel = "T", description = "output channels")
  Integer out;

  @Option(names = "--kernel", defaultValue = "3", paramLabel = "K",
      description = "kernel size (default: ${DEFAULT-VALUE})")
  int kernel;

  @Option(names = "--input", paramLabel = "BxSxHxW",
      description = "input shape, e.g. 32x64x32x32")
  String input;

  @Option(names = "--decompositions", paramLabel = "LIST",
      defaultValue = "cp,rcp,tk,rtk,tt,rtt,tr,rtr",
      description = "comma-separated decompositions (default: ${DEFAULT-VALUE})")
  String decompositions;

  @Option(names = "--cr", paramLabel = "RATES", defaultValue = "0.01,0.05,0.1,0.2,0.5,1",
      description = "comma-separated compression rates in (0, 1] (default: ${DEFAULT-VALUE})")
  String rates;

  @Option(names = "--measure", paramLabel = "WHAT", defaultValue = "none",
      description = "none (default), forward, or training (forward and forward+backward)")
  String measure;

  @Option(names = "--memory-budget", paramLabel = "SIZE", defaultValue = "2GiB",
      description = "budget of the max-batch search, e.g. 2GiB, 512MiB (default:"
          + " ${DEFAULT-VALUE})")
  String memoryBudget;

  @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "conv-einsum-report",
      description = "where to write index.html and its files (default: ${DEFAULT-VALUE});"
          + " files there that an earlier report did not write are never replaced")
  Path outDir;

  @Option(names = "--paper", description = "the paper's tables for the 192 bench-list layers")
  boolean paper;

  @Option(names = "--paper-batch", paramLabel = "B", defaultValue = "32",
      description = "with --paper: batch of the timing subset (default: ${DEFAULT-VALUE})")
  int paperBatch;

  @Option(names = "--threads", paramLabel = "N",
      description = "threads (default: available processors)")
  Integer threads;

  @Option(names = "--reps", paramLabel = "R", defaultValue = "3",
      description = "timed runs per measurement (default: ${DEFAULT-VALUE})")
  int reps;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "300",
      description = "warm-up per measurement as in bench --warmup-ms (default:"
          + " ${DEFAULT-VALUE})")
  long warmupMs;

  @Option(names = "--naive-max-gflop", paramLabel = "G", defaultValue = "5",
      description = "time the naive path only up to this many GFLOPs (default:"
          + " ${DEFAULT-VALUE})")
  double naiveMaxGflop;

  @Option(names = "--json", description = "also print the report's JSON on standard output"
      + " (and nothing else)")
  boolean json;

  @Option(names = "--no-progress", description = "no progress bar on standard error")
  boolean noProgress;

  /** Warm-up runs before the warm-up time counts, as bench's --warmup. */
  private static final int WARMUP_RUNS = 2;

  @Override
  public Integer call() throws IOException {
    // Everything is checked before any work, so bad input costs nothing and writes nothing.
    LayerReport.Measure mode = measureMode(measure);
    long budget = bytes(memoryBudget);
    if (reps < 1 || warmupMs < 0) {
      throw new ConvEinsumException("--reps must be >= 1 and --warmup-ms >= 0");
    }
    if (!(naiveMaxGflop >= 0)) {
      throw new ConvEinsumException("--naive-max-gflop must be >= 0, got " + naiveMaxGflop);
    }
    int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (nThreads < 1) {
      throw new ConvEinsumException("--threads must be >= 1, got " + nThreads);
    }
    List<Decomposition> ds = decompositions(decompositions);
    List<Double> rs = rates(rates);
    System.setProperty("java.awt.headless", "true");
    Engine engine = ConvEinsum.defaultEngine();
    Measurer m = new Measurer(engine, nThreads, new Bencher.Settings(WARMUP_RUNS, warmupMs, reps),
        System::nanoTime, budget, (long) (naiveMaxGflop * 1e9),
        Runtime.getRuntime().maxMemory());
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode config = JSON.createObjectNode();
    config.put("memory_budget_bytes", budget);
    config.put("reps", reps);
    config.put("warmup_ms", warmupMs);
    config.put("naive_max_gflop", naiveMaxGflop);
    config.put("threads", nThreads);
    String command = commandLine();
    Machine machine = Machine.here(engine.name(), nThreads);
    if (paper) {
      if (paperBatch < 1) {
        throw new ConvEinsumException("--paper-batch must be >= 1, got " + paperBatch);
      }
      config.put("paper_batch", paperBatch);
      config.put("timing_subset", "*-" + PaperReport.TIMING_SUBSET);
      config.put("max_batch_subset", "*-" + PaperReport.MAX_BATCH_SUBSET);
      List<String> names = new ArrayList<>(List.of("index.html", "paper.json", "paper-flops.csv",
          "paper-measured.csv"));
      for (String f : List.of("paper-flops-stage1", "paper-flops-stage2", "paper-flops-stage3",
          "paper-flops-stage4", "paper-forward-time", "paper-max-batch")) {
        names.add("figures/" + f + ".png");
        names.add("figures/" + f + ".svg");
      }
      OutputDir dir = OutputDir.prepare(outDir, names);
      PaperReport report;
      try (Progress p = Progress.of(!noProgress, "report --paper", PaperReport.steps(), err)) {
        report = PaperReport.run(config, machine, m, paperBatch, p);
      }
      ObjectNode j = report.toJson();
      List<Charts.Figure> figures = report.figures();
      writeFigures(dir, figures);
      dir.write("paper.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j));
      dir.write("paper-flops.csv", report.flopsCsv());
      dir.write("paper-measured.csv", report.measuredCsv());
      dir.write("index.html", report.html(j, figures, command));
      finish(j, dir);
      return 0;
    }
    if (in == null || out == null || input == null) {
      throw new ConvEinsumException("report needs --in, --out and --input (or --paper)");
    }
    long[] x = inputShape(input, in);
    List<LayerFacts> layers = new ArrayList<>();
    for (Decomposition d : ds) {
      for (double r : rs) {
        LayerSpec s = LayerSpec.builder().setInChannels(in).setOutChannels(out)
            .setKernelSize(kernel).setDecomposition(d).optCompressionRate(r).build();
        layers.add(LayerFacts.of(d + " " + Format.percent(r), s, x[0], x[2], x[3]));
      }
    }
    LayerSpec denseSpec = LayerFacts.dense(layers.get(0).spec());
    LayerFacts dense = LayerFacts.of("DENSE", denseSpec, x[0], x[2], x[3]);
    config.put("in", in);
    config.put("out", out);
    config.put("kernel", kernel);
    config.set("input", JSON.valueToTree(x));
    config.put("measure", mode.name().toLowerCase(Locale.ROOT));
    List<String> names = new ArrayList<>(List.of("index.html", "report.json", "report.csv"));
    for (String f : List.of("flops", "time", "training-time", "memory", "max-batch")) {
      names.add("figures/" + f + ".png");
      names.add("figures/" + f + ".svg");
    }
    OutputDir dir = OutputDir.prepare(outDir, names);
    LayerReport report;
    try (Progress p = Progress.of(!noProgress, "report", LayerReport.steps(layers.size(), mode),
        err)) {
      report = LayerReport.run(config, machine, dense, layers, mode, m, p);
    }
    ObjectNode j = report.toJson();
    List<Charts.Figure> figures = report.figures();
    writeFigures(dir, figures);
    dir.write("report.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j));
    dir.write("report.csv", report.csv());
    dir.write("index.html", report.html(j, figures, command));
    finish(j, dir);
    return 0;
  }

  private void finish(JsonNode j, OutputDir dir) throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      o.println(JSON.writeValueAsString(j));
    } else {
      o.println("wrote " + dir.path().resolve("index.html"));
    }
    o.flush();
  }

  private static void writeFigures(OutputDir dir, List<Charts.Figure> figures)
      throws IOException {
    for (Charts.Figure f : figures) {
      dir.write("figures/" + f.name() + ".png", f.png());
      dir.write("figures/" + f.name() + ".svg", f.svg());
    }
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("conv-einsum"); // the arguments include "report"
    for (String a : spec.commandLine().getParseResult().originalArgs()) {
      sb.append(' ').append(a.matches("[A-Za-z0-9_.,=/:+-]+") ? a : "'" + a + "'");
    }
    return sb.toString();
  }

  static LayerReport.Measure measureMode(String text) {
    try {
      return LayerReport.Measure.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConvEinsumException("--measure must be none, forward or training, got '" + text
          + "'");
    }
  }

  /** Parses the decomposition list; unknown names (and DENSE, always the baseline) refused. */
  static List<Decomposition> decompositions(String text) {
    List<Decomposition> out = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      String t = item.trim().toUpperCase(Locale.ROOT);
      Decomposition d = null;
      for (Decomposition c : BenchList.TENSORIAL) {
        if (c.name().equals(t)) {
          d = c;
        }
      }
      if (d == null) {
        throw new ConvEinsumException("unknown decomposition '" + item.trim()
            + "' in --decompositions; use CP, RCP, TK, RTK, TT, RTT, TR, RTR"
            + (t.equals("DENSE") ? " (the dense layer is always the baseline)" : ""));
      }
      if (!out.contains(d)) {
        out.add(d);
      }
    }
    return out;
  }

  /** Parses the rate list: every rate in (0, 1]. */
  static List<Double> rates(String text) {
    List<Double> out = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      double r;
      try {
        r = Double.parseDouble(item.trim());
      } catch (NumberFormatException e) {
        throw new ConvEinsumException("--cr '" + item.trim() + "' is not a number");
      }
      if (!(r > 0 && r <= 1)) {
        throw new ConvEinsumException("--cr " + item.trim() + " is outside (0, 1]");
      }
      if (!out.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }

  private static final Pattern SIZE = Pattern.compile(
      "(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\\s*");

  /** Parses a byte size such as {@code 2GiB}, {@code 512MiB}, {@code 1.5GB} or {@code 1000}. */
  static long bytes(String text) {
    Matcher mt = SIZE.matcher(text);
    if (!mt.matches()) {
      throw new ConvEinsumException("--memory-budget '" + text + "' is not a size such as 2GiB"
          + " or 512MiB");
    }
    String unit = mt.group(2) == null ? "B" : mt.group(2).toUpperCase(Locale.ROOT);
    double scale = switch (unit) {
      case "KB" -> 1e3;
      case "MB" -> 1e6;
      case "GB" -> 1e9;
      case "TB" -> 1e12;
      case "KIB" -> 1024.0;
      case "MIB" -> 1048576.0;
      case "GIB" -> 1073741824.0;
      case "TIB" -> 1099511627776.0;
      default -> 1;
    };
    double v = Double.parseDouble(mt.group(1)) * scale;
    if (!(v >= 1) || v > Long.MAX_VALUE / 2.0) {
      throw new ConvEinsumException("--memory-budget '" + text + "' must be at least 1 byte"
          + " and at most 4 EiB");
    }
    return (long) v;
  }

  private static long[] inputShape(String text, int channels) {
    String[] parts = text.trim().split("x", -1);
    if (parts.length != 4) {
      throw new ConvEinsumException("--input must be one shape BxSxHxW, e.g. 32x64x32x32;"
          + " got '" + text + "'");
    }
    long[] x = new long[4];
    for (int i = 0; i < 4; i++) {
      try {
        x[i] = Long.parseLong(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new ConvEinsumException("--input '" + text + "': '" + parts[i] + "' is not a"
            + " dimension");
      }
      if (x[i] < 1) {
        throw new ConvEinsumException("--input '" + text + "': dimensions must be >= 1");
      }
    }
    if (x[1] != channels) {
      throw new ConvEinsumException("--input has " + x[1] + " channels but --in is " + channels);
    }
    return x;
  }
}
