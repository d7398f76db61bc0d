package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report --paper}: the FLOPs of all 192 entries of bench/tnn_layers.json equal {@code path
 * --json} and {@code layer --json}; the page cites only the JSON's numbers.
 */
class PaperReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static JsonNode json(String... args) throws Exception {
    CliTest.Result r = CliTest.run(args);
    assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
    return JSON.readTree(r.out());
  }

  private static String dims(JsonNode shape) {
    List<String> d = new ArrayList<>();
    shape.forEach(x -> d.add(x.asText()));
    return String.join("x", d);
  }

  @Test
  void paperTablesEqualPathAndLayerJson() throws Exception {
    JsonNode report = json("report", "--paper", "--out-dir", dir.toString(), "--reps", "1",
        "--warmup-ms", "0", "--naive-max-gflop", "0.3", "--paper-batch", "2",
        "--memory-budget", "64MiB", "--json", "--no-progress");
    JsonNode list;
    try (InputStream in = getClass().getResourceAsStream("/bench/tnn_layers.json")) {
      list = JSON.readTree(in).get("layers"); // the checked-in list: the independent source
    }
    assertEquals(192, list.size());
    assertEquals(192, report.get("flops").size());
    for (int i = 0; i < 192; i++) {
      JsonNode entry = list.get(i);
      JsonNode mine = report.get("flops").get(i);
      String name = entry.get("name").asText();
      assertEquals(name, mine.get("name").asText());
      assertEquals(entry.get("expression"), mine.get("expression"), name);
      assertEquals(entry.get("parameters"), mine.get("parameters"), name);
      List<String> shapes = new ArrayList<>();
      entry.get("shapes").forEach(s -> shapes.add(dims(s)));
      JsonNode path = json("path", entry.get("expression").asText(), "--shapes",
          String.join(";", shapes), "--options", entry.get("options").toString(), "--json");
      assertEquals(path.get("flops"), mine.get("flops"), name);
      assertEquals(path.get("naive_flops"), mine.get("naive_flops"), name);
      assertEquals(path.get("path"), mine.get("path"), name);
      JsonNode layer = json("layer", entry.get("decomposition").asText(), "--in",
          entry.get("in_channels").asText(), "--out", entry.get("out_channels").asText(),
          "--kernel", "3", "--cr", entry.get("compression_rate").asText(), "--input",
          entry.get("batch").asText() + "x" + entry.get("in_channels").asText() + "x"
              + entry.get("height").asText() + "x" + entry.get("width").asText(), "--json");
      for (String key : List.of("flops", "naive_flops", "dense_flops", "ranks", "parameters",
          "compression")) {
        assertEquals(layer.get(key), mine.get(key), name + " " + key);
      }
    }
    // the subsets are the documented ones
    assertEquals(8 + 1, report.get("timing").size());
    report.get("timing").forEach(t -> assertTrue(t.at("/layer/name").asText()
        .matches(".*-stage2-cr010|DENSE-stage2"), t.at("/layer/name").asText()));
    int compared = 0;
    for (JsonNode t : report.get("timing")) {
      JsonNode c = t.get("naive_comparison");
      if (c.has("layer")) {
        // the naive path ran at a batch no larger than the timing batch, within the FLOP limit
        long b = c.at("/layer/input_shape/0").asLong();
        assertTrue(b >= 1 && b <= 2, "naive batch " + b);
        assertTrue(c.at("/naive/flops").asLong() <= 300_000_000L, c.toString());
        assertEquals(c.at("/layer/naive_flops"), c.at("/naive/flops"));
        assertEquals(c.at("/layer/flops"), c.at("/optimal/flops"));
        compared++;
      }
    }
    assertTrue(compared >= 1, "some naive path ran");
    assertEquals(32 + 4, report.get("max_batch").size());
    // the committed page (docs/paper) holds the same FLOPs table: regenerate it if this fails
    List<String> committed = Files.readAllLines(Path.of("..", "docs", "paper",
        "paper-flops.csv"));
    assertEquals(Files.readString(dir.resolve("paper-flops.csv")).strip(),
        String.join("\n", committed).strip(), "docs/paper/paper-flops.csv is stale");
    int cited = ReportCommandTest.checkCitedNumbers(dir.resolve("index.html"), report);
    assertTrue(cited >= 192 * 3 + 9 * 2 + 36 * 4, "cited: " + cited);
    assertEquals(193, Files.readString(dir.resolve("paper-flops.csv")).strip().lines().count());
    String page = Files.readString(dir.resolve("index.html"));
    assertTrue(page.contains("waits for the DJL training integration"), "training table note");
    assertTrue(page.contains("AMD") || page.contains("cores"), "machine on the page");
  }
}
