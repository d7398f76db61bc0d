package dev.conveinsum.cli;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.Tolerance;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  static Stream<String> caseNames() {
    return GoldenCases.names().stream();
  }

  private Path copyCase(String name) throws IOException {
    Path p = tmp.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/testdata/cases/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseNames")
  void evalMatchesEveryGoldenCase(String name) throws IOException {
    Path file = copyCase(name);
    Path outFile = tmp.resolve("out.json");
    Result r = run("eval", "--case", file.toString(), "--out", outFile.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.out());
    JsonNode got = JSON.readTree(outFile.toFile());
    GoldenCases.Case c = GoldenCases.load(name);
    assertClose(c.expected(), GoldenCases.tensor(got), Tolerance.FLOAT64, name);
    if (c.hasGrads()) {
      assertEquals(c.operands().size(), got.get("grads").size());
      for (int k = 0; k < c.operands().size(); k++) {
        assertClose(c.expectedGrads().get(k), GoldenCases.tensor(got.get("grads").get(k)),
            Tolerance.FLOAT64, name + " grad " + k);
      }
    } else {
      assertFalse(got.has("grads"));
    }
  }

  @Test
  void evalWritesToStandardOutputWithoutOut() throws IOException {
    Result r = run("eval", "--case", copyCase("001_matmul.json").toString());
    assertEquals(0, r.status(), r.err());
    JsonNode got = JSON.readTree(r.out());
    assertEquals(2, got.get("shape").size());
    assertTrue(got.has("grads"));
  }

  static List<String[]> badCases() {
    List<String[]> l = new ArrayList<>();
    l.add(new String[] {"{not json", "not valid JSON"});
    l.add(new String[] {"{\"expression\":\"ij,jk->ik\",\"operands\":[{\"shape\":[2,2],"
        + "\"data\":[1,2,3]},{\"shape\":[2],\"data\":[1,2]}]}", "(4 elements) but 3 data"});
    l.add(new String[] {"{\"expression\":\"ij,jk->iq\",\"operands\":[{\"shape\":[2,2],"
        + "\"data\":[1,2,3,4]},{\"shape\":[2,2],\"data\":[1,2,3,4]}]}", "'q'"});
    l.add(new String[] {"{\"expression\":\"i,i->i|i\",\"options\":{\"kind\":\"CORRELATION\"},"
        + "\"operands\":[{\"shape\":[2],\"data\":[1,2]},{\"shape\":[2],\"data\":[1,2]}]}",
        "unknown kind"});
    l.add(new String[] {"{\"expression\":\"i->i\",\"operands\":[{\"shape\":[2],"
        + "\"data\":[1,\"x\"]}]}", "not a number"});
    l.add(new String[] {"{\"operands\":[]}", "\"expression\" must be a string"});
    l.add(new String[] {"{\"expression\":\"ij->ij\",\"operands\":[{\"shape\":[2,2],"
        + "\"data\":[1,2,3,4]}],\"grad_output\":{\"shape\":[3],\"data\":[1,2,3]}}",
        "output gradient has shape"});
    return l;
  }

  @ParameterizedTest
  @MethodSource("badCases")
  void badInputGivesOneLineAndWritesNothing(String content, String fragment) throws IOException {
    Path file = tmp.resolve("bad.json");
    Files.writeString(file, content);
    Path outFile = tmp.resolve("never.json");
    Result r = run("eval", "--case", file.toString(), "--out", outFile.toString());
    assertNotEquals(0, r.status());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(fragment), r.err());
    assertFalse(Files.exists(outFile));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(1, files.count(), "no temporary file may be left behind");
    }
  }

  @Test
  void invalidCasesAreRejectedByPath() {
    for (GoldenCases.Invalid c : GoldenCases.invalid()) {
      StringBuilder shapes = new StringBuilder();
      for (int k = 0; k < c.shapes().size(); k++) {
        shapes.append(k == 0 ? "" : ";");
        long[] s = c.shapes().get(k);
        for (int a = 0; a < s.length; a++) {
          shapes.append(a == 0 ? "" : "x").append(s[a]);
        }
      }
      String opts;
      try {
        opts = JSON.writeValueAsString(c.options());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      Result r = run("path", c.expression(), "--shapes", shapes.toString(), "--options", opts,
          "--json");
      assertNotEquals(0, r.status(), c.toString());
      assertEquals("", r.out(), c.toString());
      assertEquals(1, r.err().strip().lines().count(), c + ": " + r.err());
      assertTrue(r.err().startsWith("conv_einsum:"), r.err());
    }
  }

  @Test
  void pathJsonReproducesTheCostVectors() throws IOException {
    for (JsonNode c : GoldenCases.paths().get("cases")) {
      StringBuilder shapes = new StringBuilder();
      for (int k = 0; k < c.get("shapes").size(); k++) {
        shapes.append(k == 0 ? "" : ";");
        JsonNode s = c.get("shapes").get(k);
        for (int a = 0; a < s.size(); a++) {
          shapes.append(a == 0 ? "" : "x").append(s.get(a).asLong());
        }
      }
      String opts = JSON.writeValueAsString(c.get("options"));
      Result r = run("path", c.get("expression").asText(), "--shapes", shapes.toString(),
          "--options", opts, "--optimizer", "optimal", "--json");
      assertEquals(0, r.status(), r.err());
      JsonNode got = JSON.readTree(r.out());
      assertEquals(c.get("optimal_flops").asLong(), got.get("flops").asLong(), c.toString());
      assertEquals(c.get("paths").get(0).get("flops").asLong(), got.get("naive_flops").asLong());
      assertEquals(c.get("output_shape"), got.get("output_shape"));
      for (String field : new String[] {"expression", "path", "largest_intermediate",
          "optimizer"}) {
        assertTrue(got.has(field), field);
      }
      StringBuilder trainable = new StringBuilder();
      for (JsonNode t : c.get("trainable")) {
        trainable.append(trainable.length() == 0 ? "" : ",").append(t.asInt());
      }
      Result t = run("path", c.get("expression").asText(), "--shapes", shapes.toString(),
          "--options", opts, "--optimizer", "optimal", "--trainable", trainable.toString(),
          "--json");
      assertEquals(c.get("train_optimal_flops").asLong(),
          JSON.readTree(t.out()).get("flops").asLong(), c.toString());
    }
  }

  @Test
  void pathTextReportAndDotFile() throws IOException {
    Path dot = tmp.resolve("tree.dot");
    Result r = run("path", "bshw,rt,rs,rh,rw->bthw|hw", "--shapes",
        "8x16x32x32;4x32;4x16;4x3;4x3", "--dot", dot.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("Speed-up"), r.out());
    assertTrue(Files.readString(dot).startsWith("digraph"));
  }

  @Test
  void memoryLimitThatNothingMeetsIsAnError() {
    Result r = run("path", "ab,bc,cd->ad", "--shapes", "10x10;10x10;10x10", "--memory-limit",
        "5");
    assertNotEquals(0, r.status());
    assertTrue(r.err().contains("smallest achievable"), r.err());
  }

  @Test
  void benchJsonHasTheDocumentedFields() throws IOException {
    Result r = run("bench", "bshw,tshw->bthw|hw", "--shapes", "2x3x8x8;4x3x3x3", "--options",
        "{\"kind\":\"CROSS_CORRELATION\"}", "--reps", "2", "--warmup", "0", "--threads", "1",
        "--backward", "--checkpoint", "RECOMPUTE", "--dtype", "float64", "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode got = JSON.readTree(r.out());
    for (String field : new String[] {"median_ms", "min_ms", "flops", "gflops", "path",
        "threads", "peak_bytes", "predicted_peak_bytes"}) {
      assertTrue(got.has(field), field);
    }
    assertEquals(1, got.get("threads").asInt());
    assertTrue(got.get("min_ms").asDouble() <= got.get("median_ms").asDouble());
    assertTrue(got.get("peak_bytes").asLong() > 0);
  }

  @Test
  void unknownOptionIsOneLineUsageError() {
    Result r = run("path", "ab->a", "--shapes", "2x3", "--frobnicate");
    assertEquals(2, r.status());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--frobnicate"), r.err());
  }

  @Test
  void versionAndHelp() {
    assertTrue(run("--version").out().startsWith("conv-einsum "));
    for (String cmd : new String[] {"path", "eval", "bench"}) {
      Result r = run(cmd, "--help");
      assertEquals(0, r.status());
      assertTrue(r.out().contains("Usage: conv-einsum " + cmd), r.out());
    }
  }
}
