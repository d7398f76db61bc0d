package dev.conveinsum.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The grammar of SPEC section 1, the implicit-output rule and {@link Expression#canonical()}. */
class ExpressionParserTest {

  private static List<String> names(Term t) {
    return t.indices().stream().map(Index::name).toList();
  }

  private static List<String> names(List<Index> l) {
    return l.stream().map(Index::name).toList();
  }

  @Test
  void parsesTermsOutputAndConvList() {
    Expression e = Expression.parse("bshw,tshw->bthw|hw");
    assertEquals(2, e.operandCount());
    assertEquals(List.of("b", "s", "h", "w"), names(e.inputs().get(0)));
    assertEquals(List.of("t", "s", "h", "w"), names(e.inputs().get(1)));
    assertEquals(List.of("b", "t", "h", "w"), names(e.output()));
    assertTrue(e.explicitOutput());
    assertEquals(List.of("h", "w"), names(e.convIndices()));
    assertTrue(e.isConvIndex(new Index("h")));
    assertFalse(e.isConvIndex(new Index("s")));
    assertEquals(List.of("b", "s", "h", "w", "t"), names(e.inputIndices()));
    assertEquals("bshw,tshw->bthw|hw", e.toString());
  }

  @Test
  void whitespaceAnywhereBetweenTokensIsIgnored() {
    String[][] pairs = {
        {" b s h w , t s h w -> b t h w | h w ", "bshw,tshw->bthw|hw"},
        {"bshw,tshw->bthw|h , w", "bshw,tshw->bthw|hw"},
        {"\tb(s)hw,\n(t) s (h)w ->bthw|(h)(w)\r\n", "bshw,tshw->bthw|hw"},
        {" (t1) s , s (t2) ", "(t1)s,s(t2)->(t1)(t2)"},
        {"... i , i j", "...i,ij->...j"},
        {"i , i - > i", "i,i->i"},
        {"  ", "->"}};
    for (String[] p : pairs) {
      assertEquals(p[1], Expression.parse(p[0]).canonical(), "<" + p[0] + ">");
    }
  }

  /** SPEC: "whitespace anywhere is ignored", inside a parenthesised name and an ellipsis too. */
  @Test
  void whitespaceInsideATokenIsIgnored() {
    assertEquals("(t1)s->s(t1)", Expression.parse("( t1 )s").canonical());
    assertEquals("...a->...a", Expression.parse(". ..a->...a").canonical());
    // Columns in errors still count the source's characters, spaces included.
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> Expression.parse("a b ,  b1->a"));
    assertTrue(e.getMessage().contains("column 9"), e.getMessage());
  }

  @Test
  void parenthesisedSingleLetterIsTheSameIndex() {
    Expression a = Expression.parse("(a)(b),(b)c->(a)c");
    Expression b = Expression.parse("ab,bc->ac");
    assertEquals(b.inputs(), a.inputs());
    assertEquals(b.output(), a.output());
    assertEquals(new Index("a"), a.inputs().get(0).indices().get(0));
    assertEquals("a", new Index("a").toString());
    assertEquals("(t1)", new Index("t1").toString());
    assertEquals("(ab)", new Index("ab").toString());
    // (ab) is one index, ab two.
    assertEquals(1, Expression.parse("(ab)->(ab)").inputs().get(0).indices().size());
    assertEquals(2, Expression.parse("ab->ab").inputs().get(0).indices().size());
  }

  @Test
  void convListWithAndWithoutCommasIsTheSame() {
    assertEquals(List.of("h", "w"), names(Expression.parse("bhw,thw->bthw|hw").convIndices()));
    assertEquals(List.of("h", "w"), names(Expression.parse("bhw,thw->bthw|h,w").convIndices()));
    assertEquals(List.of("w", "h"), names(Expression.parse("bhw,thw->bthw|w,h").convIndices()));
    assertEquals(List.of("h1", "w1"),
        names(Expression.parse("b(h1)(w1),t(h1)(w1)|(h1),(w1)").convIndices()));
    assertEquals(List.of("h1", "w1"),
        names(Expression.parse("b(h1)(w1),t(h1)(w1)|(h1)(w1)").convIndices()));
    assertEquals(Expression.parse("bhw,thw|hw").canonical(),
        Expression.parse("bhw,thw|h,w").canonical());
  }

  @Test
  void multiLetterNamesWithDigitsAndUnderscores() {
    Expression e = Expression.parse("(t1)(s_2),(s_2)(T10)->(T10)(t1)");
    assertEquals(List.of("t1", "s_2"), names(e.inputs().get(0)));
    assertEquals(List.of("T10", "t1"), names(e.output()));
    assertEquals("(t1)(s_2),(s_2)(T10)->(T10)(t1)", e.canonical());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ';', value = {
      "ij,jk;ik",
      "cb,ba;ac",
      "aZ;Za", // code point: 'Z' (90) before 'a' (97)
      "u(t1)t;t(t1)u", // t < t1 < u
      "(t1)s,s(t2);(t1)(t2)",
      "b...a;...ab", // ellipsis first
      "...i,ij;...j",
      "ii;", // an index repeated in one term occurs twice: summed (trace)
      "iij;j",
      "ij,ij;",
      "i,i;",
      "bhw,thw|wh;btwh", // conv indices last, in '|' order
      "bsh,tsh|h;bth",
      "hb,h|h;bh", // conv index after once-occurring b, even though 'b' < 'h' anyway
      "ha,hz|h;azh",
      "bshw,tsh|hw;bthw", // 'w' held by one operand but listed after '|': still in '|' order
      "Bb,Ab;AB"})
  void implicitOutputRule(String text, String output) {
    Expression e = Expression.parse(text);
    assertFalse(e.explicitOutput());
    String out = output == null ? "" : output;
    assertEquals(out, e.output().toString());
  }

  @Test
  void explicitOutputKeepsTheWrittenOrder() {
    assertEquals("ki", Expression.parse("ij,jk->ki").output().toString());
    assertEquals("", Expression.parse("ij,ij->").output().toString());
    assertTrue(Expression.parse("ij,ij->").explicitOutput());
    assertEquals("k...i", Expression.parse("...ij,jk->k...i").output().toString());
  }

  @Test
  void ellipsisPositionInTerms() {
    Expression e = Expression.parse("a...b,...,c...->...");
    assertEquals(1, e.inputs().get(0).ellipsisAt());
    assertEquals(0, e.inputs().get(1).ellipsisAt());
    assertTrue(e.inputs().get(1).indices().isEmpty());
    assertEquals(1, e.inputs().get(2).ellipsisAt());
    assertEquals(-1, Expression.parse("ab->a").inputs().get(0).ellipsisAt());
    assertEquals("a...b", e.inputs().get(0).toString());
  }

  @Test
  void scalarOperands() {
    Expression e = Expression.parse(",i->i");
    assertEquals(2, e.operandCount());
    assertTrue(e.inputs().get(0).indices().isEmpty());
    assertEquals(",i->i", e.canonical());
    Expression s = Expression.parse(",->");
    assertEquals(2, s.operandCount());
    assertTrue(s.output().indices().isEmpty());
    assertEquals(1, Expression.parse("").operandCount());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "ij,jk;ij,jk->ik",
      " (a)b , b(c1) -> (c1)a ;ab,b(c1)->(c1)a",
      "bshw,tshw|h,w;bshw,tshw->bthw|hw",
      "b(h1)(w1),t(h1)(w1)->bt(h1)(w1)|(h1),(w1);b(h1)(w1),t(h1)(w1)->bt(h1)(w1)|(h1)(w1)",
      "...ij,...jk;...ij,...jk->...ik",
      "ii;ii->"})
  void canonicalFormIsExplicitAndReparsesToItself(String text, String canonical) {
    Expression e = Expression.parse(text);
    assertEquals(canonical, e.canonical());
    Expression again = Expression.parse(e.canonical());
    assertEquals(canonical, again.canonical());
    assertEquals(e.inputs(), again.inputs());
    assertEquals(e.output(), again.output());
    assertEquals(e.convIndices(), again.convIndices());
    assertTrue(again.explicitOutput());
  }

  /** Syntax and size-free rule violations beyond invalid.json; each names its column. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "i,i->i|ii;convolution index 'i' is listed twice after '|';9",
      "i,i->i|i(i);convolution index 'i' is listed twice after '|';9",
      "i,i->i|;the convolution list after '|' (column 7) is empty;7",
      "i,i->i|  ;the convolution list after '|' (column 7) is empty;7",
      "i,i|;the convolution list after '|' (column 4) is empty;4",
      "i,i->i|,i;unexpected ',' in the convolution list;8",
      "...i->i;has an ellipsis '...' but the explicit output \"i\" has none;7",
      "a...,b->ab;has an ellipsis '...' but the explicit output;9",
      "ab->a...a;appears twice in the output;9",
      "(t1,b)->b;'(' at column 1 has no closing ')';1",
      "(t-1)->;'(' at column 1 has no closing ')';1",
      "(t.1)->;'.' is not allowed in an index name (at column 3);3",
      "a.b->a;'.' at column 2 does not start an ellipsis;2",
      "ab->ab.;'.' at column 7 does not start an ellipsis;7",
      "ab->a#;'#' at column 6 is not allowed;6",
      "ab > a;'>' at column 4 is not allowed;4",
      "ab->a|a|;second '|';8",
      "2ab;'2' at column 1 is not an index;1",
      "hh->h|h;convolution index 'h' repeats inside term 0;2",
      "ab,ch,hh->|h;convolution index 'h' repeats inside term 2;8"})
  void moreSyntaxErrors(String text, String fragment, int column) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> Expression.parse(text));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("conv_einsum: "), msg);
    assertTrue(msg.contains(fragment), msg);
    assertTrue(msg.contains("column " + column), "column " + column + ": " + msg);
  }

  @Test
  void nullExpressionIsAnError() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> Expression.parse(null));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }
}
