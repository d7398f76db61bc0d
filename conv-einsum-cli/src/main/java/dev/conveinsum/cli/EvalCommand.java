package dev.conveinsum.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.exec.Execution;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv-einsum eval}: evaluates a case file (SPEC section 5). */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate a case file: {\"expression\", \"options\", \"dtype\", \"operands\","
        + " [\"grad_output\"]}.",
        "Writes {\"shape\",\"data\"} and, when the case has grad_output, \"grads\" (one per"
        + " operand). Uses the optimal path and the fastest engine."})
final class EvalCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--case", required = true, paramLabel = "CASE.json",
      description = "the case file to evaluate")
  Path caseFile;

  @Option(names = "--out", paramLabel = "OUT.json",
      description = "write the result here instead of standard output")
  Path out;

  @Option(names = "--engine", defaultValue = DjlCaseEvaluator.JVM, paramLabel = "jvm|djl",
      description = "the backend: jvm (this library's engine, default) or djl (DJL's PyTorch"
          + " engine, gradients by its autograd)")
  String engine;

  @Override
  public Integer call() throws IOException {
    boolean djl = DjlCaseEvaluator.isDjl(engine);
    JsonNode root;
    try {
      root = Inputs.JSON.readTree(Files.readAllBytes(caseFile));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConvEinsumException("case file " + caseFile + " does not exist");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConvEinsumException("case file " + caseFile + " is not valid JSON: "
          + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new ConvEinsumException("case file " + caseFile + " must hold a JSON object");
    }
    String expression = text(root, "expression");
    ConvOptions options = options(root.get("options"));
    DType dtype = root.has("dtype") ? DType.parse(text(root, "dtype")) : DType.FLOAT64;
    JsonNode ops = root.get("operands");
    if (ops == null || !ops.isArray()) {
      throw new ConvEinsumException("case file: \"operands\" must be a list of"
          + " {\"shape\", \"data\"} objects");
    }
    List<Tensor> operands = new ArrayList<>();
    for (int k = 0; k < ops.size(); k++) {
      operands.add(tensor(ops.get(k), "operand " + k, dtype));
    }
    List<long[]> shapes = operands.stream().map(Tensor::shape).toList();
    Tensor grad = root.has("grad_output") && !root.get("grad_output").isNull()
        ? tensor(root.get("grad_output"), "grad_output", dtype) : null;
    Execution e = djl ? DjlCaseEvaluator.evaluate(expression, options, operands, grad)
        : ConvEinsum.compile(expression, options, shapes).execute(operands, grad,
            ConvEinsum.defaults());
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    write(buffer, e, grad != null);
    if (out == null) {
      spec.commandLine().getOut().print(buffer.toString(java.nio.charset.StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
    } else {
      // Write beside the target and move, so a failure never leaves a partial file.
      Path dir = out.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(dir, ".conv-einsum", ".json");
      try {
        Files.write(tmp, buffer.toByteArray());
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return 0;
  }

  private static void write(OutputStream os, Execution e, boolean grads) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(os)) {
      g.writeStartObject();
      writeTensorFields(g, e.output());
      if (grads) {
        g.writeArrayFieldStart("grads");
        for (Tensor t : e.gradients()) {
          g.writeStartObject();
          writeTensorFields(g, t);
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  private static void writeTensorFields(JsonGenerator g, Tensor t) throws IOException {
    g.writeArrayFieldStart("shape");
    for (long d : t.shape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("data");
    for (int i = 0; i < t.size(); i++) {
      if (t.dtype() == DType.FLOAT32) {
        g.writeNumber(t.floatData()[i]);
      } else {
        g.writeNumber(t.getFlat(i));
      }
    }
    g.writeEndArray();
  }

  private static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new ConvEinsumException("case file: \"" + field + "\" must be a string");
    }
    return n.asText();
  }

  @SuppressWarnings("unchecked")
  private static ConvOptions options(JsonNode n) {
    if (n == null || n.isNull()) {
      return ConvOptions.DEFAULT;
    }
    if (!n.isObject()) {
      throw new ConvEinsumException("case file: \"options\" must be an object");
    }
    return ConvOptions.fromMap(Inputs.JSON.convertValue(n, Map.class));
  }

  /** Reads {"shape","data"}, checking that the data fills the shape exactly. */
  static Tensor tensor(JsonNode n, String what, DType dtype) {
    if (n == null || !n.isObject() || !n.has("shape") || !n.has("data")) {
      throw new ConvEinsumException("case file: " + what
          + " must be an object with \"shape\" and \"data\"");
    }
    JsonNode shapeNode = n.get("shape");
    JsonNode data = n.get("data");
    if (!shapeNode.isArray() || !data.isArray()) {
      throw new ConvEinsumException("case file: " + what + ": \"shape\" and \"data\" must be"
          + " lists");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int a = 0; a < shape.length; a++) {
      JsonNode d = shapeNode.get(a);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new ConvEinsumException("case file: " + what + ": shape entry " + a + " is " + d
            + "; dimensions are integers >= 0");
      }
      shape[a] = d.asLong();
      count = Math.multiplyExact(count, shape[a]);
    }
    if (count != data.size()) {
      throw new ConvEinsumException("case file: " + what + " has shape "
          + java.util.Arrays.toString(shape) + " (" + count + " elements) but " + data.size()
          + " data values");
    }
    double[] v = new double[data.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode x = data.get(i);
      if (!x.isNumber()) {
        throw new ConvEinsumException("case file: " + what + ": data[" + i + "] is " + x
            + ", not a number");
      }
      v[i] = x.asDouble();
    }
    return Tensor.wrap(v, shape).to(dtype);
  }
}
