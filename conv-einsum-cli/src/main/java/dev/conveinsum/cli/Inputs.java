package dev.conveinsum.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parsing of the command-line forms of shapes, options and paths (SPEC section 5). */
final class Inputs {
  static final ObjectMapper JSON = new ObjectMapper();

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

  /** Parses the options JSON of SPEC section 5; null or blank means the defaults. */
  @SuppressWarnings("unchecked")
  static ConvOptions options(String json) {
    if (json == null || json.isBlank()) {
      return ConvOptions.DEFAULT;
    }
    Object parsed;
    try {
      parsed = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new ConvEinsumException("--options is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new ConvEinsumException("--options must be a JSON object such as"
          + " {\"kind\":\"CROSS_CORRELATION\",\"conv\":{\"h\":{\"padding\":\"SAME\"}}}");
    }
    return ConvOptions.fromMap((Map<String, ?>) parsed);
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
