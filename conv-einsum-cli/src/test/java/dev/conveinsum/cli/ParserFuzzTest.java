package dev.conveinsum.cli;

import static dev.conveinsum.testing.Tolerance.assertClose;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Case;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing of the expression parser (issue 12, item 8): any text is parsed or refused with the
 * project's exception within the call budget, and a mutated expression that is still accepted
 * for its shapes evaluates, on the optimal path and the fast engines, as the brute-force
 * reference evaluator does. Tries: {@code jqwik.tries.default} (README, "Fuzzing").
 */
class ParserFuzzTest {
  /** The most multiply-adds a mutated call may cost the reference evaluator. */
  private static final long MAX_REFERENCE_WORK = 200_000;

  @Property
  void anyTextIsParsedOrRefused(@ForAll("expressionText") String text) {
    Expression e = FuzzBudget.call("parse", text, () -> Expression.parse(text));
    if (e != null) {
      // The canonical form of an accepted expression is accepted and means the same.
      Expression again = FuzzBudget.call("parse", e.canonical(),
          () -> Expression.parse(e.canonical()));
      if (again == null || !again.canonical().equals(e.canonical())) {
        throw new AssertionError("canonical form " + e.canonical() + " of " + text
            + " does not parse to itself");
      }
    }
  }

  @Property
  void acceptedMutationsEvaluateAsTheReference(@ForAll("mutatedCalls") Mutated m) {
    Case c = m.original();
    BoundExpression b = FuzzBudget.call("bind", m.text(), () -> BoundExpression.bind(
        Expression.parse(m.text()), c.convOptions(), c.shapes()));
    if (b == null || work(b) > MAX_REFERENCE_WORK) {
      return;
    }
    List<Tensor> ops = c.operands(m.text().hashCode());
    Tensor want = ReferenceEvaluator.evaluate(b, ops);
    Tensor got = FuzzBudget.call("evaluate", m.text(), () -> ConvEinsum.einsum(m.text(),
        c.convOptions(), ops.toArray(new Tensor[0])));
    if (got == null) {
      throw new AssertionError("the reference evaluates " + m.text() + " with shapes "
          + c + " but einsum refuses it");
    }
    assertClose(want, got, Tolerance.FLOAT64, m.text() + " from " + c);
  }

  /** A valid call and an edited text of its expression. */
  record Mutated(Case original, String text) {}

  @Provide
  Arbitrary<String> expressionText() {
    Arbitrary<String> grammar = Arbitraries.strings()
        .withChars("abcijhwT(t1_0).,->| \t").ofMaxLength(30);
    Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(20);
    Arbitrary<String> edited = Combinators.combine(
        Mutations.cases(Settings.CONV).map(Case::expression), Mutations.edits(4))
        .as(Mutations::apply);
    // Long texts hold the parser to its time budget on inputs a user would not type.
    Arbitrary<String> longText = Arbitraries.strings().withChars("abij(t1),->|. ")
        .ofMinLength(1_000).ofMaxLength(20_000);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, longText),
        net.jqwik.api.Tuple.of(3, grammar),
        net.jqwik.api.Tuple.of(1, anything),
        net.jqwik.api.Tuple.of(4, edited),
        net.jqwik.api.Tuple.of(1, Mutations.cases(Settings.EINSUM).map(Case::expression)));
  }

  @Provide
  Arbitrary<Mutated> mutatedCalls() {
    Arbitrary<Case> cases = Arbitraries.oneOf(Mutations.cases(Settings.CONV),
        Mutations.cases(Settings.EINSUM));
    return Combinators.combine(cases, Mutations.edits(2).injectNull(0.3))
        .as((c, edits) -> new Mutated(c, edits == null ? c.expression()
            : Mutations.apply(c.expression(), edits)));
  }

  /** A bound on what the reference evaluator enumerates: ordinary sizes times conv taps. */
  private static long work(BoundExpression b) {
    long w = 1;
    for (int id = 0; id < b.indexCount(); id++) {
      if (!b.isConv(id)) {
        w = times(w, b.size(id));
      }
    }
    for (int k = 0; k < b.operandCount(); k++) {
      int[] ids = b.operandIndices(k);
      long[] shape = b.shape(k);
      for (int a = 0; a < ids.length && a < shape.length; a++) {
        if (ids[a] >= 0 && b.isConv(ids[a])) {
          w = times(w, shape[a]);
        }
      }
    }
    return w;
  }

  private static long times(long a, long b) {
    long f = Math.max(1, b);
    return a > Long.MAX_VALUE / f ? Long.MAX_VALUE : a * f;
  }

  @AfterContainer
  static void report() {
    FuzzBudget.report("ParserFuzzTest");
  }
}
