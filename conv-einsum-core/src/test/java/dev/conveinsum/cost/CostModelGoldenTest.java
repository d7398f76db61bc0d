package dev.conveinsum.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.testing.GoldenCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The cost model reproduces every figure of paths.json. */
public class CostModelGoldenTest {

  static Stream<JsonNode> cases() {
    return StreamSupport.stream(GoldenCases.paths().get("cases").spliterator(), false);
  }

  /** Binds a paths.json case. */
  public static BoundExpression bind(JsonNode c) {
    List<long[]> shapes = new ArrayList<>();
    for (JsonNode s : c.get("shapes")) {
      long[] d = new long[s.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = s.get(i).asLong();
      }
      shapes.add(d);
    }
    return BoundExpression.bind(Expression.parse(c.get("expression").asText()),
        GoldenCases.options(c.get("options")), shapes);
  }

  /** Returns the case's trainable set. */
  public static Set<Integer> trainable(JsonNode c) {
    Set<Integer> t = new TreeSet<>();
    c.get("trainable").forEach(x -> t.add(x.asInt()));
    return t;
  }

  static List<int[]> path(JsonNode p) {
    List<int[]> l = new ArrayList<>();
    for (JsonNode s : p) {
      l.add(new int[] {s.get(0).asInt(), s.get(1).asInt()});
    }
    return l;
  }

  @Test
  void fortyCases() {
    assertEquals(40, cases().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyFigureMatches(JsonNode c) {
    BoundExpression b = bind(c);
    CostModel model = new CostModel(b, trainable(c));
    for (JsonNode p : c.get("paths")) {
      String what = c.get("expression").asText() + " path " + p.get("path");
      PathCost cost = model.evaluate(path(p.get("path")));
      List<Long> steps = new ArrayList<>();
      p.get("step_flops").forEach(x -> steps.add(x.asLong()));
      assertEquals(steps, cost.stepFlops(), what + " step flops");
      assertEquals(p.get("flops").asLong(), cost.flops(), what + " flops");
      assertEquals(p.get("largest_intermediate").asLong(), cost.largestIntermediate(),
          what + " largest intermediate");
      assertEquals(p.get("train_flops").asLong(), cost.trainFlops(), what + " train flops");
    }
    long[] out = b.outputShape();
    JsonNode want = c.get("output_shape");
    assertEquals(want.size(), out.length);
    for (int i = 0; i < out.length; i++) {
      assertEquals(want.get(i).asLong(), out[i]);
    }
  }
}
