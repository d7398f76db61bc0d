package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed conv_einsum expression such as {@code "bshw,rt,rs,rh,rw->bthw|hw"}: input terms, the
 * output term (explicit or implied), and the convolution indices listed after {@code |}.
 *
 * <p>An expression knows nothing of sizes; {@link BoundExpression} binds it to operand shapes and
 * options. Instances are immutable; {@link #parse(String)} is the only way to make one from text.
 *
 * @param source the text the expression was parsed from
 * @param inputs the input terms, one per operand
 * @param output the output term (computed by the implicit-output rule when not written)
 * @param explicitOutput whether the text had {@code ->}
 * @param convIndices the indices listed after {@code |}, in the order written
 */
public record Expression(
    String source, List<Term> inputs, Term output, boolean explicitOutput, List<Index> convIndices) {

  /** Copies the lists. */
  public Expression {
    inputs = List.copyOf(inputs);
    convIndices = List.copyOf(convIndices);
  }

  /**
   * Parses and validates an expression (syntax and the rules that need no sizes).
   *
   * @param text the expression, e.g. {@code "bshw,tshw->bthw|hw"}
   * @return the parsed expression
   * @throws ConvEinsumException naming the problem and its column when the text is invalid
   */
  public static Expression parse(String text) {
    return ExpressionParser.parse(text);
  }

  /** Returns whether the index is listed after {@code |}. */
  public boolean isConvIndex(Index index) {
    return convIndices.contains(index);
  }

  /** Returns the number of input terms. */
  public int operandCount() {
    return inputs.size();
  }

  /** Returns every distinct index of the inputs, in order of first appearance. */
  public List<Index> inputIndices() {
    Set<Index> seen = new LinkedHashSet<>();
    for (Term t : inputs) {
      seen.addAll(t.indices());
    }
    return new ArrayList<>(seen);
  }

  /** Returns the normalised text: explicit output, parenthesised multi-letter names, no spaces. */
  public String canonical() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < inputs.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(inputs.get(i));
    }
    sb.append("->").append(output);
    if (!convIndices.isEmpty()) {
      sb.append('|');
      convIndices.forEach(sb::append);
    }
    return sb.toString();
  }

  /** Returns the source text. */
  @Override
  public String toString() {
    return source;
  }

}
