package dev.conveinsum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.expr.ConvOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The layer configurations of {@code tnn_layers.json} (a copy is on the class path). */
final class BenchLayers {
  private BenchLayers() {}

  /**
   * One layer: name, expression, options, operand shapes (input first), and its JSON entry.
   */
  record Layer(String name, String expression, ConvOptions options, List<long[]> shapes,
      JsonNode entry) {
    /** Returns copies of the shapes with the input's batch replaced. */
    List<long[]> shapes(int batch) {
      List<long[]> s = new ArrayList<>();
      for (long[] d : shapes) {
        s.add(d.clone());
      }
      s.get(0)[0] = batch;
      return s;
    }
  }

  /** Reads every layer of the file, in order. */
  @SuppressWarnings("unchecked")
  static List<Layer> load() {
    ObjectMapper json = new ObjectMapper();
    List<Layer> out = new ArrayList<>();
    try (InputStream in = BenchLayers.class.getResourceAsStream("/tnn_layers.json")) {
      for (JsonNode l : json.readTree(in).get("layers")) {
        List<long[]> shapes = new ArrayList<>();
        for (JsonNode s : l.get("shapes")) {
          long[] d = new long[s.size()];
          for (int i = 0; i < d.length; i++) {
            d[i] = s.get(i).asLong();
          }
          shapes.add(d);
        }
        out.add(new Layer(l.get("name").asText(), l.get("expression").asText(),
            ConvOptions.fromMap(json.convertValue(l.get("options"), Map.class)), shapes, l));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
