package dev.conveinsum.cli.report;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.PlanInfo;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Draws a contraction path as a tree in SVG: the operands are the leaves (index string and
 * shape), each step a node above its two inputs (contraction, index kinds, FLOPs, result size),
 * filled darker the more FLOPs it costs. Every node is one {@code <g class="node ...">} element,
 * so a drawing has exactly operands + steps of them.
 */
public final class TreeSvg {
  private static final int CHAR_W = 7; // DejaVu Sans Mono at 12 px advances ~7.2 px
  private static final int LINE_H = 15;
  private static final int PAD = 8;
  private static final int GAP_X = 16;
  private static final int GAP_Y = 34;
  private static final int MARGIN = 12;
  private static final String LEGEND = "fill: step FLOPs (log scale, pale = cheapest step,"
      + " orange = costliest)   kinds: B batch, C contraction, F free, S self-sum, V convolution";

  private TreeSvg() {}

  private static final class Node {
    final List<String> lines = new ArrayList<>();
    final String title;
    final String cssClass;
    final Node left;
    final Node right;
    final long flops;
    double x;
    int level;
    int width;

    Node(String cssClass, String title, Node left, Node right, long flops) {
      this.cssClass = cssClass;
      this.title = title;
      this.left = left;
      this.right = right;
      this.flops = flops;
    }
  }

  /** Returns the SVG document of the plan's contraction tree. */
  public static String render(PlanInfo info) {
    BoundExpression bound = info.bound();
    int n = bound.operandCount();
    List<Node> all = new ArrayList<>();
    List<Node> current = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      String term = bound.expression().inputs().get(k).toString();
      String shape = BoundExpression.shapeText(bound.shape(k));
      Node leaf = new Node("node operand", "operand " + k + ": " + term + " " + shape, null, null,
          0);
      leaf.lines.add(k + ": " + (term.isEmpty() ? "(scalar)" : term));
      leaf.lines.add(shape.isEmpty() ? "[]" : shape);
      all.add(leaf);
      current.add(leaf);
    }
    long maxFlops = 1;
    long minFlops = Long.MAX_VALUE;
    for (PlanInfo.StepInfo s : info.steps()) {
      maxFlops = Math.max(maxFlops, s.flops());
      minFlops = Math.min(minFlops, Math.max(1, s.flops()));
    }
    for (PlanInfo.StepInfo s : info.steps()) {
      int i = s.positions().get(0);
      int j = s.positions().get(1);
      Node a = current.get(i);
      Node b = current.get(j);
      Node step = new Node("node step", "step " + s.number() + ": " + s.contraction() + "  "
          + s.kindsText() + "  " + s.flops() + " FLOPs, result " + s.resultSize()
          + " elements", a, b, s.flops());
      step.lines.add("step " + s.number() + ": " + s.contraction());
      step.lines.add(s.kindsText().isEmpty() ? "-" : s.kindsText());
      step.lines.add(Format.big(s.flops()) + " FLOPs, " + Format.big(s.resultSize()) + " el.");
      current.remove(Math.max(i, j));
      current.remove(Math.min(i, j));
      current.add(step);
      all.add(step);
    }
    for (Node node : all) {
      int longest = 0;
      for (String line : node.lines) {
        longest = Math.max(longest, line.length());
      }
      node.width = longest * CHAR_W + 2 * PAD;
    }
    // Leaves left to right in the order a depth-first walk meets them, so no edges cross; a
    // step sits above the middle of its two inputs, one row above the higher of them.
    double[] cursor = {MARGIN};
    int maxLevel = 0;
    for (Node root : current) {
      place(root, cursor);
    }
    for (Node node : all) {
      maxLevel = Math.max(maxLevel, node.level);
    }
    int boxH = 3 * LINE_H + PAD;
    int rowH = boxH + GAP_Y;
    int width = (int) Math.ceil(Math.max(cursor[0], LEGEND.length() * 6.0 + MARGIN)) + MARGIN;
    for (Node node : all) {
      width = Math.max(width, (int) Math.ceil(node.x + node.width / 2.0) + MARGIN);
    }
    int height = MARGIN + (maxLevel + 1) * rowH + 24;
    StringWriter sw = new StringWriter();
    try {
      XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(sw);
      w.writeStartDocument("UTF-8", "1.0");
      w.writeCharacters("\n");
      w.writeStartElement("svg");
      w.writeDefaultNamespace("http://www.w3.org/2000/svg");
      w.writeAttribute("width", Integer.toString(width));
      w.writeAttribute("height", Integer.toString(height));
      w.writeAttribute("viewBox", "0 0 " + width + " " + height);
      w.writeAttribute("font-family", "DejaVu Sans Mono, Menlo, Consolas, monospace");
      w.writeAttribute("font-size", "12");
      element(w, "title", "contraction tree of " + info.expression() + " (path "
          + info.path() + ", " + info.flops() + " FLOPs)");
      w.writeStartElement("rect");
      w.writeAttribute("width", "100%");
      w.writeAttribute("height", "100%");
      w.writeAttribute("fill", "white");
      w.writeEndElement();
      w.writeStartElement("g");
      w.writeAttribute("class", "edges");
      w.writeAttribute("stroke", "#555");
      w.writeAttribute("stroke-width", "1.2");
      for (Node node : all) {
        if (node.left != null) {
          for (Node child : List.of(node.left, node.right)) {
            w.writeStartElement("line");
            w.writeAttribute("x1", num(node.x));
            w.writeAttribute("y1", num(y(node, maxLevel, rowH) + boxH));
            w.writeAttribute("x2", num(child.x));
            w.writeAttribute("y2", num(y(child, maxLevel, rowH)));
            w.writeEndElement();
          }
        }
      }
      w.writeEndElement();
      for (Node node : all) {
        double top = y(node, maxLevel, rowH);
        w.writeStartElement("g");
        w.writeAttribute("class", node.cssClass);
        element(w, "title", node.title);
        w.writeStartElement("rect");
        w.writeAttribute("x", num(node.x - node.width / 2.0));
        w.writeAttribute("y", num(top));
        w.writeAttribute("width", Integer.toString(node.width));
        w.writeAttribute("height", Integer.toString(node.left == null ? 2 * LINE_H + PAD
            : boxH));
        w.writeAttribute("rx", node.left == null ? "2" : "10");
        w.writeAttribute("fill", node.left == null ? "#e8eef7" : fill(node.flops, minFlops, maxFlops));
        w.writeAttribute("stroke", node.left == null ? "#4a6a9a" : "#8a4b08");
        w.writeEndElement();
        for (int l = 0; l < node.lines.size(); l++) {
          w.writeStartElement("text");
          w.writeAttribute("x", num(node.x));
          w.writeAttribute("y", num(top + PAD / 2.0 + LINE_H * (l + 1) - 3));
          w.writeAttribute("text-anchor", "middle");
          w.writeAttribute("fill", "#111");
          w.writeCharacters(node.lines.get(l));
          w.writeEndElement();
        }
        w.writeEndElement();
      }
      w.writeStartElement("text");
      w.writeAttribute("x", Integer.toString(MARGIN));
      w.writeAttribute("y", Integer.toString(height - 8));
      w.writeAttribute("font-size", "10");
      w.writeAttribute("fill", "#444");
      w.writeCharacters(LEGEND);
      w.writeEndElement();
      w.writeEndElement();
      w.writeEndDocument();
      w.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("writing SVG to a string failed", e);
    }
    return sw.toString() + "\n";
  }

  /** Returns the SVG element alone (no XML declaration), for inlining in HTML. */
  public static String inline(PlanInfo info) {
    String doc = render(info);
    return doc.substring(doc.indexOf("<svg"));
  }

  private static void place(Node node, double[] cursor) {
    if (node.left == null) {
      node.x = cursor[0] + node.width / 2.0;
      cursor[0] += node.width + GAP_X;
      node.level = 0;
      return;
    }
    place(node.left, cursor);
    place(node.right, cursor);
    node.x = (node.left.x + node.right.x) / 2;
    node.level = 1 + Math.max(node.left.level, node.right.level);
    // A wide step box can stick out left of the drawing: push the whole row right if so.
    double overhang = MARGIN - (node.x - node.width / 2.0);
    if (overhang > 0) {
      shift(node, overhang);
      cursor[0] += overhang;
    }
  }

  private static void shift(Node node, double dx) {
    node.x += dx;
    if (node.left != null) {
      shift(node.left, dx);
      shift(node.right, dx);
    }
  }

  private static double y(Node node, int maxLevel, int rowH) {
    return MARGIN + (maxLevel - node.level) * rowH;
  }

  /** Pale to full orange by log FLOPs between the cheapest and the costliest step. */
  private static String fill(long flops, long minFlops, long maxFlops) {
    double span = Math.log(maxFlops) - Math.log(minFlops);
    double t = span <= 0 ? 1 : (Math.log(Math.max(1, flops)) - Math.log(minFlops)) / span;
    t = 0.15 + 0.85 * Math.max(0, Math.min(1, t)); // the cheapest still reads as a step
    int r = 255 + (int) Math.round(t * (0xfd - 255));
    int g = 255 + (int) Math.round(t * (0x8d - 255));
    int b = 255 + (int) Math.round(t * (0x3c - 255));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static void element(XMLStreamWriter w, String name, String text)
      throws XMLStreamException {
    w.writeStartElement(name);
    w.writeCharacters(text);
    w.writeEndElement();
  }
}
