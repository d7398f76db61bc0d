package dev.conveinsum.nn;

import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a benchmark layer list ({@code bench/tnn_layers.json}): a named layer at a given
 * batch and image size, with its expression and operand shapes.
 *
 * @param name the entry's name, e.g. {@code CP-stage1-cr005}
 * @param stage the network stage it belongs to, e.g. {@code stage1}
 * @param spec the layer
 * @param batch the batch size B
 * @param height the input height H
 * @param width the input width W
 */
public record BenchEntry(String name, String stage, LayerSpec spec, int batch, int height,
    int width) {

  /**
   * Returns the entry as the JSON object of the list, keys in the file's order: name,
   * decomposition, stage, in_channels, out_channels, height, width, kernel, batch,
   * compression_rate (when the ranks came from a rate), rank (when all ranks are equal) or ranks,
   * expression, shapes (input first), options, parameters, dense_parameters.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("decomposition", spec.decomposition().name());
    m.put("stage", stage);
    m.put("in_channels", spec.inChannels());
    m.put("out_channels", spec.outChannels());
    m.put("height", height);
    m.put("width", width);
    m.put("kernel", spec.kernelSize());
    m.put("batch", batch);
    if (spec.targetRate().isPresent()) {
      m.put("compression_rate", spec.targetRate().getAsDouble());
    }
    if (!spec.ranks().isEmpty()) {
      if (spec.equalRank() > 0) {
        m.put("rank", spec.equalRank());
      } else {
        m.put("ranks", spec.ranks());
      }
    }
    m.put("expression", spec.expression());
    List<Object> shapes = new ArrayList<>();
    shapes.add(list(spec.inputShape(batch, height, width)));
    spec.factorShapes().forEach(s -> shapes.add(list(s)));
    m.put("shapes", shapes);
    m.put("options", options(spec));
    m.put("parameters", spec.parameters());
    m.put("dense_parameters", spec.denseParameters());
    return m;
  }

  private static List<Long> list(long[] s) {
    List<Long> l = new ArrayList<>();
    for (long d : s) {
      l.add(d);
    }
    return l;
  }

  /** The options in the JSON form of SPEC section 5; stride and dilation only when not 1. */
  static Map<String, Object> options(LayerSpec spec) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("kind", spec.kind().name());
    Map<String, Object> conv = new LinkedHashMap<>();
    for (String index : List.of("h", "w")) {
      ConvSpec c = spec.options().spec(index);
      Map<String, Object> e = new LinkedHashMap<>();
      Padding p = c.padding();
      e.put("padding", p.mode() == Padding.Mode.EXPLICIT ? List.of(p.left(), p.right())
          : p.mode().name());
      if (c.stride() != 1) {
        e.put("stride", c.stride());
      }
      if (c.dilation() != 1) {
        e.put("dilation", c.dilation());
      }
      conv.put(index, e);
    }
    o.put("conv", conv);
    return o;
  }
}
