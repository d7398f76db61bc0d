package dev.conveinsum.cli;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.Tolerance;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code eval --engine djl}: every golden case through the DJL backend, in float64 (1e-9) and,
 * with the case's dtype set to float32, in float32 (1e-4), outputs and gradients; and the
 * engine names.
 */
class EvalEngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {String.valueOf(status), out.toString(), err.toString()};
  }

  static Stream<Arguments> cases() {
    return GoldenCases.names().stream().flatMap(n -> Stream.of(Arguments.of(n, "float64"),
        Arguments.of(n, "float32")));
  }

  private Path writeCase(String name, String dtype) throws IOException {
    ObjectNode root;
    try (InputStream in = getClass().getResourceAsStream("/testdata/cases/" + name)) {
      root = (ObjectNode) JSON.readTree(in);
    }
    root.put("dtype", dtype);
    Path p = tmp.resolve(dtype + "-" + name);
    JSON.writeValue(p.toFile(), root);
    return p;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void djlEngineMatchesEveryGoldenCase(String name, String dtype) throws IOException {
    Path file = writeCase(name, dtype);
    Path outFile = tmp.resolve("out.json");
    String[] r = run("eval", "--engine", "djl", "--case", file.toString(), "--out",
        outFile.toString());
    assertEquals("0", r[0], r[2]);
    assertEquals("", r[1]);
    double tol = dtype.equals("float64") ? Tolerance.FLOAT64 : Tolerance.FLOAT32;
    JsonNode got = JSON.readTree(outFile.toFile());
    GoldenCases.Case c = GoldenCases.load(name);
    assertClose(c.expected(), GoldenCases.tensor(got), tol, name);
    if (c.hasGrads()) {
      assertEquals(c.operands().size(), got.get("grads").size());
      for (int k = 0; k < c.operands().size(); k++) {
        assertClose(c.expectedGrads().get(k), GoldenCases.tensor(got.get("grads").get(k)),
            tol, name + " grad " + k);
      }
    } else {
      assertFalse(got.has("grads"));
    }
  }

  @Test
  void jvmIsTheDefaultAndCanBeNamed() throws IOException {
    Path file = writeCase("001_matmul.json", "float64");
    String[] byDefault = run("eval", "--case", file.toString());
    String[] named = run("eval", "--engine", "jvm", "--case", file.toString());
    assertEquals("0", byDefault[0], byDefault[2]);
    assertEquals(byDefault[1], named[1]);
    GoldenCases.Case c = GoldenCases.load("001_matmul.json");
    assertClose(c.expected(), GoldenCases.tensor(JSON.readTree(named[1])), Tolerance.FLOAT64,
        "jvm");
  }

  @Test
  void unknownEngineIsOneClearLineAndWritesNothing() throws IOException {
    Path file = writeCase("001_matmul.json", "float64");
    Path outFile = tmp.resolve("never.json");
    String[] r = run("eval", "--engine", "tpu", "--case", file.toString(), "--out",
        outFile.toString());
    assertEquals("1", r[0]);
    assertEquals("", r[1]);
    assertEquals("conv_einsum: unknown engine 'tpu' for --engine; expected jvm or djl",
        r[2].strip());
    assertFalse(Files.exists(outFile));
  }

  @Test
  void helpListsTheEngineFlag() {
    String[] r = run("eval", "--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("--engine=jvm|djl"), r[1]);
  }
}
