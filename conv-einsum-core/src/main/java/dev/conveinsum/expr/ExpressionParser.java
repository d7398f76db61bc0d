package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Recursive-descent parser for the grammar of SPEC section 1; columns in errors are 1-based. */
final class ExpressionParser {
  private final String source;
  /** The source without whitespace: SPEC ignores whitespace anywhere, inside names too. */
  private final String text;
  /** The 1-based source column of every character of {@code text}. */
  private final int[] columns;
  private int pos;

  private ExpressionParser(String source) {
    this.source = source;
    StringBuilder sb = new StringBuilder();
    int[] cols = new int[source.length() + 1];
    for (int i = 0; i < source.length(); i++) {
      if (!Character.isWhitespace(source.charAt(i))) {
        cols[sb.length()] = i + 1;
        sb.append(source.charAt(i));
      }
    }
    cols[sb.length()] = source.length() + 1;
    this.text = sb.toString();
    this.columns = java.util.Arrays.copyOf(cols, sb.length() + 1);
  }

  static Expression parse(String text) {
    if (text == null) {
      throw new ConvEinsumException("the expression is missing");
    }
    return new ExpressionParser(text).expression();
  }

  /** A term as parsed, with the column of each index for later messages. */
  private record Parsed(Term term, List<Integer> columns, int column) {}

  private Expression expression() {
    List<Parsed> inputs = new ArrayList<>();
    inputs.add(term());
    while (peek() == ',') {
      pos++;
      inputs.add(term());
    }
    Parsed output = null;
    int arrowColumn = -1;
    if (peek() == '-') {
      arrowColumn = column(pos);
      pos++;
      if (peek() != '>') {
        throw error(arrowColumn, "'-' must be followed by '>' (at column " + arrowColumn + ")");
      }
      pos++;
      output = term();
    }
    List<Index> convs = new ArrayList<>();
    List<Integer> convColumns = new ArrayList<>();
    if (peek() == '|') {
      int barColumn = column(pos);
      pos++;
      convList(convs, convColumns, barColumn);
    }
    skipSpace();
    if (pos < text.length()) {
      char c = text.charAt(pos);
      int col = column(pos);
      if (c == '-' && text.startsWith("->", pos)) {
        throw error(col, output == null
            ? "'->' must come before the convolution list '|...' (at column " + col + ")"
            : "the expression has a second '->' (at column " + col + ")");
      }
      if (c == '|') {
        throw error(col, "the expression has a second '|' (at column " + col + ")");
      }
      if (c == ')') {
        throw error(col, "')' at column " + col + " has no matching '('");
      }
      throw error(col, describe(c, col));
    }
    return build(inputs, output, convs, convColumns);
  }

  private Parsed term() {
    skipSpace();
    int start = column(pos);
    List<Index> indices = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    int ellipsisAt = -1;
    while (true) {
      skipSpace();
      if (pos >= text.length()) {
        break;
      }
      char c = text.charAt(pos);
      int col = column(pos);
      if (c == '.') {
        if (!text.startsWith("...", pos)) {
          throw error(col, "'.' at column " + col + " does not start an ellipsis '...'");
        }
        if (ellipsisAt >= 0) {
          throw error(col, "a term has a second ellipsis '...' (at column " + col
              + "); at most one per term");
        }
        ellipsisAt = indices.size();
        pos += 3;
      } else if (c == '(' || Index.isLetter(c)) {
        indices.add(index());
        columns.add(col);
      } else {
        break;
      }
    }
    return new Parsed(new Term(indices, ellipsisAt), columns, start);
  }

  private Index index() {
    char c = text.charAt(pos);
    if (Index.isLetter(c)) {
      pos++;
      return new Index(String.valueOf(c));
    }
    int open = column(pos);
    pos++;
    int start = pos;
    while (pos < text.length()) {
      char d = text.charAt(pos);
      if (d == ')') {
        break;
      }
      if (!(Index.isLetter(d) || (d >= '0' && d <= '9') || d == '_')) {
        if (d == '(' || d == ',' || d == '-' || d == '|') {
          throw error(open, "'(' at column " + open + " has no closing ')'");
        }
        throw error(column(pos),
            "'" + d + "' is not allowed in an index name (at column " + column(pos)
            + "); names hold letters, digits and '_'");
      }
      pos++;
    }
    if (pos >= text.length()) {
      throw error(open, "'(' at column " + open + " has no closing ')'");
    }
    String name = text.substring(start, pos);
    pos++;
    if (name.isEmpty()) {
      throw error(open, "empty index name '()' at column " + open
          + "; a parenthesised name needs at least one character");
    }
    return new Index(name);
  }

  private void convList(List<Index> convs, List<Integer> columns, int barColumn) {
    skipSpace();
    if (pos >= text.length() || !(text.charAt(pos) == '(' || Index.isLetter(text.charAt(pos)))) {
      if (pos < text.length() && text.charAt(pos) != '-' && text.charAt(pos) != '|'
          && text.charAt(pos) != ',') {
        throw error(column(pos), describe(text.charAt(pos), column(pos)));
      }
      if (pos >= text.length()) {
        throw error(barColumn,
            "the convolution list after '|' (column " + barColumn + ") is empty");
      }
    }
    boolean expectIndex = true;
    int commaColumn = -1;
    while (true) {
      skipSpace();
      if (pos >= text.length()) {
        if (expectIndex && !convs.isEmpty()) {
          throw error(commaColumn, "the convolution list ends with ',' (at column " + commaColumn
              + "); an index must follow it");
        }
        return;
      }
      char c = text.charAt(pos);
      if (c == '(' || Index.isLetter(c)) {
        columns.add(column(pos));
        convs.add(index());
        expectIndex = false;
      } else if (c == ',' && !expectIndex) {
        commaColumn = column(pos);
        pos++;
        expectIndex = true;
      } else if (c == ',') {
        throw error(column(pos),
            "unexpected ',' in the convolution list (at column " + column(pos) + ")");
      } else {
        if (expectIndex && !convs.isEmpty()) {
          throw error(commaColumn, "the convolution list ends with ',' (at column " + commaColumn
              + "); an index must follow it");
        }
        return;
      }
    }
  }

  private Expression build(List<Parsed> inputs, Parsed output, List<Index> convs,
      List<Integer> convColumns) {
    Set<Index> inInputs = new HashSet<>();
    boolean inputEllipsis = false;
    for (Parsed p : inputs) {
      inInputs.addAll(p.term().indices());
      inputEllipsis |= p.term().hasEllipsis();
    }
    Set<Index> convSet = new HashSet<>();
    for (int i = 0; i < convs.size(); i++) {
      Index c = convs.get(i);
      if (!convSet.add(c)) {
        throw error(convColumns.get(i),
            "convolution index '" + c + "' is listed twice after '|' (at column "
            + convColumns.get(i) + ")");
      }
      if (!inInputs.contains(c)) {
        throw error(convColumns.get(i),
            "convolution index '" + c + "' does not occur in any input (at column "
            + convColumns.get(i) + ")");
      }
    }
    for (int k = 0; k < inputs.size(); k++) {
      Parsed p = inputs.get(k);
      Set<Index> seen = new HashSet<>();
      for (int i = 0; i < p.term().indices().size(); i++) {
        Index idx = p.term().indices().get(i);
        if (!seen.add(idx) && convSet.contains(idx)) {
          throw error(p.columns().get(i),
              "convolution index '" + idx + "' repeats inside term " + k + " (\""
              + p.term() + "\", at column " + p.columns().get(i)
              + "); a convolution index may not take a diagonal");
        }
      }
    }
    Term out;
    if (output != null) {
      Set<Index> seen = new HashSet<>();
      for (int i = 0; i < output.term().indices().size(); i++) {
        Index idx = output.term().indices().get(i);
        int col = output.columns().get(i);
        if (!inInputs.contains(idx)) {
          throw error(col,
              "index '" + idx + "' in the output does not occur in any input (at column "
              + col + ")");
        }
        if (!seen.add(idx)) {
          throw error(col,
              "index '" + idx + "' appears twice in the output (at column " + col + ")");
        }
      }
      if (inputEllipsis && !output.term().hasEllipsis()) {
        throw error(output.column(),
            "an input has an ellipsis '...' but the explicit output \"" + output.term()
            + "\" has none (at column " + output.column() + "); write '...' in the output");
      }
      out = output.term();
    } else {
      out = implicitOutput(inputs, convs, inputEllipsis);
    }
    List<Term> terms = new ArrayList<>();
    inputs.forEach(p -> terms.add(p.term()));
    return new Expression(source, terms, out, output != null, convs);
  }

  /** Ellipsis first, then the non-conv indices that occur once (sorted), then conv indices. */
  private static Term implicitOutput(List<Parsed> inputs, List<Index> convs, boolean ellipsis) {
    Map<Index, Integer> count = new HashMap<>();
    for (Parsed p : inputs) {
      for (Index idx : p.term().indices()) {
        count.merge(idx, 1, Integer::sum);
      }
    }
    TreeSet<Index> once = new TreeSet<>();
    count.forEach((idx, n) -> {
      if (n == 1 && !convs.contains(idx)) {
        once.add(idx);
      }
    });
    List<Index> out = new ArrayList<>(once);
    out.addAll(convs);
    return new Term(out, ellipsis ? 0 : -1);
  }

  private char peek() {
    skipSpace();
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private int column(int offset) {
    return columns[Math.min(offset, columns.length - 1)];
  }

  private static String describe(char c, int col) {
    if (c >= '0' && c <= '9') {
      return "'" + c + "' at column " + col + " is not an index: digits may appear only inside"
          + " a parenthesised name such as (t1)";
    }
    return "'" + c + "' at column " + col + " is not allowed: an expression holds letters,"
        + " (names), '...', ',', '->', '|' and spaces";
  }

  /** The detail and the expression, shortened around {@code column} when it is long. */
  private ConvEinsumException error(int column, String detail) {
    return new ConvEinsumException(detail + " in " + ConvEinsumException.quote(source, column));
  }
}
