package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, item 4 and SPEC section 5.1: case files and {@code --options} are read strictly,
 * and NaN and the infinities survive a round trip through {@code eval}.
 */
class StrictInputTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final String OPS = "\"operands\":[{\"shape\":[2],\"data\":[1,2]},"
      + "{\"shape\":[2],\"data\":[3,4]}]";

  @TempDir
  Path tmp;

  private Result eval(String content) throws IOException {
    Path file = tmp.resolve("case.json");
    Files.writeString(file, content);
    return CliTest.run("eval", "--case", file.toString(), "--out",
        tmp.resolve("out.json").toString());
  }

  private void assertRefused(Result r, String... fragments) throws IOException {
    assertNotEquals(0, r.status());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), r.err());
    }
    assertFalse(Files.exists(tmp.resolve("out.json")), "a refused case writes nothing");
  }

  static Stream<Arguments> strictCases() {
    String ok = "{\"expression\":\"i,i->\"," + OPS + "}";
    return Stream.<String[]>of(
        new String[] {ok + " trailing", "text after the JSON value", "line 1"},
        new String[] {ok + "{}", "text after the JSON value"},
        new String[] {"{\"expression\":\"i,i->i\",\"expression\":\"i,i->\"," + OPS + "}",
            "has the key \"expression\" twice", "column"},
        new String[] {"{\"expression\":\"ij->ij\",\"operands\":[{\"shape\":[2,2],"
            + "\"data\":[1,2,3,4]}],\"grad_ouput\":{\"shape\":[2,2],\"data\":[1,1,1,1]}}",
            "unknown key \"grad_ouput\"", "did you mean \"grad_output\""},
        new String[] {"{\"expression\":\"i,i->\",\"operands\":[{\"shape\":[2],\"data\":[1,2],"
            + "\"dtype\":\"float32\"},{\"shape\":[2],\"data\":[3,4]}]}",
            "operand 0 has the unknown key \"dtype\""},
        new String[] {"{\"expression\":\"i,i->i|i\",\"options\":{\"conv\":{\"i\":"
            + "{\"stride\":1,\"stride\":2}}}," + OPS + "}", "the key \"stride\" twice"},
        new String[] {"{\"expression\":\"i,i->i|i\",\"options\":{\"knd\":\"CONVOLUTION\"},"
            + OPS + "}", "unknown option 'knd'"},
        new String[] {"{\"expression\":\"i,i->\",\"operands\":[{\"shape\":[2],"
            + "\"data\":[1e400,2]},{\"shape\":[2],\"data\":[3,4]}]}",
            "operand 0: data[0] overflows float64"},
        new String[] {"{\"expression\":\"i,i->\",\"dtype\":\"float32\",\"operands\":["
            + "{\"shape\":[2],\"data\":[1,3.5e38]},{\"shape\":[2],\"data\":[3,4]}]}",
            "data[1] overflows float32"},
        new String[] {"{\"expression\":\"i,i->\",\"operands\":[{\"shape\":[2],"
            + "\"data\":[NaN,2]},{\"shape\":[2],\"data\":[3,4]}]}", "not valid JSON"},
        new String[] {"{\"expression\":\"i,i->\",\"operands\":[{\"shape\":[2],"
            + "\"data\":[\"nan\",2]},{\"shape\":[2],\"data\":[3,4]}]}", "data[0] is \"nan\""},
        new String[] {"{\"expression\":\"ij->ij\",\"operands\":[{\"shape\":[4611686018427387904,"
            + "4],\"data\":[1]}]}", "more than the 2147483639 elements"},
        new String[] {"{\"expression\":\"i->i\",\"operands\":[{\"shape\":[2],\"data\":[1,"
            + "1" + "0".repeat(200) + "]}]}", "refused", "Number value length"},
        new String[] {"", "is empty"},
        new String[] {"[1,2]", "must hold a JSON object"}).map(c -> Arguments.of((Object) c));
  }

  @ParameterizedTest
  @MethodSource("strictCases")
  void strictReading(String[] c) throws IOException {
    assertRefused(eval(c[0]), java.util.Arrays.copyOfRange(c, 1, c.length));
  }

  @Test
  void deepNestingGivesOneLine() throws IOException {
    // 100,000 '[' gave a NullPointerException inside eval's own error handler.
    assertRefused(eval("[".repeat(100_000)), "nesting depth", "refused");
    assertRefused(eval("{\"expression\":" + "[".repeat(100_000)), "nesting depth");
    Result r = CliTest.run("path", "ij->ij", "--shapes", "2x2", "--options",
        "{\"conv\":" + "{\"a\":".repeat(100_000));
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--options is refused"), r.err());
  }

  @Test
  void optionsAreStrictOnTheCommandLine() {
    for (String[] c : List.of(
        new String[] {"{\"kind\":\"CONVOLUTION\"} x", "text after the JSON value"},
        new String[] {"{\"kind\":\"CONVOLUTION\",\"kind\":\"CROSS_CORRELATION\"}",
            "--options has the key \"kind\" twice"},
        new String[] {"{\"conv\":{\"i\":{\"strid\":2}}}", "unknown option 'strid'"},
        new String[] {"{\"conv\":{\"i\":{\"stride\":1e400}}}", "stride of index 'i'"},
        new String[] {"{\"conv\":{\"i\":{\"dilation\":2},\"(i)\":{\"dilation\":3}}}",
            "given twice"})) {
      Result r = CliTest.run("path", "i,i->i|i", "--shapes", "5;3", "--options", c[0]);
      assertEquals(1, r.status(), c[0] + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      for (int i = 1; i < c.length; i++) {
        assertTrue(r.err().contains(c[i]), r.err());
      }
    }
  }

  @Test
  void nanAndInfinitiesRoundTrip() throws IOException {
    // [inf, nan, 1] * 2, and the product with -inf: eval writes the strings and reads them back.
    String first = "{\"expression\":\"i,->i\",\"operands\":[{\"shape\":[3],"
        + "\"data\":[\"Infinity\",\"NaN\",1]},{\"shape\":[],\"data\":[2]}]}";
    Result r = eval(first);
    assertEquals(0, r.status(), r.err());
    String written = Files.readString(tmp.resolve("out.json"));
    assertTrue(written.contains("\"Infinity\"") && written.contains("\"NaN\""), written);
    JsonNode out = PLAIN.readTree(written);
    String second = "{\"expression\":\"i,->i\",\"dtype\":\"float32\",\"operands\":["
        + PLAIN.writeValueAsString(out) + ",{\"shape\":[],\"data\":[\"-Infinity\"]}]}";
    Files.delete(tmp.resolve("out.json"));
    Result again = eval(second);
    assertEquals(0, again.status(), again.err());
    JsonNode data = PLAIN.readTree(tmp.resolve("out.json").toFile()).get("data");
    assertEquals("-Infinity", data.get(0).asText());
    assertEquals("NaN", data.get(1).asText());
    assertEquals("-Infinity", data.get(2).asText());
  }

  @Test
  void expectedFieldsAreAllowedAndIgnored() throws IOException {
    Result r = eval("{\"expression\":\"i,i->\"," + OPS + ",\"expected\":{\"junk\":1},"
        + "\"expected_grads\":[],\"dtype\":\"float64\",\"options\":null,\"grad_output\":null}");
    assertEquals(0, r.status(), r.err());
    assertEquals(11.0, PLAIN.readTree(tmp.resolve("out.json").toFile()).get("data").get(0)
        .asDouble());
  }
}
