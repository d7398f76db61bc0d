package dev.conveinsum.cli.report;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small writer of well-formed HTML (every element closed, text and attributes escaped), so
 * the page also parses as XML, which the tests do.
 */
final class Html {
  private final StringBuilder sb = new StringBuilder();
  private final Deque<String> open = new ArrayDeque<>();

  /** Escapes text for an element or a double-quoted attribute. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Opens an element; {@code attrs} are name, value pairs (a null value is left out). */
  Html open(String tag, String... attrs) {
    sb.append('<').append(tag);
    attributes(attrs);
    sb.append('>');
    open.push(tag);
    return this;
  }

  /** Writes a void element such as {@code img} or {@code meta}. */
  Html empty(String tag, String... attrs) {
    sb.append('<').append(tag);
    attributes(attrs);
    sb.append("/>");
    return this;
  }

  /** Closes the innermost open element. */
  Html close() {
    sb.append("</").append(open.pop()).append('>');
    return this;
  }

  /** Writes an element holding text. */
  Html element(String tag, String text, String... attrs) {
    return open(tag, attrs).text(text).close();
  }

  /** Writes escaped text. */
  Html text(String text) {
    sb.append(escape(text));
    return this;
  }

  /** Writes markup that is already well-formed (an SVG drawing). */
  Html raw(String markup) {
    sb.append(markup);
    return this;
  }

  /** Writes a line break into the source, for readability. */
  Html nl() {
    sb.append('\n');
    return this;
  }

  private void attributes(String... attrs) {
    if (attrs.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs");
    }
    for (int i = 0; i < attrs.length; i += 2) {
      if (attrs[i + 1] != null) {
        sb.append(' ').append(attrs[i]).append("=\"").append(escape(attrs[i + 1])).append('"');
      }
    }
  }

  /** Returns the document; every element must be closed. */
  @Override
  public String toString() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("unclosed elements: " + open);
    }
    return sb.toString();
  }
}
