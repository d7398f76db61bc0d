package dev.conveinsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.exec.CompiledProgram;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.plan.Path;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 12, item 5: every public entry point refuses a missing (null) argument with the
 * project's exception, naming the argument; {@code vjp} needs its gradient; messages about a
 * long expression stay short.
 */
class ApiInputCheckTest {
  private static final Tensor A = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
  private static final List<long[]> SHAPES = List.of(new long[] {2, 2}, new long[] {2, 2});

  /** Runs the call and returns the message of the ConvEinsumException it must throw. */
  private static String refused(Executable call, String mentions) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, call);
    assertTrue(e.getMessage().startsWith("conv_einsum: "), e.getMessage());
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
    return e.getMessage();
  }

  @Test
  void facadeRefusesNulls() {
    refused(() -> ConvEinsum.einsum(null, A, A), "expression");
    refused(() -> ConvEinsum.einsum("ij,jk->ik", (Tensor[]) null), "operands");
    refused(() -> ConvEinsum.einsum("ij,jk->ik", A, null), "operand 1");
    refused(() -> ConvEinsum.compile(null, ConvOptions.DEFAULT, SHAPES), "expression");
    refused(() -> ConvEinsum.compile("ij,jk->ik", ConvOptions.DEFAULT, null), "shapes");
    refused(() -> ConvEinsum.compile("ij,jk->ik", ConvOptions.DEFAULT,
        Arrays.asList(new long[] {2, 2}, null)), "shape of operand 1");
    refused(() -> ConvEinsum.path(null, ConvOptions.DEFAULT, SHAPES), "expression");
    refused(() -> ConvEinsum.path("ij,jk->ik", null, null), "shapes");
  }

  @Test
  void vjpNeedsItsGradientAndPositions() {
    refused(() -> ConvEinsum.vjp("ij,jk->ik", ConvOptions.DEFAULT, List.of(A, A), null),
        "gradOutput");
    refused(() -> ConvEinsum.vjp("ij,jk->ik", ConvOptions.DEFAULT, List.of(A, A), A,
        (int[]) null), "wrt");
    refused(() -> ConvEinsum.vjp("ij,jk->ik", ConvOptions.DEFAULT, null, A), "operands");
    List<Tensor> withNull = new ArrayList<>(Arrays.asList(A, null));
    refused(() -> ConvEinsum.vjp("ij,jk->ik", ConvOptions.DEFAULT, withNull, A), "operand 1");
    // With a gradient the call works: d<G, AB>/dA = G B^T, by hand for G = ones, B = A.
    List<Tensor> g = ConvEinsum.vjp("ij,jk->ik", ConvOptions.DEFAULT, List.of(A, A),
        Tensor.of(new double[] {1, 1, 1, 1}, 2, 2), 0);
    assertEquals(List.of(3.0, 7.0, 3.0, 7.0),
        Arrays.stream(g.get(0).toDoubleArray()).boxed().toList());
  }

  @Test
  void optionsRefuseNullsAndTreatAMissingMapAsNone() {
    assertEquals(new ConvOptions(ConvKind.CROSS_CORRELATION, Map.of()),
        new ConvOptions(ConvKind.CROSS_CORRELATION, null));
    Map<String, ConvSpec> nullSpec = new HashMap<>();
    nullSpec.put("h", null);
    refused(() -> new ConvOptions(ConvKind.CONVOLUTION, nullSpec), "index 'h'");
    Map<String, ConvSpec> nullName = new HashMap<>();
    nullName.put(null, ConvSpec.DEFAULT);
    refused(() -> new ConvOptions(ConvKind.CONVOLUTION, nullName), "index name");
    refused(() -> ConvOptions.DEFAULT.with(null, ConvSpec.DEFAULT), "index name");
    refused(() -> ConvOptions.DEFAULT.with("h", null), "index 'h'");
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, "CONVOLUTION");
    refused(() -> ConvOptions.fromMap(nullKey), "option names");
    Map<Object, Object> numberKey = new HashMap<>();
    numberKey.put(7, Map.of());
    refused(() -> ConvOptions.fromMap(Map.of("conv", numberKey)), "index names; got 7");
    refused(() -> ConvOptions.fromMap(Map.of("conv", Map.of("h", Map.of("stride", 1),
        "(h)", Map.of("stride", 2)))), "given twice");
    refused(() -> Padding.named(null), "padding mode");
    refused(() -> DType.parse(null), "dtype");
  }

  @Test
  void tensorFactoriesRefuseNulls() {
    refused(() -> Tensor.of((double[]) null, 2), "data");
    refused(() -> Tensor.of(new double[] {1, 2}, (long[]) null), "shape");
    refused(() -> Tensor.wrap((float[]) null, 2), "data");
    refused(() -> Tensor.zeros(null, 2, 2), "dtype");
    refused(() -> Tensor.random(null, 1, 2), "dtype");
    refused(() -> A.to(null), "dtype");
    refused(() -> A.reshape((long[]) null), "shape");
    refused(() -> A.maxAbsDifference(null), "other tensor");
    refused(() -> A.get((long[]) null), "index");
  }

  @Test
  void compiledPlansRefuseNulls() {
    BoundExpression b = BoundExpression.bind(Expression.parse("ij,jk->ik"), null, SHAPES);
    refused(() -> CompiledProgram.compile(null, new int[][] {{0, 1}}, null), "bound expression");
    refused(() -> CompiledProgram.compile(b, (int[][]) null, null), "path");
    refused(() -> CompiledProgram.compile(b, (Path) null, null), "path");
    refused(() -> CompiledProgram.compile(b, new int[][] {null}, null), "step 0 of the path");
    CompiledProgram p = CompiledProgram.compile(b, new int[][] {{0, 1}}, null);
    refused(() -> new RunOptions(null, 1, Checkpoint.STORE), "engine");
    refused(() -> p.execute(List.of(A, A), null, null), "run options");
    refused(() -> p.execute(null, null, ConvEinsum.defaults()), "operands");
    refused(() -> p.execute(Arrays.asList(A, null), null, ConvEinsum.defaults()), "operand 1");
    refused(() -> BoundExpression.bind(null, null, SHAPES), "expression");
  }

  @Test
  void longExpressionsAreShownAsAnExcerptAroundTheColumn() {
    // 547,000 characters in the issue gave a 1.1 MB message; the error is at the very end.
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 547_000) {
      sb.append("ab,");
    }
    sb.append("ab->ab|q");
    String text = sb.toString();
    String m = refused(() -> Expression.parse(text), "'q'");
    assertTrue(m.length() < 400, m.length() + " characters: " + m);
    // The excerpt ends at the column at fault and says where it was cut from.
    assertTrue(m.contains(" in \"<...>") && m.contains("ab,ab->ab|q\" (characters"), m);
    assertTrue(m.contains("of " + text.length() + ")"), m);
  }

  @Test
  void shortExpressionsAreQuotedWhole() {
    String m = refused(() -> Expression.parse("ij,jk->iq"), "'q'");
    assertTrue(m.endsWith(" in \"ij,jk->iq\""), m);
  }

  @Test
  void quoteKeepsTheColumnInsideTheExcerpt() {
    String text = "x".repeat(1000) + "Y" + "x".repeat(1000);
    String q = ConvEinsumException.quote(text, 1001);
    assertTrue(q.startsWith("\"<...>") && q.contains("Y") && q.contains("<...>\""), q);
    assertTrue(q.length() < 140, q);
    assertEquals("\"" + "x".repeat(80) + "<...>\" (characters 1-80 of 2001)",
        ConvEinsumException.quote(text, 0));
  }

  @Test
  void messagesAreOneLine() {
    // Found by the parser fuzzing: whitespace inside an expression is allowed, so a line break
    // in the text reached the message.
    String m = refused(() -> Expression.parse("q\n..cCK,cqC|cC"), "ellipsis");
    assertEquals(1, m.lines().count(), m);
    assertTrue(m.contains("\"q\\n..cCK"), m);
    assertEquals("conv_einsum: a\\u0000b\\tc", new ConvEinsumException("a\u0000b\tc")
        .getMessage());
  }

  @Test
  void everyMessageIsBounded() {
    String m = new ConvEinsumException("z".repeat(100_000)).getMessage();
    assertTrue(m.length() <= "conv_einsum: ".length() + ConvEinsumException.MAX_DETAIL, m);
    assertTrue(m.contains("<...>"), m);
  }
}
