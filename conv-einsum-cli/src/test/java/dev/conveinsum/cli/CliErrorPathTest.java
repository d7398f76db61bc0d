package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.cli.CliTest.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Issue 12, item 3 (the command line's part): errors no handler expected still give one line,
 * and an expression may start with '-'.
 */
class CliErrorPathTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** A command that fails with the given error, as a deep recursion or a huge array would. */
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    private final Error error;

    Boom(Error error) {
      this.error = error;
    }

    @Override
    public Integer call() {
      throw error;
    }
  }

  private static Result runBoom(Error error) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter pw = new PrintWriter(err, true);
    CommandLine cli = Main.configure(new CommandLine(new Boom(error)), new PrintWriter(out, true),
        pw);
    int status = Main.execute(cli, new String[0], pw);
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void errorsPastPicocliGiveOneLine() {
    Result oom = runBoom(new OutOfMemoryError("Java heap space"));
    assertEquals(1, oom.status());
    assertEquals(1, oom.err().strip().lines().count(), oom.err());
    assertTrue(oom.err().startsWith("conv-einsum: out of memory (Java heap space)"), oom.err());
    Result soe = runBoom(new StackOverflowError());
    assertEquals(1, soe.status());
    assertEquals(1, soe.err().strip().lines().count(), soe.err());
    assertTrue(soe.err().contains("stack overflow"), soe.err());
  }

  @Test
  void anOutputLargerThanTheHeapGivesOneLine() throws IOException {
    // i,j->ij with 32768 x 32768 float64: 8.6 GB, an int-sized index but more than the test
    // JVM's 4 GB heap; it printed a 20-line OutOfMemoryError trace.
    int n = 32768;
    StringBuilder ones = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ones.append(i == 0 ? "1" : ",1");
    }
    String op = "{\"shape\":[" + n + "],\"data\":[" + ones + "]}";
    Path file = tmp.resolve("big.json");
    Files.writeString(file, "{\"expression\":\"i,j->ij\",\"operands\":[" + op + "," + op + "]}");
    Path out = tmp.resolve("out.json");
    Result r = CliTest.run("eval", "--case", file.toString(), "--out", out.toString());
    assertEquals(1, r.status(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void anExpressionMayStartWithADash() throws IOException {
    // opt_einsum's empty contraction: a scalar in, a scalar out.
    Result r = CliTest.run("path", "->", "--shapes", "", "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode o = JSON.readTree(r.out());
    assertEquals("->", o.get("expression").asText());
    assertEquals(0, o.get("output_shape").size());
    Result after = CliTest.run("path", "--shapes", "", "--json", "->");
    assertEquals(0, after.status(), after.err());
    Result dashes = CliTest.run("path", "--shapes", "", "--json", "--", "->");
    assertEquals(0, dashes.status(), dashes.err());
    assertEquals(r.out(), dashes.out());
    // eval reads its expression from the case, so '->' there needs nothing special.
    Path c = tmp.resolve("scalar.json");
    Files.writeString(c, "{\"expression\":\"->\",\"operands\":[{\"shape\":[],\"data\":[2.5]}]}");
    Result e = CliTest.run("eval", "--case", c.toString());
    assertEquals(0, e.status(), e.err());
    assertEquals(2.5, JSON.readTree(e.out()).get("data").get(0).asDouble());
  }

  @Test
  void misspeltOptionsAreStillUsageErrors() {
    Result r = CliTest.run("path", "ij->i", "--shapes", "2x3", "--jsn");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--jsn"), r.err());
    Result missing = CliTest.run("path", "ij->i", "--shape", "2x3");
    assertEquals(2, missing.status(), missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());
  }

  @Test
  void aHugeArgumentGivesABoundedLine() {
    String huge = "ab,".repeat(200_000) + "ab->ab|q";
    Result r = CliTest.run("path", huge, "--shapes", "2x2");
    assertEquals(1, r.status());
    assertEquals(1, r.err().strip().lines().count());
    assertTrue(r.err().length() < 1500, r.err().length() + " characters");
    Result extra = CliTest.run("path", "ij->i", "--shapes", "2x3", "x".repeat(500_000));
    assertEquals(2, extra.status());
    assertTrue(extra.err().length() < 1500, extra.err().length() + " characters");
  }
}
