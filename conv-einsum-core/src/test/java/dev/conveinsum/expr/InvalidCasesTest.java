package dev.conveinsum.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.testing.GoldenCases;
import dev.conveinsum.testing.GoldenCases.Invalid;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every call of {@code testdata/invalid.json} is rejected with a message that names the problem
 * (SPEC section 1: "Every violation is an error that names the problem and its position").
 */
class InvalidCasesTest {

  /**
   * One expected rejection, in the order of invalid.json.
   *
   * @param expression the entry's expression (guards against the table drifting from the file)
   * @param stage where the error must be raised: parse, options or bind
   * @param fragment a distinctive part of the message
   * @param column the column the message must name ("at column N" or "column N"), or 0 for none
   */
  record Expected(String expression, Stage stage, String fragment, int column) {}

  enum Stage { PARSE, OPTIONS, BIND }

  static final List<Expected> TABLE = List.of(
      new Expected("ab,b1->a", Stage.PARSE, "'1' at column 5 is not an index: digits may appear"
          + " only inside a parenthesised name", 5),
      new Expected("a$b->a", Stage.PARSE, "'$' at column 2 is not allowed", 2),
      new Expected("ab->b->a", Stage.PARSE, "second '->'", 6),
      new Expected("(ab,b->a", Stage.PARSE, "'(' at column 1 has no closing ')'", 1),
      new Expected("ab),b->a", Stage.PARSE, "')' at column 3 has no matching '('", 3),
      new Expected("()a,a->a", Stage.PARSE, "empty index name '()'", 1),
      new Expected("ab-b", Stage.PARSE, "'-' must be followed by '>'", 3),
      new Expected("i,i->i|i|i", Stage.PARSE, "second '|'", 9),
      new Expected("i,i|i->i", Stage.PARSE, "'->' must come before the convolution list", 6),
      new Expected("i,i->i|i,", Stage.PARSE, "the convolution list ends with ','", 9),
      new Expected("...a...->a", Stage.PARSE, "second ellipsis", 5),
      new Expected("..a->a", Stage.PARSE, "does not start an ellipsis", 1),
      new Expected("ab,bc->ad", Stage.PARSE, "index 'd' in the output does not occur in any input",
          9),
      new Expected("ab->aa", Stage.PARSE, "index 'a' appears twice in the output", 6),
      new Expected("ab,bc->ac|d", Stage.PARSE,
          "convolution index 'd' does not occur in any input", 11),
      new Expected("hh,h->h|h", Stage.PARSE, "convolution index 'h' repeats inside term 0", 2),
      new Expected("ij,jk->ik", Stage.BIND, "size of index 'j' is 3 in operand 0 (\"ij\") but 4"
          + " in operand 1 (\"jk\")", 0),
      new Expected("ii->i", Stage.BIND, "diagonal index 'i' has sizes 2 and 3", 0),
      new Expected("ij,jk->ik", Stage.BIND, "has 2 input terms but 1 operand was given", 0),
      new Expected("ij->ij", Stage.BIND, "has 1 input term but 2 operands were given", 0),
      new Expected("ijk,k->ij", Stage.BIND, "operand 0 has 2 dimensions [2, 3] but its term"
          + " \"ijk\" has 3 indices", 0),
      new Expected("...i,...i->...i", Stage.BIND, "do not broadcast: operand 0 has size 2 and"
          + " operand 1 has size 4", 0),
      new Expected("i,i,i->i|i", Stage.BIND, "explicit padding [1, 1] of index 'i' needs exactly"
          + " 2 operands holding it; it occurs in 3", 0),
      new Expected("i,i,i->i|i", Stage.BIND, "VALID convolution along 'i' leaves no output", 0),
      new Expected("i,i->i|i", Stage.OPTIONS, "stride of index 'i' must be an integer >= 1; got"
          + " -1", 0),
      new Expected("i,i->i|i", Stage.OPTIONS, "stride of index 'i' must be an integer >= 1; got"
          + " 0", 0),
      new Expected("i,i->i|i", Stage.OPTIONS, "dilation of index 'i' must be an integer >= 1;"
          + " got 0", 0),
      new Expected("i,i->i|i", Stage.OPTIONS, "unknown padding mode 'PADDED' for index 'i'", 0),
      new Expected("i,i->i|i", Stage.OPTIONS, "unknown kind 'CORRELATION'", 0));

  static Stream<Arguments> entries() {
    List<Invalid> all = GoldenCases.invalid();
    return IntStream.range(0, all.size()).mapToObj(i -> Arguments.of(i, all.get(i)));
  }

  @Test
  void tableCoversEveryEntryInOrder() {
    List<Invalid> all = GoldenCases.invalid();
    assertEquals(29, all.size());
    assertEquals(all.size(), TABLE.size());
    for (int i = 0; i < all.size(); i++) {
      assertEquals(all.get(i).expression(), TABLE.get(i).expression(), "entry " + i);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("entries")
  void isRejectedWithADistinctiveMessage(int i, Invalid c) {
    Expected want = TABLE.get(i);
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> attempt(c, want.stage()),
        "entry " + i + " must be rejected: " + c.why());
    String msg = e.getMessage();
    assertTrue(msg.startsWith("conv_einsum: "), msg);
    assertTrue(msg.contains(want.fragment()), "message of entry " + i + " should contain <"
        + want.fragment() + "> but is <" + msg + ">");
    if (want.stage() == Stage.PARSE) {
      // SPEC section 1: parse errors name the position.
      assertTrue(msg.contains("column " + want.column()), "should name column " + want.column()
          + ": " + msg);
      assertTrue(msg.contains("\"" + c.expression() + "\""), "should quote the expression: "
          + msg);
    }
  }

  /** Runs the stages up to the expected one; the earlier stages must accept the call. */
  private static void attempt(Invalid c, Stage stage) {
    Expression e;
    if (stage == Stage.PARSE) {
      Expression.parse(c.expression());
      return;
    }
    e = Expression.parse(c.expression());
    if (stage == Stage.OPTIONS) {
      ConvOptions.fromMap(c.options());
      return;
    }
    ConvOptions o = ConvOptions.fromMap(c.options());
    BoundExpression.bind(e, o, c.shapes());
  }
}
