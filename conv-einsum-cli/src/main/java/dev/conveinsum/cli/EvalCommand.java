package dev.conveinsum.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.Execution;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv-einsum eval}: evaluates a case file (SPEC section 5). */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate a case file: {\"expression\", \"options\", \"dtype\", \"operands\","
        + " [\"grad_output\"]}; other keys, duplicate keys and trailing text are refused.",
        "Writes {\"shape\",\"data\"} and, when the case has grad_output, \"grads\" (one per"
        + " operand). Uses the optimal path and the fastest engine. NaN and infinities are"
        + " the strings \"NaN\", \"Infinity\", \"-Infinity\", written and read."})
final class EvalCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--case", required = true, paramLabel = "CASE.json",
      description = "the case file to evaluate")
  Path caseFile;

  @Option(names = "--out", paramLabel = "OUT.json",
      description = "write the result here instead of standard output: a file is replaced"
          + " atomically, a link written through, a device or FIFO written to")
  Path out;

  @Option(names = "--engine", defaultValue = DjlCaseEvaluator.JVM, paramLabel = "jvm|djl",
      description = "the backend: jvm (this library's engine, default) or djl (DJL's PyTorch"
          + " engine, gradients by its autograd)")
  String engine;

  @Override
  public Integer call() throws IOException {
    boolean djl = DjlCaseEvaluator.isDjl(engine);
    // Checked before the work: a bad --out is refused at once, and never names the case.
    OutputFile target = out == null ? null : OutputFile.of("--out", out);
    if (target != null) {
      target.refuseSameAs(caseFile, "the --case file");
    }
    CaseFile c = CaseFile.read(caseFile);
    String expression = c.expression();
    ConvOptions options = c.options();
    List<Tensor> operands = c.operands();
    List<long[]> shapes = operands.stream().map(Tensor::shape).toList();
    Tensor grad = c.gradOutput();
    Execution e = djl ? DjlCaseEvaluator.evaluate(expression, options, operands, grad)
        : ConvEinsum.compile(expression, options, shapes).execute(operands, grad,
            ConvEinsum.defaults());
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    write(buffer, e, grad != null);
    if (target == null) {
      spec.commandLine().getOut().print(buffer.toString(java.nio.charset.StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
    } else {
      target.write(buffer.toByteArray());
    }
    return 0;
  }

  private static void write(OutputStream os, Execution e, boolean grads) throws IOException {
    // The CLI's factory writes NaN and the infinities as strings, which CaseFile reads back.
    try (JsonGenerator g = Inputs.JSON.getFactory().createGenerator(os)) {
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
}
