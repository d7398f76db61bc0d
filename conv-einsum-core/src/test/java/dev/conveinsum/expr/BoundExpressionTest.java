package dev.conveinsum.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binding to shapes (broadcasting, diagonals, scalars) and the errors of options and sizes. */
class BoundExpressionTest {

  private static BoundExpression bind(String expr, Map<String, ?> options, long[]... shapes) {
    return BoundExpression.bind(Expression.parse(expr), ConvOptions.fromMap(options),
        List.of(shapes));
  }

  private static BoundExpression bind(String expr, long[]... shapes) {
    return bind(expr, Map.of(), shapes);
  }

  private static long[] s(long... d) {
    return d;
  }

  private static String rejected(String expr, Map<String, ?> options, long[]... shapes) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> bind(expr, options, shapes));
    assertTrue(e.getMessage().startsWith("conv_einsum: "), e.getMessage());
    return e.getMessage();
  }

  private static String optionsRejected(Map<String, ?> options) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> ConvOptions.fromMap(options));
    assertTrue(e.getMessage().startsWith("conv_einsum: "), e.getMessage());
    return e.getMessage();
  }

  private static Map<String, Object> conv(String index, Object... keyValues) {
    Map<String, Object> spec = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      spec.put((String) keyValues[i], keyValues[i + 1]);
    }
    return Map.of("conv", Map.of(index, spec));
  }

  private static void assertContains(String msg, String... fragments) {
    for (String f : fragments) {
      assertTrue(msg.contains(f), "<" + f + "> not in <" + msg + ">");
    }
  }

  @Test
  void ellipsisBroadcastsRightAlignedWithDifferentRanks() {
    BoundExpression b = bind("...ij,...jk->...ik", s(2, 1, 3, 4), s(5, 4, 2));
    assertEquals(2, b.ellipsisDims());
    assertArrayEquals(new long[] {2, 5, 3, 2}, b.outputShape());
    // Operand 1's single ellipsis dimension is the last of the two.
    assertEquals(1, b.operandIndices(1)[0]);
    assertArrayEquals(new long[] {3, 4, 2}, bind("...i,...i->...i", s(3, 1, 2), s(4, 2))
        .outputShape());
    assertArrayEquals(new long[] {3, 4, 2}, bind("...i,...i->...i", s(3, 4, 2), s(1, 2))
        .outputShape());
    assertArrayEquals(new long[] {3, 1, 2}, bind("...i,...i->...i", s(3, 1, 2), s(2))
        .outputShape());
    // The ellipsis may stand anywhere in a term.
    assertArrayEquals(new long[] {2, 3, 4}, bind("a...,...b->a...b", s(2, 3), s(3, 4))
        .outputShape());
  }

  @Test
  void broadcastValuesByHand() {
    // out[a, b, i] = x[a, 0, i] * y[b, i]
    Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 1, 2);
    Tensor y = Tensor.of(new double[] {10, 100, 1000, 10000, 5, 6}, 3, 2);
    BoundExpression b = bind("...i,...i->...i", x.shape(), y.shape());
    Tensor out = ReferenceEvaluator.evaluate(b, List.of(x, y));
    assertArrayEquals(new long[] {2, 3, 2}, out.shape());
    assertArrayEquals(new double[] {10, 200, 1000, 20000, 5, 12, 30, 400, 3000, 40000, 15, 24},
        out.toDoubleArray(), 0);
  }

  @Test
  void diagonalAndTraceByHand() {
    Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
    assertArrayEquals(new double[] {1, 5, 9}, ReferenceEvaluator.evaluate(
        bind("ii->i", m.shape()), List.of(m)).toDoubleArray(), 0);
    assertArrayEquals(new double[] {15}, ReferenceEvaluator.evaluate(
        bind("ii", m.shape()), List.of(m)).toDoubleArray(), 0);
    // ij with i repeated across operands and a diagonal in one: sum_i m[i,i] * v[i]
    Tensor v = Tensor.of(new double[] {1, 10, 100}, 3);
    assertArrayEquals(new double[] {951}, ReferenceEvaluator.evaluate(
        bind("ii,i->", m.shape(), v.shape()), List.of(m, v)).toDoubleArray(), 0);
  }

  @Test
  void scalarOperandsByHand() {
    Tensor two = Tensor.scalar(2);
    Tensor v = Tensor.of(new double[] {1, 2, 3}, 3);
    BoundExpression b = bind(",i->i", s(), s(3));
    assertArrayEquals(new long[] {3}, b.outputShape());
    assertArrayEquals(new double[] {2, 4, 6},
        ReferenceEvaluator.evaluate(b, List.of(two, v)).toDoubleArray(), 0);
    Tensor r = ReferenceEvaluator.evaluate(bind(",->", s(), s()), List.of(two, Tensor.scalar(-3)));
    assertEquals(0, r.rank());
    assertEquals(-6, r.getFlat(0));
    // The implicit output of ",i" is "i".
    assertArrayEquals(new double[] {2, 4, 6}, ReferenceEvaluator.evaluate(bind(",i", s(), s(3)),
        List.of(two, v)).toDoubleArray(), 0);
    assertArrayEquals(new long[] {3}, bind(",i", s(), s(3)).outputShape());
  }

  @Test
  void sizesAndGeometryOfConvIndices() {
    BoundExpression b = bind("bshw,tshw->bthw|hw",
        Map.of("kind", "CROSS_CORRELATION", "conv", Map.of("w", Map.of("padding", List.of(1, 1),
            "stride", 2))), s(2, 3, 5, 7), s(4, 3, 3, 3));
    assertArrayEquals(new long[] {2, 4, 5, 4}, b.outputShape());
    int h = b.indexIds().get("h");
    int w = b.indexIds().get("w");
    int sIdx = b.indexIds().get("s");
    assertTrue(b.isConv(h) && b.isConv(w));
    assertFalse(b.isConv(sIdx));
    assertNull(b.geometry(sIdx));
    assertEquals(ConvKind.CROSS_CORRELATION, b.geometry(h).kind());
    assertArrayEquals(new int[] {0, 1}, new int[] {b.geometry(w).holder(0),
        b.geometry(w).holder(1)});
    IndexKind[] kinds = b.classify();
    assertEquals(IndexKind.FREE, kinds[b.indexIds().get("b")]);
    assertEquals(IndexKind.CONTRACTION, kinds[sIdx]);
    assertEquals(IndexKind.CONVOLUTION, kinds[h]);
    // A conv index in one operand only is ordinary (SPEC section 2).
    BoundExpression one = bind("bshw,tsh->bthw|hw", s(2, 3, 4, 5), s(2, 3, 3));
    int w1 = one.indexIds().get("w");
    assertFalse(one.isConv(w1));
    assertEquals(5, one.size(w1));
    assertEquals(IndexKind.FREE, one.classify()[w1]);
    assertArrayEquals(new long[] {2, 2, 4, 5}, one.outputShape());
  }

  @Test
  void convIndexSizesMayDifferOrdinaryOnesMayNot() {
    assertArrayEquals(new long[] {7}, bind("i,i->i|i", s(7), s(3)).outputShape());
    assertContains(rejected("i,i->i", Map.of(), s(7), s(3)),
        "size of index 'i' is 7 in operand 0", "but 3 in operand 1",
        "only convolution indices (after '|') may differ");
  }

  @Test
  void labelledIndicesNeverBroadcast() {
    assertContains(rejected("ij,jk->ik", Map.of(), s(2, 1), s(3, 4)),
        "size of index 'j' is 1 in operand 0 (\"ij\") but 3 in operand 1 (\"jk\")");
    assertContains(rejected("ij,ij->ij", Map.of(), s(2, 3), s(1, 3)),
        "size of index 'i' is 2 in operand 0", "but 1 in operand 1");
    assertContains(rejected("...i,...i->...i", Map.of(), s(2, 3), s(3, 3)),
        "ellipsis dimensions do not broadcast", "size 2", "size 3");
  }

  @Test
  void negativeDimensionsAreRejected() {
    assertContains(rejected("ij->i", Map.of(), s(2, -1)),
        "operand 0 has a negative dimension: [2, -1]");
    assertContains(rejected("i,ij->j", Map.of(), s(3), s(3, -2)), "operand 1",
        "negative dimension");
  }

  @Test
  void optionsForAnIndexNotAfterTheBarAreRejected() {
    assertContains(rejected("ij,jk->ik", conv("j", "padding", "SAME"), s(2, 3), s(3, 4)),
        "options are given for index 'j', which is not listed after '|'");
    assertContains(rejected("i,i->i|i", conv("q", "stride", 2), s(5), s(3)),
        "index 'q'", "not listed after '|'");
    assertContains(rejected("(t1),(t1)->(t1)|(t1)", conv("t2", "stride", 2), s(5), s(3)),
        "index '(t2)'", "not listed after '|'");
  }

  @Test
  void optionKeysMayBeWrittenWithParentheses() {
    BoundExpression b = bind("(t1),(t1)->(t1)|(t1)", conv("(t1)", "padding", "FULL"), s(5),
        s(3));
    assertArrayEquals(new long[] {7}, b.outputShape());
  }

  @Test
  void optionsForAConvIndexHeldByOneOperandAreRejected() {
    assertContains(rejected("bshw,tsh->bthw|hw", conv("w", "padding", "FULL"), s(2, 3, 4, 5),
        s(2, 3, 3)),
        "options are given for convolution index 'w', but it occurs in only one operand");
  }

  @Test
  void strideAndDilationMustBeIntegersAtLeastOne() {
    for (Object bad : new Object[] {2.5, "2", 0, -1, true, List.of(2), 1e20}) {
      assertContains(optionsRejected(conv("i", "stride", bad)),
          "stride of index 'i' must be an integer >= 1; got ");
      assertContains(optionsRejected(conv("i", "dilation", bad)),
          "dilation of index 'i' must be an integer >= 1; got ");
    }
    assertContains(optionsRejected(conv("i", "stride", 2.5)), "got 2.5");
    assertContains(optionsRejected(conv("i", "stride", "2")), "got \"2\" (a string)");
    // Whole-valued numbers are integers, as JSON has no separate integer type.
    assertEquals(2, ConvOptions.fromMap(conv("i", "stride", 2.0)).spec("i").stride());
    assertEquals(3, ConvOptions.fromMap(conv("i", "dilation", 3L)).spec("i").dilation());
  }

  @Test
  void explicitPaddingMustBeTwoIntegersAtLeastZero() {
    List<Object> bad = new ArrayList<>(List.of(List.of(1), List.of(1, 2, 3), List.of(-1, 0),
        List.of(0, -2), List.of(1.5, 0), List.of("1", 0), List.of(), 3));
    bad.add(Arrays.asList(1, null));
    for (Object p : bad) {
      assertContains(optionsRejected(conv("i", "padding", p)), "padding of index 'i' must be"
          + " MAX, SAME, FULL, VALID, CIRCULAR or two integers >= 0 [left, right]; got ");
    }
    assertContains(optionsRejected(conv("i", "padding", List.of(-1, 0))), "got [-1, 0]");
    // Amounts beyond int are refused as written, not wrapped to a negative number.
    assertContains(optionsRejected(conv("i", "padding", List.of(3_000_000_000L, 0))),
        "got [3000000000, 0]");
    assertContains(rejected("i,i->i|i", conv("i", "padding", List.of(Integer.MAX_VALUE,
        Integer.MAX_VALUE)), s(3), s(2)), "padding [2147483647, 2147483647] of index 'i' does"
        + " not fit: the padded signal has 4294967297 positions, over the limit of 268435456");
    assertEquals(Padding.explicit(0, 2),
        ConvOptions.fromMap(conv("i", "padding", List.of(0, 2))).spec("i").padding());
    assertEquals(Padding.explicit(1, 1),
        ConvOptions.fromMap(conv("i", "padding", List.of(1.0, 1.0))).spec("i").padding());
  }

  @Test
  void unknownKeysAndValuesAreRejected() {
    assertContains(optionsRejected(conv("i", "strides", 2)),
        "unknown option 'strides' for index 'i'; use padding, stride, dilation");
    assertContains(optionsRejected(Map.of("kinds", "CONVOLUTION")), "unknown option 'kinds'");
    assertContains(optionsRejected(Map.of("kind", "CONV")), "unknown kind 'CONV'",
        "CONVOLUTION or CROSS_CORRELATION");
    assertContains(optionsRejected(conv("i", "padding", "same-ish")),
        "unknown padding mode 'same-ish' for index 'i'");
    assertContains(optionsRejected(Map.of("conv", List.of("i"))),
        "options \"conv\" must be an object of index names");
    assertContains(optionsRejected(Map.of("conv", Map.of("i", "FULL"))),
        "options of index 'i' must be an object");
    // Names are case-insensitive; null means defaults.
    assertEquals(ConvKind.CROSS_CORRELATION,
        ConvOptions.fromMap(Map.of("kind", "cross_correlation")).kind());
    assertEquals(Padding.SAME, ConvOptions.fromMap(conv("i", "padding", "same")).spec("i")
        .padding());
    assertEquals(ConvOptions.DEFAULT, ConvOptions.fromMap(null));
    assertEquals(ConvSpec.DEFAULT, ConvOptions.fromMap(Map.of()).spec("anything"));
  }

  @Test
  void cropsThatLeaveNothingAreRejected() {
    // For m = 2, VALID is never empty (L = |n'_1 - n'_2| + 1), whichever operand is longer.
    assertArrayEquals(new long[] {4}, bind("i,i->i|i", conv("i", "padding", "VALID"), s(2), s(5))
        .outputShape());
    // m = 3 with dilation 2: n' = 2, 3, 3, L_full = 6, L = 2*3 - 6 = 0.
    assertContains(rejected("i,i,i->i|i", conv("i", "padding", "VALID", "dilation", 2), s(2),
        s(2), s(2)), "VALID convolution along 'i' leaves no output",
        "2*max(n') - L_full = 6 - 6 = 0 < 1");
    assertContains(rejected("i,i->i|i", conv("i", "padding", List.of(0, 0)), s(2), s(4)),
        "padding [0, 0] of index 'i' leaves no output");
    assertContains(rejected("i,i->i|i", Map.of(), s(0), s(3)),
        "convolution index 'i' has length 0 in operand 0");
  }

  @Test
  void operandCountMustMatch() {
    assertContains(rejected("ij,jk,k->i", Map.of(), s(2, 3), s(3, 4)),
        "has 3 input terms but 2 operands were given");
  }

  @Test
  void rankMustMatchTheTerm() {
    assertContains(rejected("...ijk->...i", Map.of(), s(2, 3)),
        "operand 0 has 2 dimensions [2, 3] but its term \"...ijk\" has at least 3 indices");
    assertContains(rejected(",i->i", Map.of(), s(1), s(3)),
        "operand 0 has 1 dimension [1] but its term \"\" has 0 indices");
  }
}
