package dev.conveinsum.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the command-line forms of shapes, options and paths (SPEC section 5). */
final class Inputs {
  /** The deepest nesting a case file or {@code --options} may have (a case needs 5 levels). */
  static final int MAX_DEPTH = 64;
  /** The longest number literal, in characters (a float64 needs at most 25). */
  static final int MAX_NUMBER_LENGTH = 100;

  /** Jackson's message for a repeated key (StreamReadFeature.STRICT_DUPLICATE_DETECTION). */
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property)"
      + " ['\"](.*)['\"]", Pattern.DOTALL);

  /**
   * The JSON mapper of the command line. Reading is strict (SPEC section 5.1): duplicate keys
   * are refused, and nesting depth and number length are bounded by Jackson's {@link
   * StreamReadConstraints}; bare {@code NaN} is not JSON. Writing spells NaN and the infinities
   * as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
   */
  static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_DEPTH)
              .maxNumberLength(MAX_NUMBER_LENGTH)
              .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build())
      .build();

  private Inputs() {}

  /** Parses {@code "2x3x8;3x4x3"}; an empty item is a scalar. */
  static List<long[]> shapes(String text) {
    List<long[]> out = new ArrayList<>();
    String[] items = text.split(";", -1);
    for (int k = 0; k < items.length; k++) {
      String item = items[k].trim();
      if (item.isEmpty()) {
        out.add(new long[0]);
        continue;
      }
      String[] dims = item.split("[xX]", -1);
      long[] s = new long[dims.length];
      for (int a = 0; a < dims.length; a++) {
        try {
          s[a] = Long.parseLong(dims[a].trim());
        } catch (NumberFormatException e) {
          throw new ConvEinsumException("--shapes: operand " + k + " has the dimension '"
              + dims[a].trim() + "', which is not an integer (write e.g. \"2x3x8;3x4\")");
        }
        if (s[a] < 0) {
          throw new ConvEinsumException("--shapes: operand " + k + " has a negative dimension "
              + s[a]);
        }
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Reads one JSON value strictly: nothing but white space may follow it, no key may repeat,
   * nesting and numbers are bounded.
   *
   * @param json the text (UTF-8, or another encoding JSON detects)
   * @param what what the text is, for messages ({@code "case file x.json"}, {@code "--options"})
   * @return the value
   * @throws ConvEinsumException with one line naming the problem and its line and column
   */
  static JsonNode readJson(byte[] json, String what) {
    return readJson(() -> JSON.createParser(json), what);
  }

  /** Reads one JSON value strictly from text, as {@link #readJson(byte[], String)}. */
  static JsonNode readJson(String json, String what) {
    return readJson(() -> JSON.createParser(json), what);
  }

  /** Opens a parser; Jackson's factory methods throw IOException. */
  private interface ParserSource {
    JsonParser open() throws IOException;
  }

  private static JsonNode readJson(ParserSource source, String what) {
    try (JsonParser p = source.open()) {
      JsonNode n = JSON.readTree(p);
      if (n == null || n.isMissingNode()) {
        throw new ConvEinsumException(what + " is empty; it must hold a JSON object");
      }
      JsonLocation end = p.currentLocation();
      boolean trailing;
      try {
        trailing = p.nextToken() != null;
      } catch (JsonProcessingException e) {
        trailing = true;
      }
      if (trailing) {
        throw new ConvEinsumException(what + " has text after the JSON value" + at(end)
            + "; it must hold one JSON value and nothing else");
      }
      return n;
    } catch (StreamConstraintsException e) {
      throw new ConvEinsumException(what + " is refused: " + e.getOriginalMessage()
          .replaceAll(", from `StreamReadConstraints[^`]*`", "") + at(e.getLocation()));
    } catch (JsonProcessingException e) {
      Matcher dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
      if (dup.matches()) {
        throw new ConvEinsumException(what + " has the key \"" + dup.group(1) + "\" twice"
            + at(e.getLocation()) + "; each key may appear once");
      }
      throw new ConvEinsumException(what + " is not valid JSON: " + e.getOriginalMessage()
          + at(e.getLocation()));
    } catch (IOException e) {
      throw new ConvEinsumException(what + " cannot be read: " + e.getMessage());
    }
  }

  /** " (line L, column C)", or nothing when Jackson knows no location. */
  private static String at(JsonLocation where) {
    if (where == null || where.getLineNr() < 1) {
      return "";
    }
    return " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
  }

  /**
   * Refuses keys outside {@code allowed}, naming the key and where it is.
   *
   * @param object a JSON object
   * @param where where the object is, for messages ({@code "case file x.json"})
   * @param allowed the keys allowed, in the order the message lists them
   */
  static void checkKeys(JsonNode object, String where, Collection<String> allowed) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        String near = allowed.stream().filter(k -> distance(k, key) <= 2).findFirst()
            .map(k -> " (did you mean \"" + k + "\"?)").orElse("");
        throw new ConvEinsumException(where + " has the unknown key \"" + key + "\"" + near
            + "; the keys are " + String.join(", ", allowed));
      }
    }
  }

  /** Edit distance, to suggest the key a typo meant. */
  private static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2 || b.length() > 64) {
      return 3;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Parses the options JSON of SPEC section 5 strictly; null or blank means the defaults. */
  static ConvOptions options(String json) {
    if (json == null || json.isBlank()) {
      return ConvOptions.DEFAULT;
    }
    return options(readJson(json, "--options"), "--options");
  }

  /**
   * Converts an options object (SPEC section 5): keys {@code kind} and {@code conv}, per index
   * {@code padding}, {@code stride}, {@code dilation}; anything else is refused.
   *
   * @param n the JSON value
   * @param what where it came from, for messages
   * @return the options
   */
  @SuppressWarnings("unchecked")
  static ConvOptions options(JsonNode n, String what) {
    if (!n.isObject()) {
      throw new ConvEinsumException(what + " must be a JSON object such as"
          + " {\"kind\":\"CROSS_CORRELATION\",\"conv\":{\"h\":{\"padding\":\"SAME\"}}}");
    }
    return ConvOptions.fromMap(JSON.convertValue(n, Map.class));
  }

  /** Parses 0-based operand positions {@code "1,2"}. */
  static int[] positions(String text, String flag, int operands) {
    if (text == null || text.isBlank()) {
      return new int[0];
    }
    String[] parts = text.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new ConvEinsumException(flag + ": '" + parts[i].trim()
            + "' is not an operand position (0-based integers, comma-separated)");
      }
      if (out[i] < 0 || out[i] >= operands) {
        throw new ConvEinsumException(flag + ": operand " + out[i] + " does not exist; the"
            + " expression has " + operands + " operands (0.." + (operands - 1) + ")");
      }
    }
    return out;
  }
}
