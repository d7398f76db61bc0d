package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code conv-einsum report}: every number it writes equals what {@code layer --json} and
 * {@code bench --json} print for the same configuration; bad input is refused before any work;
 * a user's files are never replaced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] LAYER = {"--in", "8", "--out", "8", "--kernel", "3", "--input",
      "2x8x6x6"};
  private static final long BUDGET = 4L << 20;

  @TempDir
  Path tmp;

  @TempDir
  static Path dir;

  private CliTest.Result result;
  private JsonNode report;

  @BeforeAll
  void runReport() throws Exception {
    List<String> args = new ArrayList<>(List.of("report"));
    args.addAll(List.of(LAYER));
    args.addAll(List.of("--decompositions", "cp,rcp,tk,tt,tr", "--cr", "0.25,1", "--measure",
        "training", "--reps", "1", "--warmup-ms", "0", "--memory-budget", "4MiB",
        "--naive-max-gflop", "0.01", "--json", "--out-dir", dir.toString()));
    result = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, result.status(), result.err());
    report = JSON.readTree(result.out()); // the whole of stdout is the JSON
  }

  private static JsonNode json(String... args) throws Exception {
    CliTest.Result r = CliTest.run(args);
    assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
    return JSON.readTree(r.out());
  }

  private List<JsonNode> rows() {
    List<JsonNode> rows = new ArrayList<>();
    rows.add(report.get("dense"));
    report.get("layers").forEach(rows::add);
    return rows;
  }

  @Test
  void stdoutIsOnlyTheJsonAndTheProgressBarGoesToStandardError() {
    assertEquals(report.toString(), result.out().strip());
    assertTrue(result.err().contains("report"), "progress bar on stderr: " + result.err());
    assertEquals(1 + 5 * 2, rows().size());
  }

  @Test
  void layerNumbersEqualLayerJson() throws Exception {
    for (JsonNode row : rows()) {
      JsonNode mine = row.get("layer");
      String d = mine.get("decomposition").asText();
      List<String> args = new ArrayList<>(List.of("layer", d));
      args.addAll(List.of(LAYER));
      if (mine.has("compression_rate")) {
        args.addAll(List.of("--cr", mine.get("compression_rate").asText()));
      }
      args.add("--json");
      JsonNode theirs = json(args.toArray(String[]::new));
      for (String key : List.of("decomposition", "expression", "options", "input_shape", "factor_shapes",
          "ranks", "parameters", "dense_parameters", "compression", "flops", "naive_flops",
          "dense_flops", "path", "output_shape")) {
        assertEquals(theirs.get(key), mine.get(key), d + " " + key);
      }
    }
  }

  /** The bench command line that measures what a report record measured. */
  private static List<String> benchArgs(JsonNode layer, JsonNode record, String path) {
    List<String> shapes = new ArrayList<>();
    shapes.add(dims(layer.get("input_shape")));
    layer.get("factor_shapes").forEach(s -> shapes.add(dims(s)));
    List<String> args = new ArrayList<>(List.of("bench", layer.get("expression").asText(),
        "--shapes", String.join(";", shapes), "--options", layer.get("options").toString(),
        "--path", path, "--reps", "1", "--warmup", "2",
        "--warmup-ms", "0", "--json", "--threads", record.get("threads").asText()));
    if (record.get("backward").asBoolean()) {
      args.addAll(List.of("--backward", "--checkpoint", record.get("checkpoint").asText()));
    }
    return args;
  }

  private static String dims(JsonNode shape) {
    List<String> d = new ArrayList<>();
    shape.forEach(x -> d.add(x.asText()));
    return String.join("x", d);
  }

  @Test
  void timingRecordsAreBenchJsonRecords() throws Exception {
    int compared = 0;
    for (JsonNode row : rows()) {
      JsonNode m = row.get("measured");
      List<Map.Entry<String, JsonNode>> records = List.of(
          Map.entry("optimal", m.at("/forward/optimal")),
          Map.entry("naive", m.at("/forward/naive")),
          Map.entry("optimal", m.at("/training/store")),
          Map.entry("optimal", m.at("/training/recompute")),
          Map.entry("naive", m.at("/training/naive")));
      for (Map.Entry<String, JsonNode> e : records) {
        JsonNode mine = e.getValue();
        if (mine.has("skipped")) {
          continue;
        }
        JsonNode theirs = json(benchArgs(row.get("layer"), mine, e.getKey())
            .toArray(String[]::new));
        assertEquals(names(theirs), names(mine), "the same fields as bench --json");
        for (String key : List.of("expression", "flops", "path", "threads", "dtype", "backward",
            "checkpoint", "engine", "peak_bytes", "predicted_peak_bytes", "warmup", "reps")) {
          assertEquals(theirs.get(key), mine.get(key), key + " of " + mine);
        }
        assertEquals(mine.get("flops").asDouble() / (mine.get("median_ms").asDouble() * 1e6),
            mine.get("gflops").asDouble(), 1e-9 * mine.get("gflops").asDouble());
        compared++;
      }
    }
    assertTrue(compared >= 11 * 3, "records compared: " + compared);
  }

  private static List<String> names(JsonNode o) {
    List<String> n = new ArrayList<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      n.add(it.next());
    }
    return n;
  }

  @Test
  void peakMemoryIsWhatBenchMeasuresAndMaxBatchIsTheLargestThatFits() throws Exception {
    for (JsonNode row : List.of(report.get("dense"), report.get("layers").get(0),
        report.get("layers").get(6))) {
      JsonNode layer = row.get("layer");
      JsonNode m = row.get("measured");
      for (String mode : List.of("store", "recompute")) {
        JsonNode bench = m.at("/training/" + mode);
        assertEquals(bench.get("peak_bytes").asLong(), m.at("/peak_bytes/" + mode).asLong());
        assertEquals(bench.get("predicted_peak_bytes").asLong(),
            m.at("/peak_bytes/" + mode).asLong());
      }
      // oracle: bench at the max batch fits the budget, one more does not
      int max = m.at("/max_batch/optimal_store").asInt();
      assertTrue(max >= 1 && max < 65536, "max batch " + max);
      for (int b : new int[] {max, max + 1}) {
        List<String> args = benchArgs(layer, m.at("/training/store"), "optimal");
        String shapes = args.get(args.indexOf("--shapes") + 1);
        args.set(args.indexOf("--shapes") + 1, b + shapes.substring(shapes.indexOf('x')));
        JsonNode at = json(args.toArray(String[]::new));
        long peak = at.get("peak_bytes").asLong();
        assertEquals(at.get("predicted_peak_bytes").asLong(), peak);
        assertEquals(b == max, peak <= BUDGET, "batch " + b + " peak " + peak);
      }
    }
  }

  private static Document parseXml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  /** Every cell citing the JSON holds exactly the JSON's number and shows it, rounded. */
  static int checkCitedNumbers(Path page, JsonNode json) throws Exception {
    Document d = parseXml(page);
    int cited = 0;
    for (String tag : List.of("td", "span")) {
      NodeList cells = d.getElementsByTagName(tag);
      for (int i = 0; i < cells.getLength(); i++) {
        Element c = (Element) cells.item(i);
        if (!c.hasAttribute("data-ref")) {
          continue;
        }
        JsonNode v = json.at(c.getAttribute("data-ref"));
        assertTrue(v.isNumber(), c.getAttribute("data-ref"));
        assertEquals(v.asText(), c.getAttribute("data-value"), c.getAttribute("data-ref"));
        double shown = Double.parseDouble(c.getTextContent().trim());
        double exact = v.asDouble();
        boolean asIs = Math.abs(shown - exact) <= Math.max(0.0006, 6e-4 * Math.abs(exact));
        boolean inMib = Math.abs(shown - exact / 1048576.0) <= 0.051;
        assertTrue(asIs || inMib, c.getAttribute("data-ref") + ": shows " + shown + " for "
            + exact);
        cited++;
      }
    }
    return cited;
  }

  @Test
  void everyNumberOnThePageIsTheJsonsAndTheJsonFileIsStdout() throws Exception {
    assertEquals(report, JSON.readTree(dir.resolve("report.json").toFile()));
    int cited = checkCitedNumbers(dir.resolve("index.html"), report);
    // FLOPs table 5 numbers, time 2 + 3, memory 6 per row (naive cells skipped where not run)
    assertTrue(cited >= 11 * (5 + 1 + 3 + 6), "cited cells: " + cited);
    String page = Files.readString(dir.resolve("index.html"));
    assertTrue(page.contains("<svg"), "contraction trees inline");
    assertTrue(page.contains("wait for the DJL training integration"), "training note");
    assertTrue(page.contains("shared machine"), "noise note");
  }

  @Test
  void figuresArePngAndParseableSvg() throws Exception {
    for (String f : List.of("flops", "time", "training-time", "memory", "max-batch")) {
      byte[] png = Files.readAllBytes(dir.resolve("figures/" + f + ".png"));
      assertEquals((byte) 0x89, png[0]);
      assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
      Document svg = parseXml(dir.resolve("figures/" + f + ".svg"));
      assertEquals("svg", svg.getDocumentElement().getLocalName());
      assertTrue(svg.getDocumentElement().getTextContent().contains("compression rate"), f);
    }
    String csv = Files.readString(dir.resolve("report.csv"));
    assertEquals(1 + 11, csv.strip().lines().count());
    JsonNode firstLayer = report.at("/layers/0/layer");
    assertTrue(csv.lines().anyMatch(l -> l.startsWith("CP,0.25,") && l.contains(","
        + firstLayer.get("flops").asText() + "," + firstLayer.get("naive_flops").asText() + ",")),
        csv);
  }

  static Stream<Object[]> badInputs() {
    return Stream.of(
        new Object[] {new String[] {"--decompositions", "cp,xyz"}, "unknown decomposition 'xyz'"},
        new Object[] {new String[] {"--decompositions", "dense"}, "unknown decomposition"},
        new Object[] {new String[] {"--cr", "0"}, "--cr 0 is outside (0, 1]"},
        new Object[] {new String[] {"--cr", "0.1,1.5"}, "--cr 1.5 is outside (0, 1]"},
        new Object[] {new String[] {"--cr", "-0.2"}, "outside (0, 1]"},
        new Object[] {new String[] {"--cr", "ten"}, "is not a number"},
        new Object[] {new String[] {"--measure", "always"}, "--measure must be"},
        new Object[] {new String[] {"--memory-budget", "lots"}, "--memory-budget 'lots'"},
        new Object[] {new String[] {"--memory-budget", "0"}, "at least 1 byte"},
        new Object[] {new String[] {"--input", "2x9x6x6"}, "channels but --in is 8"});
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badInputs")
  void badInputIsRefusedBeforeAnyWork(String[] extra, String message) {
    Path out = tmp.resolve("never");
    List<String> args = new ArrayList<>(List.of("report"));
    args.addAll(List.of(LAYER));
    if (List.of(extra).contains("--input")) {
      args.subList(args.size() - 2, args.size()).clear();
    }
    args.addAll(List.of(extra));
    args.addAll(List.of("--measure", "forward", "--out-dir", out.toString()));
    if (List.of(extra).contains("--measure")) {
      args.subList(args.size() - 4, args.size() - 2).clear();
    }
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(1, r.status(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("conv_einsum: "), r.err()); // ConvEinsumException's prefix
    assertTrue(r.err().contains(message), r.err());
    assertFalse(Files.exists(out), "nothing created");
  }

  @Test
  void outDirThatIsAFileOrUnderAFileIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
    for (Path out : List.of(file, file.resolve("sub"))) {
      List<String> args = new ArrayList<>(List.of("report"));
      args.addAll(List.of(LAYER));
      args.addAll(List.of("--cr", "0.5", "--out-dir", out.toString()));
      CliTest.Result r = CliTest.run(args.toArray(String[]::new));
      assertEquals(1, r.status(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains("--out-dir"), r.err());
      assertTrue(r.err().contains(out == file ? "is not a directory" : "Not a directory"),
          r.err());
    }
    assertEquals("mine", Files.readString(file));
  }

  @Test
  void aUsersFilesAreNeverReplaced() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("mine"));
    Files.writeString(out.resolve("index.html"), "<p>my page</p>");
    Files.writeString(out.resolve("notes.txt"), "keep");
    List<String> args = new ArrayList<>(List.of("report"));
    args.addAll(List.of(LAYER));
    args.addAll(List.of("--decompositions", "cp", "--cr", "0.5", "--no-progress", "--out-dir",
        out.toString()));
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("index.html, which is not from conv-einsum report"), r.err());
    assertEquals("<p>my page</p>", Files.readString(out.resolve("index.html")));
    assertEquals(List.of("index.html", "notes.txt"), list(out));

    // a directory with other files only: the report adds its own and leaves notes.txt alone;
    // a second report may replace the first
    Files.delete(out.resolve("index.html"));
    for (int run = 0; run < 2; run++) {
      r = CliTest.run(args.toArray(String[]::new));
      assertEquals(0, r.status(), r.err());
      assertEquals("wrote " + out.resolve("index.html"), r.out().strip());
      assertEquals("", r.err());
    }
    assertEquals("keep", Files.readString(out.resolve("notes.txt")));
    assertEquals(List.of("figures", "index.html", "notes.txt", "report.csv", "report.json"),
        list(out));
  }

  private static List<String> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void missingLayerIsOneLine() {
    CliTest.Result r = CliTest.run("report", "--out-dir", tmp.resolve("x").toString());
    assertEquals(1, r.status());
    assertEquals("conv_einsum: report needs --in, --out and --input (or --paper)",
        r.err().strip());
    assertFalse(Files.exists(tmp.resolve("x")));
  }

  @Test
  void measureNoneHasNoTimings() throws Exception {
    Path out = tmp.resolve("plain");
    List<String> args = new ArrayList<>(List.of("report"));
    args.addAll(List.of(LAYER));
    args.addAll(List.of("--decompositions", "TK", "--cr", "1", "--json", "--no-progress",
        "--out-dir", out.toString()));
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertFalse(j.at("/layers/0").has("measured"));
    assertEquals("none", j.at("/config/measure").asText().toLowerCase(Locale.ROOT));
    assertTrue(checkCitedNumbers(out.resolve("index.html"), j) >= 2 * 5);
  }
}
