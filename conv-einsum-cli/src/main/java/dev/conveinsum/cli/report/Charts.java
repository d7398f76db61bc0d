package dev.conveinsum.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's figures, drawn by JFreeChart and written as PNG (its {@link ChartUtils}) and SVG
 * (JFreeSVG's {@link SVGGraphics2D}).
 */
final class Charts {
  static final int WIDTH = 760;
  static final int HEIGHT = 440;

  /** Eight distinguishable colours (Okabe-Ito and two more), one per decomposition. */
  private static final Color[] COLORS = {new Color(0x0072B2), new Color(0xE69F00),
      new Color(0x009E73), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xD55E00),
      new Color(0x7F7F7F), new Color(0x000000)};

  private Charts() {}

  /** A figure: its file name stem, the chart, and its caption. */
  record Figure(String name, JFreeChart chart, String caption) {
    /** Returns the PNG bytes. */
    byte[] png() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    /** Returns the SVG document bytes. */
    byte[] svg() {
      SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
      // two decimals of a pixel: a third of the default's size, no visible difference
      g.setGeomDoubleConverter(Charts::twoDecimals);
      g.setTransformDoubleConverter(Charts::twoDecimals);
      chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
      return g.getSVGDocument().getBytes(StandardCharsets.UTF_8);
    }
  }

  private static String twoDecimals(double v) {
    double r = Math.round(v * 100) / 100.0;
    return r == Math.rint(r) && Math.abs(r) < 1e15 ? Long.toString((long) r) : Double.toString(r);
  }

  /** One line: name and its (x, y) points; points with y <= 0 are left out (log axes). */
  record Line(String name, List<double[]> points) {}

  /**
   * A line chart over the compression rate (percent, log axis), one line per series, and
   * horizontal reference lines (e.g. the dense layer).
   */
  static JFreeChart lines(String title, String yLabel, boolean logY, List<Line> lines,
      Map<String, Double> references) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Line l : lines) {
      XYSeries s = new XYSeries(l.name(), true, false);
      for (double[] p : l.points()) {
        if (p[1] > 0 || !logY) {
          s.add(p[0], p[1]);
        }
      }
      data.addSeries(s);
    }
    LogarithmicAxis x = new LogarithmicAxis("compression rate (parameters / dense parameters,"
        + " %, log)");
    x.setStrictValuesFlag(false);
    x.setNumberFormatOverride(new DecimalFormat("0.##"));
    ValueAxis y = yAxis(yLabel, logY);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    XYPlot plot = new XYPlot(data, x, y, r);
    for (Map.Entry<String, Double> ref : references.entrySet()) {
      if (ref.getValue() != null && (ref.getValue() > 0 || !logY)) {
        ValueMarker m = new ValueMarker(ref.getValue(), Color.DARK_GRAY, new BasicStroke(1.5f,
            BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        m.setLabel(ref.getKey());
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(m);
      }
    }
    return chart(title, plot);
  }

  /**
   * A grouped bar chart: one group per category, one bar per series; values <= 0 are left out
   * on a log axis.
   */
  static JFreeChart bars(String title, String yLabel, boolean logY,
      LinkedHashMap<String, LinkedHashMap<String, Double>> valuesBySeries) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    valuesBySeries.forEach((series, byCategory) -> byCategory.forEach((category, v) -> {
      data.addValue(v == null || (logY && v <= 0) ? null : v, series, category);
    }));
    CategoryAxis x = new CategoryAxis();
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    x.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.05);
    if (logY) {
      double min = Double.POSITIVE_INFINITY;
      for (var byCategory : valuesBySeries.values()) {
        for (Double v : byCategory.values()) {
          if (v != null && v > 0) {
            min = Math.min(min, v);
          }
        }
      }
      // bars grow from below the smallest value: a log axis has no zero
      r.setBase(Double.isInfinite(min) ? 1 : min / 2);
      r.setIncludeBaseInRange(false);
    }
    CategoryPlot plot = new CategoryPlot(data, x, yAxis(yLabel, logY), r);
    plot.setOrientation(PlotOrientation.VERTICAL);
    return chart(title, plot);
  }

  private static ValueAxis yAxis(String label, boolean log) {
    if (log) {
      // LogarithmicAxis labels are plain text (LogAxis draws attributed strings, which the SVG
      // export turns into glyph outlines: unsearchable and ten times larger)
      LogarithmicAxis y = new LogarithmicAxis(label);
      y.setStrictValuesFlag(false);
      y.setExpTickLabelsFlag(true);
      return y;
    }
    NumberAxis y = new NumberAxis(label);
    y.setAutoRangeIncludesZero(true);
    return y;
  }

  private static JFreeChart chart(String title, org.jfree.chart.plot.Plot plot) {
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot,
        true);
    StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
    theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    theme.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    theme.setPlotBackgroundPaint(Color.WHITE);
    theme.setDomainGridlinePaint(new Color(0xDDDDDD));
    theme.setRangeGridlinePaint(new Color(0xDDDDDD));
    theme.setBarPainter(new StandardBarPainter());
    theme.setShadowVisible(false);
    theme.apply(chart);
    colour(plot); // after the theme, which resets series paints
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static void colour(org.jfree.chart.plot.Plot plot) {
    if (plot instanceof XYPlot xy) {
      for (int i = 0; i < xy.getSeriesCount(); i++) {
        xy.getRenderer().setSeriesPaint(i, COLORS[i % COLORS.length]);
        xy.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
      }
    } else if (plot instanceof CategoryPlot c) {
      for (int i = 0; i < c.getDataset().getRowCount(); i++) {
        c.getRenderer().setSeriesPaint(i, COLORS[i % COLORS.length]);
      }
    }
  }
}
