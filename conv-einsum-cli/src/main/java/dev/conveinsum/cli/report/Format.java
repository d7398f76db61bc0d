package dev.conveinsum.cli.report;

import java.util.Locale;

/** How the report writes numbers: the plan report's FLOP notation, ms, MiB and percent. */
final class Format {
  private Format() {}

  /** A count as {@code path} prints it: exact below 100,000, else {@code 1.234e+07}. */
  static String big(long v) {
    return v < 100_000 ? Long.toString(v) : String.format(Locale.ROOT, "%.3e", (double) v);
  }

  /** Milliseconds with 3 significant digits at least. */
  static String ms(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  /** Bytes in MiB with 1 decimal. */
  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  /** A compression rate in percent, e.g. 0.05 as {@code 5%}. */
  static String percent(double rate) {
    double p = rate * 100;
    return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p)
        : String.format(Locale.ROOT, "%.3g", p)) + "%";
  }

  /** A ratio with 3 significant digits. */
  static String ratio(double v) {
    return v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.3g", v);
  }
}
