package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A case file (SPEC section 5), read strictly (section 5.1): only the keys of the format, no
 * duplicate key, nothing after the object, numbers that fit the dtype; NaN and the infinities
 * are the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 *
 * @param expression the expression
 * @param options its options
 * @param dtype the element type operands are converted to
 * @param operands one tensor per input term
 * @param gradOutput the gradient of the output, or null for forward only
 */
record CaseFile(String expression, ConvOptions options, DType dtype, List<Tensor> operands,
    Tensor gradOutput) {

  /** The keys of a case; {@code expected} and {@code expected_grads} are read but ignored. */
  static final List<String> KEYS = List.of("expression", "options", "dtype", "operands",
      "grad_output", "expected", "expected_grads");
  /** The keys of a tensor. */
  static final List<String> TENSOR_KEYS = List.of("shape", "data");
  /** The most elements a tensor holds (a Java array's limit). */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Reads and checks a case file.
   *
   * @param file the path
   * @return the case
   * @throws ConvEinsumException with one line naming the file and what is wrong
   */
  static CaseFile read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConvEinsumException("case file " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConvEinsumException("case file " + file + ": permission denied");
    } catch (IOException e) {
      throw new ConvEinsumException("case file " + file + " cannot be read: "
          + (Files.isDirectory(file) ? "it is a directory" : e.getMessage()));
    }
    return parse(bytes, "case file " + file);
  }

  /**
   * Parses and checks the JSON of a case.
   *
   * @param json the file's bytes
   * @param name the case's name for messages ({@code "case file x.json"})
   * @return the case
   */
  static CaseFile parse(byte[] json, String name) {
    JsonNode root = Inputs.readJson(json, name);
    if (!root.isObject()) {
      throw new ConvEinsumException(name + " must hold a JSON object");
    }
    Inputs.checkKeys(root, name, KEYS);
    String expression = text(root, "expression", name);
    JsonNode o = root.get("options");
    ConvOptions options = o == null || o.isNull() ? ConvOptions.DEFAULT
        : Inputs.options(o, name + ": \"options\"");
    DType dtype = root.has("dtype") ? DType.parse(text(root, "dtype", name)) : DType.FLOAT64;
    JsonNode ops = root.get("operands");
    if (ops == null || !ops.isArray()) {
      throw new ConvEinsumException(name + ": \"operands\" must be a list of"
          + " {\"shape\", \"data\"} objects");
    }
    List<Tensor> operands = new ArrayList<>();
    for (int k = 0; k < ops.size(); k++) {
      operands.add(tensor(ops.get(k), name + ": operand " + k, dtype));
    }
    JsonNode g = root.get("grad_output");
    Tensor grad = g == null || g.isNull() ? null : tensor(g, name + ": grad_output", dtype);
    return new CaseFile(expression, options, dtype, operands, grad);
  }

  private static String text(JsonNode root, String field, String name) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new ConvEinsumException(name + ": \"" + field + "\" must be a string");
    }
    return n.asText();
  }

  /** Reads {"shape","data"}, checking that the data fills the shape and fits the dtype. */
  static Tensor tensor(JsonNode n, String what, DType dtype) {
    if (n == null || !n.isObject() || !n.has("shape") || !n.has("data")) {
      throw new ConvEinsumException(what + " must be an object with \"shape\" and \"data\"");
    }
    Inputs.checkKeys(n, what, TENSOR_KEYS);
    JsonNode shapeNode = n.get("shape");
    JsonNode data = n.get("data");
    if (!shapeNode.isArray() || !data.isArray()) {
      throw new ConvEinsumException(what + ": \"shape\" and \"data\" must be lists");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int a = 0; a < shape.length; a++) {
      JsonNode d = shapeNode.get(a);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new ConvEinsumException(what + ": shape entry " + a + " is " + d
            + "; dimensions are integers >= 0");
      }
      shape[a] = d.asLong();
    }
    boolean empty = Arrays.stream(shape).anyMatch(d -> d == 0);
    for (long d : shape) {
      // Checked before multiplying, so that [2^62, 4] is refused instead of overflowing.
      if (!empty && count > MAX_ELEMENTS / d) {
        throw new ConvEinsumException(what + " has shape " + Arrays.toString(shape)
            + ", more than the " + MAX_ELEMENTS + " elements a tensor can hold");
      }
      count = empty ? 0 : count * d;
    }
    if (count != data.size()) {
      throw new ConvEinsumException(what + " has shape " + Arrays.toString(shape) + " ("
          + count + " elements) but " + data.size() + " data values");
    }
    double[] v = new double[data.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = value(data.get(i), what + ": data[" + i + "]", dtype);
    }
    return Tensor.wrap(v, shape).to(dtype);
  }

  /** A number, or one of the strings "NaN", "Infinity", "-Infinity"; overflow is refused. */
  private static double value(JsonNode x, String what, DType dtype) {
    if (x.isTextual()) {
      switch (x.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    if (!x.isNumber()) {
      throw new ConvEinsumException(what + " is " + x + ", not a number (NaN and the"
          + " infinities are written \"NaN\", \"Infinity\", \"-Infinity\")");
    }
    double d = x.asDouble();
    if (Double.isInfinite(d) || (dtype == DType.FLOAT32 && Float.isInfinite((float) d))) {
      throw new ConvEinsumException(what + " overflows " + dtype + ": its magnitude is above "
          + (dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE)
          + " (write \"Infinity\" or \"-Infinity\" for an infinity)");
    }
    return d;
  }
}
