package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.cli.report.TreeSvg;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv-einsum path}: the optimal contraction path and its cost (SPEC sections 4, 5). */
@Command(name = "path", mixinStandardHelpOptions = true,
    description = {"Find the FLOPs-optimal pairwise evaluation order of an expression.",
        "Prints the plan report (or one JSON object with --json): the path in opt_einsum"
            + " notation, its FLOPs, the naive left-to-right FLOPs, the largest intermediate.",
        "With --train (or --trainable) the FLOPs are training costs: forward plus the backward"
            + " products toward operands that need gradients; JSON then also has"
            + " \"forward_flops\"."})
final class PathCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPR",
      description = "the expression, e.g. \"bshw,rt,rs,rh,rw->bthw|hw\"")
  String expression;

  @Option(names = "--shapes", required = true, paramLabel = "SHAPES",
      description = "one shape per operand: ';' between operands, 'x' between dimensions,"
          + " an empty item for a scalar, e.g. \"8x16x32x32;4x32;4x16;4x3;4x3\"")
  String shapes;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "auto",
      description = "optimal (alias dp), branch, greedy, random-greedy, naive or auto"
          + " (default: ${DEFAULT-VALUE}: optimal up to 14 operands)")
  String optimizer;

  @Option(names = "--train", description = "minimise the training cost (forward + backward)")
  boolean train;

  @Option(names = "--trainable", paramLabel = "1,2",
      description = "0-based operands that need gradients (default all); implies --train")
  String trainable;

  @Option(names = "--memory-limit", paramLabel = "N",
      description = "largest intermediate allowed, in elements")
  Long memoryLimit;

  @Option(names = "--options", paramLabel = "JSON",
      description = "conv options, e.g. {\"kind\":\"CROSS_CORRELATION\","
          + "\"conv\":{\"h\":{\"padding\":\"SAME\",\"stride\":2}}}")
  String options;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--dot", paramLabel = "FILE",
      description = "also write the contraction tree as Graphviz DOT")
  java.nio.file.Path dot;

  @Option(names = "--svg", paramLabel = "FILE",
      description = "also write the contraction tree as an SVG picture")
  java.nio.file.Path svg;

  @Option(names = "--kernels",
      description = "also list, per kernel step, what the default engine runs for it (GEMM"
          + " layout and transposes, direct / im2col / implicit im2col / FFT / depthwise"
          + " convolution) with the available processors; with --train, the backward steps"
          + " too (JSON: \"kernels\")")
  boolean kernels;

  @Override
  public Integer call() throws IOException {
    OutputFile dotFile = dot == null ? null : OutputFile.of("--dot", dot);
    OutputFile svgFile = svg == null ? null : OutputFile.of("--svg", svg);
    List<long[]> shapeList = Inputs.shapes(shapes);
    var convOptions = Inputs.options(options);
    BoundExpression bound = ConvEinsum.bind(expression, convOptions, shapeList);
    PlanOptions po = PlanOptions.optimizer(optimizer);
    boolean training = train || trainable != null;
    if (training) {
      Set<Integer> set = null;
      if (trainable != null) {
        set = new HashSet<>();
        for (int k : Inputs.positions(trainable, "--trainable", bound.operandCount())) {
          set.add(k);
        }
      }
      po = po.withTrain(set);
    }
    if (memoryLimit != null) {
      if (memoryLimit < 1) {
        throw new ConvEinsumException("--memory-limit must be at least 1 element, got "
            + memoryLimit);
      }
      po = po.withMemoryLimit(memoryLimit);
    }
    PlanInfo info = ConvEinsum.plan(bound, po);
    if (dotFile != null) {
      dotFile.writeString(info.toDot());
    }
    if (svgFile != null) {
      svgFile.writeString(TreeSvg.render(info));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<String> steps = kernels ? kernelLines(info, training) : null;
      ObjectNode o = toJson(info, training
          ? ConvEinsum.plan(bound, Path.naive(bound.operandCount()), po) : null);
      if (steps != null) {
        steps.forEach(o.putArray("kernels")::add);
      }
      out.println(Inputs.JSON.writeValueAsString(o));
    } else {
      out.print(info);
      if (!info.toString().endsWith("\n")) {
        out.println();
      }
      if (kernels) {
        // the report first: a plan too large to compile still prints, then fails with one line
        out.flush();
        List<String> steps = kernelLines(info, training);
        out.printf(java.util.Locale.ROOT, "Kernels (%s engine, %d threads%s):%n",
            ConvEinsum.defaults().engine().name(), Runtime.getRuntime().availableProcessors(),
            training ? ", forward then backward" : "");
        steps.forEach(line -> out.println("  " + line));
      }
    }
    out.flush();
    return 0;
  }

  /** What the default engine runs per kernel step, with the available processors. */
  private static List<String> kernelLines(PlanInfo info, boolean training) {
    return ConvEinsum.compile(info).describe(training,
        ConvEinsum.defaults().withThreads(Runtime.getRuntime().availableProcessors()));
  }

  /**
   * The JSON of SPEC section 5; with the naive path's training plan, FLOPs are training costs.
   */
  static ObjectNode toJson(PlanInfo info, PlanInfo naiveTraining) {
    ObjectNode o = Inputs.JSON.createObjectNode();
    o.put("expression", info.expression());
    ArrayNode shape = o.putArray("output_shape");
    for (long d : info.outputShape()) {
      shape.add(d);
    }
    ArrayNode path = o.putArray("path");
    for (int[] pair : info.path().pairs()) {
      path.addArray().add(pair[0]).add(pair[1]);
    }
    if (naiveTraining != null) {
      o.put("flops", info.pathTrainFlops());
      o.put("naive_flops", naiveTraining.pathTrainFlops());
      o.put("forward_flops", info.flops());
      o.put("naive_forward_flops", info.naiveFlops());
    } else {
      o.put("flops", info.flops());
      o.put("naive_flops", info.naiveFlops());
    }
    o.put("largest_intermediate", info.largestIntermediate());
    o.put("optimizer", info.optimizer());
    return o;
  }
}
