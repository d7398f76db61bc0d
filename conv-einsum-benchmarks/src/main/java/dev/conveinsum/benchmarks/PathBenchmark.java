package dev.conveinsum.benchmarks;

import dev.conveinsum.ConvEinsum;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.plan.search.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Path-finding time per optimizer: the tensorial layers of {@code shared/bench/tnn_layers.json}
 * (stage-2 ResNet-34 layers at a 10% compression rate, one per decomposition, embedded below)
 * and random networks of 10 to 100 operands (fixed seed). Each invocation builds the cost model
 * and runs the optimizer, so the pair-count caches start cold, as for a new expression.
 *
 * <p>{@code optimal} and {@code branch} are skipped on networks above 20 operands and every
 * optimizer but {@code greedy} on 100 (they would take seconds to minutes); the skipped
 * combinations return at once. Record CPU and JDK with the results; {@code naive} is the
 * baseline in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PathBenchmark {
  private static final long SEED = 20240611L;

  /** Layer name and expression with shapes, as in tnn_layers.json. */
  private static final Map<String, String[]> LAYERS = Map.of(
      "CP", new String[] {"bshw,rt,rs,rh,rw->bthw|hw", "128x128x16x16;56x128;56x128;56x3;56x3"},
      "RCP", new String[] {"bijkhw,rxi,ryj,rzk,rhw->bxyzhw|hw",
          "128x4x4x8x16x16;140x4x4;140x4x4;140x8x8;140x3x3"},
      "TK", new String[] {"bshw,pt,qs,pqhw->bthw|hw", "128x128x16x16;28x128;28x128;28x28x3x3"},
      "RTK", new String[] {"bijkhw,pxi,qyj,uzk,vhw,vpqu->bxyzhw|hw",
          "128x4x4x8x16x16;10x4x4;10x4x4;10x8x8;10x3x3;10x10x10x10"},
      "TT", new String[] {"bshw,pt,pqh,quw,us->bthw|hw",
          "128x128x16x16;32x128;32x32x3;32x32x3;32x128"},
      "RTT", new String[] {"bijkhw,pxi,pqyj,quzk,uhw->bxyzhw|hw",
          "128x4x4x8x16x16;13x4x4;13x13x4x4;13x13x8x8;13x3x3"},
      "TR", new String[] {"bshw,apt,pqh,quw,uas->bthw|hw",
          "128x128x16x16;7x7x128;7x7x3;7x7x3;7x7x128"},
      "RTR", new String[] {"bijkhw,apxi,pqyj,quzk,uahw->bxyzhw|hw",
          "128x4x4x8x16x16;11x11x4x4;11x11x4x4;11x11x8x8;11x11x3x3"});

  /** The network: a tnn layer by decomposition name, or {@code randomN} for N operands. */
  @Param({"CP", "RCP", "TK", "RTK", "TT", "RTT", "TR", "RTR", "random10", "random14",
      "random20", "random50", "random100"})
  public String network;

  /** The optimizer's registered name. */
  @Param({"optimal", "branch", "greedy", "random-greedy", "auto", "naive"})
  public String optimizer;

  private BoundExpression bound;
  private PlanOptions options;
  private boolean skip;

  /** Binds the network and looks up the optimizer. */
  @Setup
  public void setUp() {
    if (network.startsWith("random")) {
      int n = Integer.parseInt(network.substring("random".length()));
      bound = randomNetwork(n, SEED + n);
      skip = (n > 20 && (optimizer.equals("optimal") || optimizer.equals("branch")))
          || (n > 50 && !optimizer.equals("greedy") && !optimizer.equals("naive"));
    } else {
      String[] l = LAYERS.get(network);
      ConvSpec same = ConvSpec.DEFAULT.withPadding(Padding.SAME);
      ConvOptions o = new ConvOptions(ConvKind.CROSS_CORRELATION, Map.of("h", same, "w", same));
      bound = ConvEinsum.bind(l[0], o, shapes(l[1]));
    }
    options = PlanOptions.optimizer(optimizer).withSeed(SEED);
    if (!ConvEinsum.optimizers().contains(optimizer)) {
      throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; valid names: "
          + ConvEinsum.optimizers());
    }
  }

  /** Finds a path: builds the cost model and runs the optimizer. */
  @Benchmark
  public Path findPath() {
    if (skip) {
      return Path.empty();
    }
    return Planner.path(bound, options);
  }

  private static List<long[]> shapes(String text) {
    List<long[]> out = new ArrayList<>();
    for (String s : text.split(";", -1)) {
      String[] d = s.isEmpty() ? new String[0] : s.split("x");
      long[] shape = new long[d.length];
      for (int i = 0; i < d.length; i++) {
        shape[i] = Long.parseLong(d[i]);
      }
      out.add(shape);
    }
    return out;
  }

  /**
   * Returns a random connected network: a random spanning tree plus extra bonds (about three
   * per operand), each bond of size 2..8, and two output indices on random operands.
   *
   * @param n the number of operands
   * @param seed the seed
   * @return the bound expression
   */
  public static BoundExpression randomNetwork(int n, long seed) {
    Random rnd = new Random(seed);
    List<List<String>> terms = new ArrayList<>();
    List<List<Long>> dims = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      terms.add(new ArrayList<>());
      dims.add(new ArrayList<>());
    }
    List<int[]> edges = new ArrayList<>();
    for (int k = 1; k < n; k++) {
      edges.add(new int[] {rnd.nextInt(k), k});
    }
    for (int e = n - 1; e < 3 * n / 2; e++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n - 1);
      edges.add(new int[] {a, b >= a ? b + 1 : b});
    }
    int next = 0;
    for (int[] e : edges) {
      String name = "(i" + next++ + ")";
      long size = 2 + rnd.nextInt(7);
      for (int k : e) {
        terms.get(k).add(name);
        dims.get(k).add(size);
      }
    }
    StringBuilder out = new StringBuilder();
    for (int o = 0; o < 2; o++) {
      String name = "(o" + o + ")";
      int k = rnd.nextInt(n);
      terms.get(k).add(name);
      dims.get(k).add(2L + rnd.nextInt(7));
      out.append(name);
    }
    StringBuilder sb = new StringBuilder();
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      sb.append(k == 0 ? "" : ",").append(String.join("", terms.get(k)));
      shapes.add(dims.get(k).stream().mapToLong(Long::longValue).toArray());
    }
    sb.append("->").append(out);
    return ConvEinsum.bind(sb.toString(), ConvOptions.DEFAULT, shapes);
  }
}
