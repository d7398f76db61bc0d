package dev.conveinsum.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.exec.CompiledProgram;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.plan.search.Planner;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the planner (issue 12, item 8): random expressions, sizes (up to 2^40) and
 * convolution options (strides up to 2^31 - 1, dilations up to 2^28 - 1, every padding mode)
 * with every optimizer. Every call returns or refuses with {@link ConvEinsumException} (nothing
 * else escapes) within {@link #CALL_LIMIT_MS}; on small sizes the planned path, compiled and
 * run, equals the reference evaluator.
 *
 * <p>{@code mvn verify} runs 100 tries per property ({@code junit-platform.properties}). The
 * long run, 2 properties x 500,000 = 10^6 inputs (the default surefire execution only: with
 * {@code -Dtest} the module's AVX2 execution would run them a second time):
 *
 * <pre>
 * nice mvn -B -pl conv-einsum-core test-compile surefire:test@default-test \
 *     -Dtest='PlannerFuzzTest' -Djqwik.tries.default=500000
 * </pre>
 */
class PlannerFuzzTest {
  /** The most one call may take, in ms; {@code -Dconveinsum.fuzz.callLimitMs} overrides. */
  static final long CALL_LIMIT_MS = Long.getLong("conveinsum.fuzz.callLimitMs", 2000);
  private static final List<String> OPTIMIZERS = List.of("auto", "optimal", "greedy",
      "random-greedy", "branch", "naive");
  private static final Map<String, long[]> STATS = new ConcurrentHashMap<>();
  private static final Map<String, String> SLOWEST = new ConcurrentHashMap<>();

  /** One generated call: expression, options, shapes and plan options. */
  record Case(String expression, ConvOptions options, List<long[]> shapes, PlanOptions plan) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(expression).append(" shapes");
      for (long[] s : shapes) {
        sb.append(' ').append(java.util.Arrays.toString(s));
      }
      return sb.append(' ').append(options).append(' ').append(plan.optimizer())
          .append(plan.train() ? " train" : "").toString();
    }
  }

  /** Builds a random case from a seed; {@code small} keeps every size evaluable. */
  static Case generate(long seed, boolean small) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = small ? r.nextInt(1, 5) : r.nextInt(1, r.nextInt(8) == 0 ? 20 : 8);
    String pool = "abcdefg";
    int letters = r.nextInt(1, pool.length() + 1);
    List<String> terms = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      StringBuilder t = new StringBuilder();
      int rank = r.nextInt(0, small ? 4 : 5);
      for (int a = 0; a < rank; a++) {
        t.append(pool.charAt(r.nextInt(letters)));
      }
      terms.add(t.toString());
    }
    StringBuilder convs = new StringBuilder();
    for (int i = 0; i < letters; i++) {
      if (r.nextInt(3) == 0) {
        convs.append(pool.charAt(i));
      }
    }
    String expr = String.join(",", terms);
    if (r.nextBoolean()) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < letters; i++) {
        if (r.nextInt(3) > 0 && expr.indexOf(pool.charAt(i)) >= 0) {
          out.append(pool.charAt(i));
        }
      }
      expr += "->" + out;
    }
    if (convs.length() > 0) {
      expr += "|" + convs;
    }
    Map<Character, Long> sizes = new LinkedHashMap<>();
    for (int i = 0; i < letters; i++) {
      sizes.put(pool.charAt(i), size(r, small));
    }
    List<long[]> shapes = new ArrayList<>();
    for (String t : terms) {
      long[] s = new long[t.length()];
      for (int a = 0; a < s.length; a++) {
        char c = t.charAt(a);
        s[a] = convs.indexOf(String.valueOf(c)) >= 0 && r.nextBoolean() ? size(r, small)
            : sizes.get(c);
      }
      shapes.add(s);
    }
    ConvOptions o = ConvOptions.DEFAULT.withKind(r.nextBoolean() ? ConvKind.CONVOLUTION
        : ConvKind.CROSS_CORRELATION);
    for (int i = 0; i < convs.length(); i++) {
      if (r.nextInt(3) == 0) {
        continue;
      }
      Padding p = switch (r.nextInt(6)) {
        case 0 -> Padding.MAX;
        case 1 -> Padding.SAME;
        case 2 -> Padding.FULL;
        case 3 -> Padding.VALID;
        case 4 -> Padding.CIRCULAR;
        default -> Padding.explicit(r.nextInt(0, small ? 3 : 1 << r.nextInt(1, 31)),
            r.nextInt(0, 3));
      };
      o = o.with(String.valueOf(convs.charAt(i)), new ConvSpec(p, step(r, small, 31),
          step(r, small, 28)));
    }
    PlanOptions plan = PlanOptions.optimizer(OPTIMIZERS.get(r.nextInt(OPTIMIZERS.size())))
        .withSeed(r.nextLong());
    if (r.nextInt(3) == 0) {
      plan = plan.withTrain(null);
    }
    if (r.nextInt(6) == 0) {
      plan = plan.withMemoryLimit(1L << r.nextInt(0, 40));
    }
    if (r.nextInt(4) == 0) {
      plan = plan.withTimeBudget(Duration.ofMillis(r.nextInt(1, 500)));
    }
    return new Case(expr, o, shapes, plan);
  }

  private static long size(SplittableRandom r, boolean small) {
    if (small) {
      return r.nextInt(1, 4);
    }
    return switch (r.nextInt(10)) {
      case 0 -> 1L << r.nextInt(16, 41);
      case 1 -> r.nextLong(1, 1L << r.nextInt(1, 62));
      case 2 -> r.nextInt(0, 2);
      default -> r.nextInt(1, 9);
    };
  }

  private static int step(SplittableRandom r, boolean small, int bits) {
    if (small || r.nextInt(4) > 0) {
      return r.nextInt(1, 4);
    }
    return r.nextBoolean() ? (1 << bits) - 1 : 1 + r.nextInt(1 << r.nextInt(1, bits));
  }

  /** Runs one call: its result, or null when it refused with ConvEinsumException. */
  static <T> T call(String property, Object input, Supplier<T> call) {
    long[] s = STATS.computeIfAbsent(property, k -> new long[3]);
    long t0 = System.nanoTime();
    T result = null;
    try {
      result = call.get();
    } catch (ConvEinsumException e) {
      synchronized (s) {
        s[1]++;
      }
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      throw new AssertionError("unexpected " + e + " for " + input, e);
    }
    long nanos = System.nanoTime() - t0;
    synchronized (s) {
      s[0]++;
      if (nanos > s[2]) {
        s[2] = nanos;
        SLOWEST.put(property, String.valueOf(input));
      }
    }
    assertTrue(nanos <= CALL_LIMIT_MS * 1_000_000L, String.format(Locale.ROOT,
        "%.0f ms (limit %d ms) for %s", nanos / 1e6, CALL_LIMIT_MS, input));
    return result;
  }

  @Property
  void planningOnlyRefusesAndStaysWithinTheBudget(@ForAll long seed) {
    Case c = generate(seed, false);
    PlanInfo info = call("plan", c, () -> ConvEinsum.path(c.expression(), c.options(),
        c.shapes(), c.plan()));
    if (info == null) {
      return;
    }
    long total = 1;
    for (long[] s : c.shapes()) {
      for (long d : s) {
        total = Math.multiplyHigh(total, d) != 0 ? Long.MAX_VALUE : total * d;
      }
    }
    if (total < 4096 && info.largestIntermediate() < 4096) {
      call("compile", c, () -> CompiledProgram.compile(BoundExpression.bind(
          Expression.parse(c.expression()), c.options(), c.shapes()),
          info.path().pairs().toArray(int[][]::new), null));
    }
  }

  @Property
  void plannedPathsEvaluateLikeTheReference(@ForAll long seed) {
    Case c = generate(seed, true);
    BoundExpression b = call("bind", c, () -> BoundExpression.bind(
        Expression.parse(c.expression()), c.options(), c.shapes()));
    if (b == null) {
      return;
    }
    PlanInfo info = call("plan-small", c, () -> Planner.plan(b, c.plan()));
    if (info == null) {
      return;
    }
    List<Tensor> ops = new ArrayList<>();
    for (int k = 0; k < b.operandCount(); k++) {
      ops.add(Tensor.random(DType.FLOAT64, seed + k, b.shape(k)));
    }
    Tensor want = ReferenceEvaluator.evaluate(b, ops);
    CompiledProgram plan = CompiledProgram.compile(b,
        info.path().pairs().toArray(int[][]::new), null);
    Execution e = plan.execute(ops, null, new RunOptions(ConvEinsum.defaultEngine(),
        1 + (int) Math.floorMod(seed, 3), Checkpoint.STORE));
    Tolerance.assertClose(want, e.output(), Tolerance.FLOAT64, c.toString());
    STATS.computeIfAbsent("evaluated", k -> new long[3])[0]++;
  }

  @AfterContainer
  static void report() {
    System.out.println();
    STATS.forEach((p, s) -> System.out.printf(Locale.ROOT, "fuzz PlannerFuzzTest.%s: %d inputs,"
        + " %d refused with ConvEinsumException, 0 unexpected exceptions, slowest call %.1f ms"
        + " (%s)%n", p, s[0], s[1], s[2] / 1e6, shorten(SLOWEST.getOrDefault(p, ""))));
    STATS.clear();
  }

  private static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
