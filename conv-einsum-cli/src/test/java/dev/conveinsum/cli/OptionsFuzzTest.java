package dev.conveinsum.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.testing.RandomExpressions.Case;
import dev.conveinsum.testing.RandomExpressions.Settings;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing of the {@code --options} reader (issue 12, item 8): any text is read or refused with
 * the project's exception within the call budget, and accepted options bind to a call or are
 * refused the same way. Tries: {@code jqwik.tries.default} (README, "Fuzzing").
 */
class OptionsFuzzTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();
  /** Largest stride, dilation or padding bound to shapes here (the reader sees any). */
  private static final int BIND_LIMIT = 64;

  @Property
  void optionsAreReadOrRefused(@ForAll("optionsText") String text, @ForAll("calls") Case c) {
    ConvOptions o = FuzzBudget.call("read", text, () -> Inputs.options(text));
    if (o == null || !small(o)) {
      return;
    }
    FuzzBudget.call("bind", text + " on " + c, () -> BoundExpression.bind(
        Expression.parse(c.expression()), o, c.shapes()));
  }

  @Provide
  Arbitrary<Case> calls() {
    return Mutations.cases(Settings.CONV);
  }

  @Provide
  Arbitrary<String> optionsText() {
    Arbitrary<String> valid = Mutations.cases(Settings.CONV).map(c -> json(c.options()));
    Arbitrary<String> edited = Combinators.combine(valid, Mutations.edits(4))
        .as(Mutations::apply);
    return Arbitraries.frequencyOf(Tuple.of(2, valid), Tuple.of(4, edited),
        Tuple.of(4, value(3)), Tuple.of(1, Arbitraries.strings().all().ofMaxLength(30)));
  }

  /** JSON text of a random value shaped like options, with odd numbers and repeated keys. */
  private static Arbitrary<String> value(int depth) {
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 70).map(String::valueOf),
        Arbitraries.of("0", "2147483647", "2147483648", "-2147483649", "9223372036854775808",
            "1e400", "-1e400", "1e-400", "2.0", "2.5", "1E2", "-0", "0.0", "1" + "0".repeat(30)));
    Arbitrary<String> string = Arbitraries.of("\"SAME\"", "\"max\"", "\"VALID\"", "\"FULL\"",
        "\"CIRCULAR\"", "\"EXPLICIT\"", "\"CONVOLUTION\"", "\"cross_correlation\"", "\"\"",
        "\"NaN\"", "\" same \"");
    Arbitrary<String> atom = Arbitraries.oneOf(number, string,
        Arbitraries.of("null", "true", "false"));
    if (depth == 0) {
      return atom;
    }
    Arbitrary<String> key = Arbitraries.of("kind", "conv", "padding", "stride", "dilation",
        "h", "w", "i", "(t1)", "t1", "x", "", "(", "Kind");
    Arbitrary<String> list = value(depth - 1).list().ofMaxSize(3)
        .map(l -> l.stream().collect(Collectors.joining(",", "[", "]")));
    Arbitrary<String> object = Combinators.combine(key, value(depth - 1)).as(
        (k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(4)
        .map(l -> l.stream().collect(Collectors.joining(",", "{", "}")));
    return Arbitraries.frequencyOf(Tuple.of(2, atom), Tuple.of(1, list), Tuple.of(4, object));
  }

  private static boolean small(ConvOptions o) {
    for (ConvSpec s : o.conv().values()) {
      if (s.stride() > BIND_LIMIT || s.dilation() > BIND_LIMIT
          || s.padding().left() > BIND_LIMIT || s.padding().right() > BIND_LIMIT) {
        return false;
      }
    }
    return true;
  }

  private static String json(Object value) {
    try {
      return PLAIN.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  @AfterContainer
  static void report() {
    FuzzBudget.report("OptionsFuzzTest");
  }
}
