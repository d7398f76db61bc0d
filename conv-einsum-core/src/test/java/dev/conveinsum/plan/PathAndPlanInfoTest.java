package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.IndexKind;
import dev.conveinsum.plan.search.Planner;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Paths as values, and the printed plan. */
class PathAndPlanInfoTest {
  static final BoundExpression CP = BoundExpression.bind(
      Expression.parse("bshw,rt,rs,rh,rw->bthw|hw"), ConvOptions.DEFAULT,
      List.of(new long[] {8, 16, 12, 12}, new long[] {4, 16}, new long[] {4, 16},
          new long[] {4, 3}, new long[] {4, 3}));

  @Test
  void naivePaths() {
    assertEquals("[[0,1],[0,2],[0,1]]", Path.naive(4).toString());
    assertEquals("[[0,1]]", Path.naive(2).toString());
    assertEquals("[]", Path.naive(1).toString());
    assertEquals(Path.of(0, 1, 0, 3, 0, 2, 0, 1), Path.naive(5));
  }

  @Test
  void parseRoundTripsAndAcceptsOptEinsumText() {
    assertEquals(Path.of(0, 1, 0, 2), Path.parse("[[0,1],[0,2]]"));
    assertEquals(Path.of(0, 1, 0, 2), Path.parse(" [(0, 1), (0, 2)] "));
    assertEquals(Path.empty(), Path.parse("[]"));
    Path p = Path.parse(Path.naive(6).toString());
    assertEquals(Path.naive(6), p);
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> Path.parse("[[0,1],[0;2]]"));
    assertTrue(e.getMessage().contains("column 10"), e.getMessage());
  }

  @Test
  void validationNamesTheStep() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> Path.parse("[[0,1],[0,2]]").validate(3));
    assertTrue(e.getMessage().contains("step 1") && e.getMessage().contains("only 2 operands"),
        e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> Path.parse("[[1,1]]").validate(2));
    assertTrue(e.getMessage().contains("same position twice"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> Path.parse("[[0,1]]").validate(3));
    assertTrue(e.getMessage().contains("1 step but 3 operands need 2"), e.getMessage());
    e = assertThrows(ConvEinsumException.class, () -> Path.of(0, -1));
    assertTrue(e.getMessage().contains("negative"), e.getMessage());
  }

  @Test
  void tableHasOneRowPerStep() {
    PlanInfo info = Planner.plan(CP, PlanOptions.optimizer("optimal").withTrain(null));
    String text = info.toString();
    String flat = text.replaceAll(" +", " ");
    assertTrue(text.contains("Expression:") && text.contains("bshw,rt,rs,rh,rw->bthw|hw"), text);
    assertTrue(flat.contains("Optimizer: optimal"), text);
    assertTrue(text.contains("Training FLOPs:"), text);
    assertTrue(flat.contains("Output shape: [8, 16, 12, 12]"), text);
    assertEquals(4, info.steps().size());
    for (PlanInfo.StepInfo s : info.steps()) {
      assertTrue(text.contains(s.contraction()), text);
      assertTrue(text.contains(s.kindsText()), text);
    }
    PlanInfo.StepInfo last = info.steps().get(3);
    assertEquals("bthw", last.result());
    assertTrue(info.speedup() >= 1);
    assertTrue(info.flops() <= info.naiveFlops());
    boolean convolves = info.steps().stream()
        .anyMatch(s -> s.kinds().containsKey(IndexKind.CONVOLUTION));
    assertTrue(convolves, text);
  }

  @Test
  void dotIsWellFormed() {
    PlanInfo info = Planner.plan(CP, PlanOptions.optimizer("greedy"));
    String dot = info.toDot();
    assertTrue(dot.startsWith("digraph contraction {"), dot);
    assertTrue(dot.trim().endsWith("}"), dot);
    assertEquals(5, count(dot, "(?m)^  in\\d+ \\[shape=box"));
    assertEquals(4, count(dot, "(?m)^  s\\d+ \\[shape=ellipse"));
    assertEquals(8, count(dot, " -> "));
    assertEquals(count(dot, "\\{"), count(dot, "\\}"));
    assertEquals(0, count(dot, "\"") % 2);
    // every step node is the target of exactly two edges and all but the last feed one step
    for (int s = 0; s < 4; s++) {
      assertEquals(2, count(dot, "-> s" + s + ";"));
      assertEquals(s < 3 ? 1 : 0, count(dot, "  s" + s + " -> "));
    }
  }

  @Test
  void trainableOutOfRangeIsAnError() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> Planner
        .plan(CP, PlanOptions.optimizer("optimal").withTrain(Set.of(5))));
    assertTrue(e.getMessage().contains("trainable operand 5 is out of range"), e.getMessage());
    assertThrows(ConvEinsumException.class, () -> PlanOptions.DEFAULT.withMemoryLimit(0));
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int c = 0;
    while (m.find()) {
      c++;
    }
    return c;
  }
}
