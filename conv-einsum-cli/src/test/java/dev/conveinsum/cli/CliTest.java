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
import java.util.Arrays;
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
  void pathKernelsListsWhatEachStepRuns() throws IOException {
    String[] args = {"path", "bshw,rt,rs,rh,rw->bthw|hw", "--shapes",
        "8x16x32x32;4x32;4x16;4x3;4x3", "--options",
        "{\"kind\":\"CROSS_CORRELATION\",\"conv\":{\"h\":{\"padding\":\"SAME\"},"
            + "\"w\":{\"padding\":\"SAME\"}}}", "--kernels"};
    Result text = run(args);
    assertEquals(0, text.status(), text.err());
    String kernels = text.out().substring(text.out().indexOf("Kernels (cpu engine"));
    // four pairwise steps: two 1x1 contractions as GEMMs and two depthwise 1-D convolutions
    assertEquals(2, kernels.split(":: GEMM", -1).length - 1, kernels);
    assertEquals(2, kernels.split(":: depthwise", -1).length - 1, kernels);
    String[] json = Arrays.copyOf(args, args.length + 1);
    json[args.length] = "--json";
    Result j = run(json);
    assertEquals(0, j.status(), j.err());
    JsonNode node = JSON.readTree(j.out());
    assertEquals(4, node.get("kernels").size());
    assertEquals(node.get("path").size(), node.get("kernels").size());
    String[] train = Arrays.copyOf(json, json.length + 1);
    train[json.length] = "--train";
    assertTrue(JSON.readTree(run(train).out()).get("kernels").size() > 4);
    // without the flag the JSON keeps exactly the fields of SPEC section 5
    Result plain = run(Arrays.copyOf(args, args.length - 1));
    assertFalse(plain.out().contains("Kernels"), plain.out());
  }

  @Test
  void pathKernelsOfAPlanTooLargeToCompileKeepsTheReportAndFailsWithOneLine() {
    Result r = run("path", "ab,bc->ac", "--shapes", "100000x100000;100000x100000",
        "--kernels");
    assertNotEquals(0, r.status());
    assertTrue(r.out().contains("Speed-up"), r.out());
    assertTrue(r.err().contains("does not fit"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    Result j = run("path", "ab,bc->ac", "--shapes", "100000x100000;100000x100000",
        "--kernels", "--json");
    assertNotEquals(0, j.status());
    assertEquals("", j.out());
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
        "{\"kind\":\"CROSS_CORRELATION\"}", "--reps", "2", "--warmup", "0", "--warmup-ms", "0", "--threads", "1",
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
    // CPU time over wall time of the two short timed runs: positive, and no more cores than the
    // machine has (within the skew of reading each thread's clock at slightly different times)
    double cores = got.get("cpu_cores").asDouble();
    assertTrue(cores > 0 && cores <= Runtime.getRuntime().availableProcessors() * 2,
        "cpu_cores " + cores);
  }

  @Test
  void benchWarmupMsZeroRunsExactlyTheRequestedWarmups() throws IOException {
    Result r = run("bench", "ij,jk->ik", "--shapes", "4x5;5x6", "--reps", "1", "--warmup", "3",
        "--warmup-ms", "0", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    assertEquals(3, JSON.readTree(r.out()).get("warmup").asInt());
  }

  @Test
  void benchSettledWarmupRunsAtLeastTenCallsAndTheMinimumTime() throws IOException {
    long t0 = System.nanoTime();
    Result r = run("bench", "ij,jk->ik", "--shapes", "4x5;5x6", "--reps", "1", "--warmup", "0",
        "--warmup-ms", "50", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    assertTrue(JSON.readTree(r.out()).get("warmup").asInt() >= 10, r.out());
    assertTrue(System.nanoTime() - t0 >= 50_000_000L);
  }

  @Test
  void negativeWarmupTimeIsAnError() {
    Result r = run("bench", "ij,jk->ik", "--shapes", "4x5;5x6", "--warmup-ms", "-1");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("--warmup-ms"), r.err());
  }

  @Test
  void unknownOptionIsOneLineUsageError() {
    Result r = run("path", "ab->a", "--shapes", "2x3", "--frobnicate");
    assertEquals(2, r.status());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--frobnicate"), r.err());
  }

  @Test
  void layerJsonAgreesWithTheBenchList() throws IOException {
    // CP-stage1-cr010 of tnn_layers.json: rank 27, 3618 parameters.
    Result r = run("layer", "CP", "--in", "64", "--out", "64", "--kernel", "3", "--cr", "0.1",
        "--input", "128x64x32x32", "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode got = JSON.readTree(r.out());
    assertEquals("bshw,rt,rs,rh,rw->bthw|hw", got.get("expression").asText());
    assertEquals(3618, got.get("parameters").asLong());
    assertEquals(36864, got.get("dense_parameters").asLong());
    assertEquals("[[27,64],[27,64],[27,3],[27,3]]", got.get("factor_shapes").toString());
    assertEquals("CROSS_CORRELATION", got.get("options").get("kind").asText());
    assertEquals("SAME", got.get("options").get("conv").get("h").get("padding").asText());
    assertTrue(got.get("flops").asLong() < got.get("naive_flops").asLong());
    // the dense layer's FLOPs: 2 * B*T*H*W * S*k*k (every tap inside the image counts once)
    assertTrue(got.get("dense_flops").asLong() < 2L * 128 * 64 * 32 * 32 * 64 * 9);
    for (String f : new String[] {"input_shape", "compression", "path"}) {
      assertTrue(got.has(f), f);
    }
    Result rcp = run("layer", "RCP", "--in", "64", "--out", "64", "--cr", "0.1", "--input",
        "2x64x8x8", "--json");
    assertEquals("[2,4,4,4,8,8]", JSON.readTree(rcp.out()).get("input_shape").toString());
  }

  @Test
  void layerErrorsAreOneLine() {
    for (String[] args : new String[][] {
        {"layer", "XX", "--in", "4", "--out", "4", "--cr", "0.5", "--input", "1x4x4x4"},
        {"layer", "CP", "--in", "4", "--out", "4", "--input", "1x4x4x4"},
        {"layer", "CP", "--in", "4", "--out", "4", "--cr", "0.5", "--input", "1x5x4x4"},
        {"layer", "TT", "--in", "64", "--out", "64", "--cr", "0.0001", "--input", "1x64x4x4"}}) {
      Result r = run(args);
      assertNotEquals(0, r.status(), String.join(" ", args));
      assertEquals("", r.out());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }

  @Test
  void versionAndHelp() {
    assertTrue(run("--version").out().startsWith("conv-einsum "));
    for (String cmd : new String[] {"path", "eval", "bench", "layer"}) {
      Result r = run(cmd, "--help");
      assertEquals(0, r.status());
      assertTrue(r.out().contains("Usage: conv-einsum " + cmd), r.out());
    }
  }
}
