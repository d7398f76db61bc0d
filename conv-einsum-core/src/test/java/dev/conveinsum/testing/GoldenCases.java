package dev.conveinsum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loads the golden vectors of the test resources (a copy of shared/testdata). */
public final class GoldenCases {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GoldenCases() {}

  /** One golden case. */
  public record Case(String name, String expression, ConvOptions options, List<Tensor> operands,
      Tensor expected, Tensor gradOutput, List<Tensor> expectedGrads) {
    public boolean hasGrads() {
      return gradOutput != null;
    }

    public List<long[]> shapes() {
      return operands.stream().map(Tensor::shape).toList();
    }

    @Override
    public String toString() {
      return name + " " + expression;
    }
  }

  /** One invalid call of invalid.json. */
  public record Invalid(String expression, List<long[]> shapes, Map<String, Object> options,
      String why) {
    @Override
    public String toString() {
      return expression + " " + why;
    }
  }

  /** Returns every case in cases/, in file order. */
  public static List<Case> all() {
    List<Case> out = new ArrayList<>();
    for (String name : names()) {
      out.add(load(name));
    }
    return out;
  }

  /** Returns the file names listed in the testdata README's table. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    String readme = text("/testdata/README.md");
    for (String line : readme.split("\n")) {
      if (line.startsWith("| `") && line.contains(".json`")) {
        names.add(line.substring(3, line.indexOf(".json`") + 5));
      }
    }
    return names;
  }

  /** Loads one case by file name. */
  public static Case load(String file) {
    JsonNode n = read("/testdata/cases/" + file);
    List<Tensor> ops = new ArrayList<>();
    n.get("operands").forEach(o -> ops.add(tensor(o)));
    List<Tensor> grads = new ArrayList<>();
    if (n.has("expected_grads")) {
      n.get("expected_grads").forEach(o -> grads.add(tensor(o)));
    }
    return new Case(file, n.get("expression").asText(), options(n.get("options")), ops,
        tensor(n.get("expected")), n.has("grad_output") ? tensor(n.get("grad_output")) : null,
        grads);
  }

  /** Returns every entry of invalid.json. */
  @SuppressWarnings("unchecked")
  public static List<Invalid> invalid() {
    List<Invalid> out = new ArrayList<>();
    for (JsonNode n : read("/testdata/invalid.json")) {
      List<long[]> shapes = new ArrayList<>();
      n.get("shapes").forEach(s -> {
        long[] d = new long[s.size()];
        for (int i = 0; i < d.length; i++) {
          d[i] = s.get(i).asLong();
        }
        shapes.add(d);
      });
      out.add(new Invalid(n.get("expression").asText(), shapes,
          JSON.convertValue(n.get("options"), Map.class), n.get("why").asText()));
    }
    return out;
  }

  /** Reads the paths.json cost vectors. */
  public static JsonNode paths() {
    return read("/testdata/paths.json");
  }

  @SuppressWarnings("unchecked")
  public static ConvOptions options(JsonNode n) {
    return n == null ? ConvOptions.DEFAULT : ConvOptions.fromMap(JSON.convertValue(n, Map.class));
  }

  /** Converts {"shape","data"} to a float64 tensor. */
  public static Tensor tensor(JsonNode n) {
    long[] shape = new long[n.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = n.get("shape").get(i).asLong();
    }
    double[] data = new double[n.get("data").size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = n.get("data").get(i).asDouble();
    }
    return Tensor.wrap(data, shape);
  }

  public static JsonNode read(String resource) {
    try (InputStream in = GoldenCases.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(String resource) {
    try (InputStream in = GoldenCases.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
