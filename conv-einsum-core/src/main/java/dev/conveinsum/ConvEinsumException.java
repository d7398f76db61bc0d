package dev.conveinsum;

/**
 * A caller error: an invalid expression, options, shapes or tensors.
 *
 * <p>Every message starts with {@code conv_einsum:} and names what is wrong and where (operand,
 * index, sizes, column), so that a user can act on it without reading the source. Messages are
 * bounded: a long expression is shown as an excerpt around the column at fault ({@link
 * #quote(String, int)}), any detail longer than {@value #MAX_DETAIL} characters is cut in the
 * middle, and line breaks and other control characters are escaped, so a message is one line.
 */
public class ConvEinsumException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  /** The longest detail kept whole; a longer one keeps its start and end. */
  static final int MAX_DETAIL = 1000;
  /** Characters of an expression shown on each side of the column at fault. */
  private static final int CONTEXT = 40;
  /** Marks where an excerpt was cut; '<' and '>' never occur in an expression. */
  private static final String CUT = "<...>";

  /**
   * Creates an exception whose message is {@code "conv_einsum: " + detail}.
   *
   * @param detail what is wrong, in words a user understands
   */
  public ConvEinsumException(String detail) {
    super("conv_einsum: " + bounded(detail));
  }

  /**
   * Returns the value, or throws when it is null: the check at the public entry points.
   *
   * @param value an argument
   * @param what what the argument is, for the message ("the expression", "operand 2")
   * @param <T> its type
   * @return {@code value}
   * @throws ConvEinsumException saying that {@code what} is missing (null)
   */
  public static <T> T requireNonNull(T value, String what) {
    if (value == null) {
      throw new ConvEinsumException(what + " is missing (null)");
    }
    return value;
  }

  /**
   * Quotes a user's text for a message, shortened when long: at most about 80 characters around
   * {@code column}, the cut ends marked {@code <...>} and the position given, e.g. {@code
   * "<...>ab,bc->ac<...>" (characters 9001-9081 of 20000)}.
   *
   * @param text the text (an expression, usually)
   * @param column the 1-based column the message points at; {@code 0} or less for the start
   * @return the text in double quotes, or an excerpt of it
   */
  public static String quote(String text, int column) {
    if (text == null) {
      return "null";
    }
    int n = text.length();
    if (n <= 2 * CONTEXT) {
      return "\"" + text + "\"";
    }
    int centre = Math.max(0, Math.min(n, column - 1));
    int from = Math.max(0, centre - CONTEXT);
    int to = Math.min(n, from + 2 * CONTEXT);
    from = Math.max(0, to - 2 * CONTEXT);
    return "\"" + (from > 0 ? CUT : "") + text.substring(from, to) + (to < n ? CUT : "")
        + "\" (characters " + (from + 1) + "-" + to + " of " + n + ")";
  }

  private static String bounded(String detail) {
    if (detail == null) {
      return null;
    }
    String line = detail;
    if (line.length() > MAX_DETAIL) {
      int keep = (MAX_DETAIL - CUT.length()) / 2;
      line = line.substring(0, keep) + CUT + line.substring(line.length() - keep);
    }
    return escapeControls(line);
  }

  /** Writes line breaks, tabs and other control characters as backslash escapes. */
  private static String escapeControls(String s) {
    if (s.chars().noneMatch(Character::isISOControl)) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
