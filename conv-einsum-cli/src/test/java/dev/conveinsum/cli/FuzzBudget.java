package dev.conveinsum.cli;

import dev.conveinsum.ConvEinsumException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Supplier;

/**
 * The contract every fuzzed call is held to (issue 12, item 8): it returns or throws {@link
 * ConvEinsumException}, nothing else, within {@link #CALL_LIMIT_MS} milliseconds. Keeps, per
 * property, the number of inputs, the refused ones and the slowest call, printed after each
 * fuzz class ({@link #report}).
 */
final class FuzzBudget {
  /** The most one call may take, in ms; {@code -Dconveinsum.fuzz.callLimitMs} overrides. */
  static final long CALL_LIMIT_MS = Long.getLong("conveinsum.fuzz.callLimitMs", 2000);

  private static final Map<String, Stats> STATS = new ConcurrentHashMap<>();

  private FuzzBudget() {}

  /** Counters of one property. */
  private static final class Stats {
    final AtomicLong inputs = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong unexpected = new AtomicLong();
    final LongAccumulator slowestNanos = new LongAccumulator(Math::max, 0);
    volatile String slowestInput = "";
  }

  /**
   * Runs one fuzzed call.
   *
   * @param property the property's name, for the report
   * @param input the input, for messages (shortened)
   * @param call the call
   * @param <T> its result
   * @return its result, or null when it refused the input with {@link ConvEinsumException}
   * @throws AssertionError when the call throws anything else or takes too long
   */
  static <T> T call(String property, Object input, Supplier<T> call) {
    Stats s = STATS.computeIfAbsent(property, k -> new Stats());
    s.inputs.incrementAndGet();
    long t0 = System.nanoTime();
    T result = null;
    try {
      result = call.get();
    } catch (ConvEinsumException e) {
      s.refused.incrementAndGet();
      if (e.getMessage().contains("\n")) {
        throw new AssertionError("a refusal of " + shown(input) + " spans lines: "
            + e.getMessage(), e);
      }
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      s.unexpected.incrementAndGet();
      throw new AssertionError("unexpected " + e.getClass().getName() + " for "
          + shown(input), e);
    }
    long nanos = System.nanoTime() - t0;
    if (nanos > s.slowestNanos.get()) {
      s.slowestNanos.accumulate(nanos);
      s.slowestInput = shown(input);
    }
    if (nanos > CALL_LIMIT_MS * 1_000_000L) {
      throw new AssertionError(String.format(Locale.ROOT, "%.0f ms (limit %d ms) for %s",
          nanos / 1e6, CALL_LIMIT_MS, shown(input)));
    }
    return result;
  }

  /** Prints one line per property: inputs, refused, slowest call; then forgets them. */
  static void report(String suite) {
    System.out.println();
    STATS.forEach((property, s) -> System.out.printf(Locale.ROOT,
        "fuzz %s.%s: %d inputs, %d refused with ConvEinsumException, %d unexpected"
            + " exceptions, slowest call %.1f ms (%s)%n", suite, property, s.inputs.get(),
        s.refused.get(), s.unexpected.get(), s.slowestNanos.get() / 1e6, s.slowestInput));
    STATS.clear();
  }

  private static String shown(Object input) {
    String s = String.valueOf(input).replace("\n", "\\n");
    return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " chars)";
  }
}
