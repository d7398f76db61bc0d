package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import dev.conveinsum.plan.PlanInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What the planner says about one layer at one input size, the numbers {@code conv-einsum layer
 * --json} prints: expression, ranks, parameters and compression, FLOPs of the optimal path, the
 * naive path and the dense layer.
 *
 * @param name a short name, e.g. {@code CP 10%} or {@code CP-stage2-cr010}
 * @param spec the layer
 * @param batch batch size
 * @param height input height
 * @param width input width
 * @param optimal the optimal (forward) plan, as {@code layer} and {@code path} find it
 * @param denseFlops FLOPs of the dense layer of the same channels, kernel and input
 */
public record LayerFacts(String name, LayerSpec spec, long batch, long height, long width,
    PlanInfo optimal, long denseFlops) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Plans a layer and its dense counterpart, as {@code conv-einsum layer} does. */
  public static LayerFacts of(String name, LayerSpec spec, long batch, long height, long width) {
    PlanInfo plan = ConvEinsum.path(spec.expression(), spec.options(),
        shapes(spec, batch, height, width));
    LayerSpec dense = dense(spec);
    PlanInfo densePlan = ConvEinsum.path(dense.expression(), dense.options(),
        List.of(dense.inputShape(batch, height, width), dense.kernelShape()));
    return new LayerFacts(name, spec, batch, height, width, plan, densePlan.flops());
  }

  /** The dense layer with the same channels, kernel, stride, dilation, padding and kind. */
  static LayerSpec dense(LayerSpec spec) {
    return LayerSpec.builder().setInChannels(spec.inChannels())
        .setOutChannels(spec.outChannels()).setKernelSize(spec.kernelSize())
        .setDecomposition(Decomposition.DENSE).optStride(spec.stride())
        .optDilation(spec.dilation()).optPadding(spec.padding()).optKind(spec.kind()).build();
  }

  /** Operand shapes: the input, then the factors (or the kernel of a dense layer). */
  static List<long[]> shapes(LayerSpec spec, long batch, long height, long width) {
    List<long[]> shapes = new ArrayList<>();
    shapes.add(spec.inputShape(batch, height, width));
    shapes.addAll(spec.factorShapes());
    return shapes;
  }

  /** Returns the operand shapes at this batch. */
  public List<long[]> shapes() {
    return shapes(spec, batch, height, width);
  }

  /** Returns the decomposition. */
  public Decomposition decomposition() {
    return spec.decomposition();
  }

  /** Returns the compression rate asked for, if the ranks came from one. */
  public OptionalDouble rate() {
    return spec.targetRate();
  }

  /** Returns FLOPs of the optimal path. */
  public long flops() {
    return optimal.flops();
  }

  /** Returns FLOPs of the naive left-to-right path. */
  public long naiveFlops() {
    return optimal.naiveFlops();
  }

  /** Returns the fields of {@code layer --json} (same keys, same values), plus the name. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("decomposition", spec.decomposition().name());
    rate().ifPresent(r -> o.put("compression_rate", r));
    o.put("expression", spec.expression());
    o.set("options", JSON.valueToTree(spec.options().toMap()));
    o.set("input_shape", JSON.valueToTree(shapes().get(0)));
    ArrayNode fs = o.putArray("factor_shapes");
    spec.factorShapes().forEach(s -> fs.add(JSON.valueToTree(s)));
    o.set("ranks", JSON.valueToTree(spec.ranks()));
    o.put("parameters", spec.parameters());
    o.put("dense_parameters", spec.denseParameters());
    o.put("compression", spec.compression());
    o.put("flops", flops());
    o.put("naive_flops", naiveFlops());
    o.put("dense_flops", denseFlops);
    ArrayNode p = o.putArray("path");
    optimal.path().pairs().forEach(pair -> p.addArray().add(pair[0]).add(pair[1]));
    o.set("output_shape", JSON.valueToTree(optimal.outputShape()));
    return o;
  }
}
