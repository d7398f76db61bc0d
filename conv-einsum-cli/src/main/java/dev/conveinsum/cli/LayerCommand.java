package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import dev.conveinsum.plan.PlanInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conv-einsum layer}: a tensorial conv layer, its expression and its costs. */
@Command(name = "layer", mixinStandardHelpOptions = true,
    description = {"Describe a tensorial convolution layer: its conv_einsum expression, factor"
        + " shapes, parameters and compression, and the optimal path's FLOPs against the naive"
        + " path and the dense layer.",
        "DECOMP is one of CP, RCP, TK, RTK, TT, RTT, TR, RTR (or DENSE)."})
final class LayerCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DECOMP", description = "the decomposition")
  String decomposition;

  @Option(names = "--in", required = true, paramLabel = "S", description = "input channels")
  int in;

  @Option(names = "--out", required = true, paramLabel = "T", description = "output channels")
  int out;

  @Option(names = "--kernel", defaultValue = "3", paramLabel = "K",
      description = "kernel size (default: ${DEFAULT-VALUE})")
  int kernel;

  @Option(names = "--order", paramLabel = "M",
      description = "reshape order of RCP, RTK, RTT, RTR (default 3)")
  Integer order;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Size size;

  static final class Size {
    @Option(names = "--cr", paramLabel = "RATE",
        description = "compression rate: parameters / dense parameters, e.g. 0.1")
    Double rate;

    @Option(names = "--ranks", split = ",", paramLabel = "R",
        description = "explicit ranks, comma-separated (one value means all equal)")
    int[] ranks;
  }

  @Option(names = "--input", required = true, paramLabel = "BxSxHxW",
      description = "input shape, e.g. 32x64x32x32")
  String input;

  @Option(names = "--stride", defaultValue = "1", description = "stride (default 1)")
  int stride;

  @Option(names = "--dilation", defaultValue = "1", description = "dilation (default 1)")
  int dilation;

  @Option(names = "--padding", defaultValue = "SAME", paramLabel = "MODE",
      description = "MAX, SAME (default), FULL, VALID, CIRCULAR or L,R")
  String padding;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Decomposition d;
    try {
      d = Decomposition.valueOf(decomposition.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConvEinsumException("unknown decomposition '" + decomposition
          + "'; use one of CP, RCP, TK, RTK, TT, RTT, TR, RTR, DENSE");
    }
    List<long[]> inShape = Inputs.shapes(input);
    if (inShape.size() != 1 || inShape.get(0).length != 4) {
      throw new ConvEinsumException("--input must be one shape BxSxHxW, e.g. 32x64x32x32;"
          + " got '" + input + "'");
    }
    long[] x = inShape.get(0);
    if (x[1] != in) {
      throw new ConvEinsumException("--input has " + x[1] + " channels but --in is " + in);
    }
    LayerSpec.Builder b = LayerSpec.builder().setInChannels(in).setOutChannels(out)
        .setKernelSize(kernel).setDecomposition(d).optStride(stride).optDilation(dilation)
        .optPadding(padding(padding)).optKind(ConvKind.CROSS_CORRELATION);
    if (order != null) {
      b.optOrder(order);
    }
    if (d != Decomposition.DENSE) {
      if (size == null) {
        throw new ConvEinsumException(d + " needs a size: give --cr RATE (e.g. 0.1) or --ranks R");
      }
      if (size.rate != null) {
        b.optCompressionRate(size.rate);
      } else {
        b.optRanks(size.ranks);
      }
    }
    LayerSpec layer = b.build();
    List<long[]> shapes = new ArrayList<>();
    shapes.add(layer.inputShape(x[0], x[2], x[3]));
    shapes.addAll(layer.factorShapes());
    PlanInfo plan = ConvEinsum.path(layer.expression(), layer.options(), shapes);
    LayerSpec dense = LayerSpec.builder().setInChannels(in).setOutChannels(out)
        .setKernelSize(kernel).setDecomposition(Decomposition.DENSE).optStride(stride)
        .optDilation(dilation).optPadding(layer.padding()).optKind(ConvKind.CROSS_CORRELATION)
        .build();
    PlanInfo densePlan = ConvEinsum.path(dense.expression(), dense.options(),
        List.of(dense.inputShape(x[0], x[2], x[3]), dense.kernelShape()));
    PrintWriter pw = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = Inputs.JSON.createObjectNode();
      o.put("decomposition", d.name());
      o.put("expression", layer.expression());
      o.set("options", Inputs.JSON.valueToTree(layer.options().toMap()));
      o.set("input_shape", Inputs.JSON.valueToTree(shapes.get(0)));
      ArrayNode fs = o.putArray("factor_shapes");
      layer.factorShapes().forEach(s -> fs.add(Inputs.JSON.valueToTree(s)));
      o.set("ranks", Inputs.JSON.valueToTree(layer.ranks()));
      o.put("parameters", layer.parameters());
      o.put("dense_parameters", layer.denseParameters());
      o.put("compression", layer.compression());
      o.put("flops", plan.flops());
      o.put("naive_flops", plan.naiveFlops());
      o.put("dense_flops", densePlan.flops());
      ArrayNode p = o.putArray("path");
      plan.path().pairs().forEach(pair -> p.addArray().add(pair[0]).add(pair[1]));
      o.set("output_shape", Inputs.JSON.valueToTree(plan.outputShape()));
      if (!layer.notes().isEmpty()) {
        o.put("notes", layer.notes());
      }
      pw.println(o);
    } else {
      pw.printf(Locale.ROOT, "layer         %s %d->%d, %dx%d kernel, stride %d%n", d, in, out,
          kernel, kernel, stride);
      pw.printf(Locale.ROOT, "expression    %s%n", layer.expression());
      pw.printf(Locale.ROOT, "input shape   %s%n", java.util.Arrays.toString(shapes.get(0)));
      StringBuilder f = new StringBuilder();
      layer.factorShapes().forEach(s -> f.append(f.length() == 0 ? "" : ", ")
          .append(java.util.Arrays.toString(s)));
      pw.printf(Locale.ROOT, "factors       %s (ranks %s)%n", f, layer.ranks());
      pw.printf(Locale.ROOT, "parameters    %d of %d dense: compression %.4f%n",
          layer.parameters(), layer.denseParameters(), layer.compression());
      pw.printf(Locale.ROOT, "path          %s%n", plan.path());
      pw.printf(Locale.ROOT, "FLOPs         optimal %.4g | naive %.4g (%.1fx) | dense layer %.4g"
          + " (%.2fx)%n", (double) plan.flops(), (double) plan.naiveFlops(),
          plan.naiveFlops() / (double) Math.max(1, plan.flops()), (double) densePlan.flops(),
          densePlan.flops() / (double) Math.max(1, plan.flops()));
      if (!layer.notes().isEmpty()) {
        pw.printf(Locale.ROOT, "notes         %s%n", layer.notes());
      }
    }
    pw.flush();
    return 0;
  }

  private static Padding padding(String text) {
    String t = text.trim();
    if (t.contains(",")) {
      String[] lr = t.replace("[", "").replace("]", "").split(",");
      try {
        return Padding.explicit(Integer.parseInt(lr[0].trim()), Integer.parseInt(lr[1].trim()));
      } catch (RuntimeException e) {
        throw new ConvEinsumException("--padding '" + text + "' is not L,R with integers >= 0");
      }
    }
    return Padding.named(t);
  }
}
