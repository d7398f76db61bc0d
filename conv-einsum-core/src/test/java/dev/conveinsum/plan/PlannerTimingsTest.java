package dev.conveinsum.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.testing.GoldenCases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Path-finding times and the naive/optimal table of tnn_layers.json; runs only with
 * {@code -Dplanner.timings=true} (it is a measurement, not a check) and writes
 * {@code target/planner-timings.md}.
 */
@EnabledIfSystemProperty(named = "planner.timings", matches = "true")
class PlannerTimingsTest {

  /** A random connected network: each operand ~3 bonds of size 2..8, two output indices. */
  static BoundExpression randomNetwork(int n, long seed) {
    Random rnd = new Random(seed);
    List<List<String>> terms = new ArrayList<>();
    List<List<Long>> dims = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      terms.add(new ArrayList<>());
      dims.add(new ArrayList<>());
    }
    int[] next = {0};
    List<int[]> edges = new ArrayList<>();
    for (int k = 1; k < n; k++) {
      edges.add(new int[] {rnd.nextInt(k), k});
    }
    for (int e = n - 1; e < 3 * n / 2; e++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n - 1);
      edges.add(new int[] {a, b >= a ? b + 1 : b});
    }
    StringBuilder out = new StringBuilder();
    for (int[] e : edges) {
      String name = "(i" + next[0]++ + ")";
      long size = 2 + rnd.nextInt(7);
      for (int k : e) {
        terms.get(k).add(name);
        dims.get(k).add(size);
      }
    }
    for (int o = 0; o < 2; o++) {
      String name = "(o" + o + ")";
      int k = rnd.nextInt(n);
      terms.get(k).add(name);
      dims.get(k).add(2L + rnd.nextInt(7));
      out.append(name);
    }
    StringBuilder sb = new StringBuilder();
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      sb.append(k == 0 ? "" : ",").append(String.join("", terms.get(k)));
      shapes.add(dims.get(k).stream().mapToLong(Long::longValue).toArray());
    }
    sb.append("->").append(out);
    return BoundExpression.bind(Expression.parse(sb.toString()), ConvOptions.DEFAULT, shapes);
  }

  static double medianMillis(CostModel model, String optimizer, int runs) {
    PathOptimizer o = Optimizers.get(optimizer);
    PlanOptions opts = PlanOptions.optimizer(optimizer).withSeed(1);
    double[] t = new double[runs];
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime();
      o.optimize(model, opts);
      t[r] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(t);
    return t[runs / 2];
  }

  @Test
  void measure() throws IOException {
    StringBuilder report = new StringBuilder();
    report.append("JDK ").append(System.getProperty("java.version")).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n");
    // tnn layers
    List<BoundExpression> layers = new ArrayList<>();
    List<JsonNode> nodes = new ArrayList<>();
    for (JsonNode l : GoldenCases.read("/bench/tnn_layers.json").get("layers")) {
      List<long[]> shapes = new ArrayList<>();
      for (JsonNode s : l.get("shapes")) {
        long[] d = new long[s.size()];
        for (int i = 0; i < d.length; i++) {
          d[i] = s.get(i).asLong();
        }
        shapes.add(d);
      }
      layers.add(BoundExpression.bind(Expression.parse(l.get("expression").asText()),
          GoldenCases.options(l.get("options")), shapes));
      nodes.add(l);
    }
    for (int w = 0; w < 3; w++) {
      for (BoundExpression b : layers) {
        Optimizers.get("optimal").optimize(new CostModel(b), PlanOptions.DEFAULT);
      }
    }
    report.append("| optimizer | tnn_layers max ms | tnn_layers median ms |\n|---|---|---|\n");
    for (String name : List.of("optimal", "branch", "greedy", "random-greedy", "auto")) {
      double[] t = new double[layers.size()];
      for (int i = 0; i < layers.size(); i++) {
        t[i] = medianMillis(new CostModel(layers.get(i)), name, 5);
      }
      Arrays.sort(t);
      report.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f |%n", name, t[t.length - 1],
          t[t.length / 2]));
    }
    report.append("\n| optimizer | operands | median ms |\n|---|---|---|\n");
    for (int n : new int[] {10, 14, 20, 50, 100}) {
      CostModel model = new CostModel(randomNetwork(n, 1234 + n));
      for (String name : List.of("optimal", "branch", "greedy", "random-greedy", "auto")) {
        if ((name.equals("optimal") && n > 20) || (n == 100 && !name.equals("greedy"))) {
          continue;
        }
        int runs = n >= 20 && !name.equals("greedy") ? 3 : 7;
        medianMillis(model, name, 2);
        report.append(String.format(Locale.ROOT, "| %s | %d | %.3f |%n", name, n,
            medianMillis(model, name, runs)));
      }
    }
    // naive / optimal table
    report.append("\n| layer | decomposition | rate | naive FLOPs | optimal FLOPs"
        + " | naive/optimal |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < layers.size(); i++) {
      PlanInfo info = new Planner(0).plan(layers.get(i), PlanOptions.optimizer("optimal"));
      JsonNode l = nodes.get(i);
      report.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.2f |%n",
          l.get("name").asText(), l.get("decomposition").asText(),
          l.get("compression_rate").asText(), info.naiveFlops(), info.flops(),
          info.speedup()));
    }
    Files.writeString(Paths.get("target/planner-timings.md"), report.toString());
    System.out.println(report);
  }
}
