package dev.conveinsum.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Pieces both report pages share: the head and style, the machine, cells that cite the JSON. */
final class Pages {
  private Pages() {}

  static final String NOISE = "Timings were taken on a shared machine (other jobs were running"
      + " on the same cores), so expect them to vary by 20 % or more between runs; FLOPs,"
      + " parameters, ranks, memory and max batch are exact (computed, not timed).";

  private static final String STYLE = String.join("\n",
      "body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;margin:24px auto;"
          + "max-width:1280px;color:#111;line-height:1.4;padding:0 16px}",
      "h1{font-size:26px}h2{font-size:20px;border-bottom:1px solid #ccc;margin-top:32px}",
      "table{border-collapse:collapse;font-size:13px;margin:8px 0}",
      "th,td{border:1px solid #ccc;padding:3px 7px}th{background:#eef2f7;text-align:left}",
      "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
      "td.x{font-family:'DejaVu Sans Mono',monospace;font-size:12px}",
      "tr:nth-child(even) td{background:#fafafa}",
      ".figs{display:flex;flex-wrap:wrap;gap:12px}",
      "figure{margin:0;border:1px solid #ddd;padding:6px;background:#fff}",
      "figure img{width:600px;height:auto;display:block}",
      "figcaption{font-size:13px;color:#333;max-width:600px}",
      ".note{background:#fff8e5;border-left:4px solid #e6a700;padding:6px 10px}",
      "dl.m{display:grid;grid-template-columns:max-content auto;gap:2px 16px}",
      "dl.m dt{font-weight:bold}dl.m dd{margin:0}",
      "details{margin:6px 0}summary{cursor:pointer}details svg{max-width:100%;height:auto}");

  /** Opens the document: html, head (title, style, generator mark), body, h1. */
  static void head(Html h, String title) {
    h.raw("<!DOCTYPE html>\n");
    h.open("html", "lang", "en").nl().open("head").nl();
    h.empty("meta", "charset", "utf-8").nl();
    h.raw(OutputDir.GENERATOR).nl();
    h.empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1").nl();
    h.element("title", title).nl();
    h.open("style").raw(STYLE).close().nl(); // raw: CSS is not HTML-escaped
    h.close().nl().open("body").nl();
    h.element("h1", title).nl();
  }

  /** Closes body and html. */
  static void end(Html h) {
    h.close().nl().close().nl();
  }

  /** The machine and the noise note. */
  static void machine(Html h, Machine m, boolean measured) {
    h.open("dl", "class", "m");
    term(h, "CPU", m.cpu());
    term(h, "cores", Integer.toString(m.cores()));
    term(h, "JDK", m.jdk());
    term(h, "OS", m.os());
    term(h, "engine", m.engine() + ", " + m.threads() + " thread" + (m.threads() == 1 ? "" : "s")
        + ", float32");
    term(h, "generated", m.date());
    h.close().nl();
    if (measured) {
      h.element("p", NOISE, "class", "note").nl();
    }
  }

  private static void term(Html h, String k, String v) {
    h.element("dt", k).element("dd", v);
  }

  /** A header row. */
  static void headers(Html h, List<String> names) {
    h.open("tr");
    for (String n : names) {
      h.element("th", n);
    }
    h.close().nl();
  }

  /**
   * A number cell: shows {@code shown} and cites where the number comes from, the JSON pointer
   * {@code ref} into the report's JSON and its exact value (tests check both).
   */
  static void number(Html h, JsonNode root, String ref, String shown) {
    JsonNode v = root.at(ref);
    if (v.isMissingNode() || !v.isNumber()) {
      throw new IllegalStateException("no number at " + ref);
    }
    h.element("td", shown, "class", "n", "data-ref", ref, "data-value", v.asText());
  }

  /** A text cell. */
  static void text(Html h, String text) {
    h.element("td", text);
  }

  /** A cell in monospace (expressions, ranks). */
  static void code(Html h, String text) {
    h.element("td", text, "class", "x");
  }

  /** A figure: the SVG shown, the PNG linked. */
  static void figure(Html h, Charts.Figure f) {
    h.open("figure").empty("img", "src", "figures/" + f.name() + ".svg", "alt", f.caption());
    h.open("figcaption").text(f.caption() + " ").element("a", "PNG", "href",
        "figures/" + f.name() + ".png").text(" · ").element("a", "SVG", "href",
        "figures/" + f.name() + ".svg").close();
    h.close().nl();
  }
}
