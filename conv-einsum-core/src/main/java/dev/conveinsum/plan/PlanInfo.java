package dev.conveinsum.plan;

import dev.conveinsum.cost.CostMath;
import dev.conveinsum.cost.CostModel;
import dev.conveinsum.cost.Intermediate;
import dev.conveinsum.cost.PathCost;
import dev.conveinsum.cost.StepCost;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.IndexKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a planner found for one expression, printable like opt_einsum's {@code PathInfo}: the
 * path, naive and optimized FLOPs, the speed-up, the largest intermediate, training FLOPs when
 * requested, the output shape, and one row per step. {@link #toString()} gives a readable table
 * and {@link #toDot()} the contraction tree in Graphviz DOT. Immutable.
 */
public final class PlanInfo {
  private final BoundExpression bound;
  private final String optimizer;
  private final Path path;
  private final PathCost cost;
  private final long naiveFlops;
  private final OptionalLong trainFlops;
  private final List<StepInfo> steps;
  private final PlanOptions options;

  /**
   * One row of the table: a pairwise step.
   *
   * @param number 0-based step number
   * @param positions the pair of positions, as in the path
   * @param left the first operand's term, e.g. {@code bshw}
   * @param right the second operand's term
   * @param result the term of the tensor the step writes
   * @param kinds the step's indices by kind (SPEC section 2), as written; empty kinds omitted
   * @param flops the step's forward FLOPs
   * @param trainFlops the step's training FLOPs
   * @param resultSize element count of the result
   */
  public record StepInfo(int number, List<Integer> positions, String left, String right,
      String result, Map<IndexKind, String> kinds, long flops, long trainFlops,
      long resultSize) {

    /** Copies the collections. */
    public StepInfo {
      positions = List.copyOf(positions);
      kinds = Collections.unmodifiableMap(new EnumMap<>(kinds));
    }

    /** Returns the step as an expression, e.g. {@code bshw,rs->brhw}. */
    public String contraction() {
      return left + "," + right + "->" + result;
    }

    /** Returns the kinds in short form, e.g. {@code B:r C:s V:hw}. */
    public String kindsText() {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<IndexKind, String> e : kinds.entrySet()) {
        sb.append(sb.length() == 0 ? "" : " ").append(shortName(e.getKey())).append(':')
            .append(e.getValue());
      }
      return sb.toString();
    }
  }

  private static String shortName(IndexKind k) {
    return switch (k) {
      case BATCH -> "B";
      case CONTRACTION -> "C";
      case FREE -> "F";
      case SELF_SUM -> "S";
      case CONVOLUTION -> "V";
    };
  }

  private PlanInfo(BoundExpression bound, String optimizer, Path path, PathCost cost,
      long naiveFlops, OptionalLong trainFlops, List<StepInfo> steps, PlanOptions options) {
    this.bound = bound;
    this.options = options;
    this.optimizer = optimizer;
    this.path = path;
    this.cost = cost;
    this.naiveFlops = naiveFlops;
    this.trainFlops = trainFlops;
    this.steps = List.copyOf(steps);
  }

  /**
   * Describes a path found (or given) under plan options.
   *
   * @param bound the expression bound to shapes
   * @param optimizer the name of the optimizer that found the path
   * @param path the path (validated here)
   * @param options the plan options: training FLOPs are reported when they ask for training, and
   *     a plan compiled from this one computes gradients for their trainable operands
   * @return the description
   * @throws dev.conveinsum.ConvEinsumException for a path that does not fit the expression or a
   *     trainable position out of range
   */
  public static PlanInfo of(BoundExpression bound, String optimizer, Path path,
      PlanOptions options) {
    CostModel model = new CostModel(bound, options.train() ? options.trainable() : null);
    boolean train = options.train();
    BoundExpression b = model.bound();
    int n = model.operandCount();
    path.validate(n);
    PathCost cost = model.evaluate(path.pairs());
    long naive = model.evaluate(Path.naive(n).pairs()).flops();
    List<String> terms = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      terms.add(b.expression().inputs().get(k).toString());
    }
    List<StepInfo> rows = new ArrayList<>();
    for (int k = 0; k < path.size(); k++) {
      int[] p = path.step(k);
      StepCost s = cost.steps().get(k);
      Map<IndexKind, StringBuilder> kinds = new EnumMap<>(IndexKind.class);
      for (int id : model.unionIndices(s.left(), s.right())) {
        kinds.computeIfAbsent(model.kind(s.left(), s.right(), id), x -> new StringBuilder())
            .append(b.displayName(id));
      }
      Map<IndexKind, String> kindText = new EnumMap<>(IndexKind.class);
      kinds.forEach((kk, v) -> kindText.put(kk, v.toString()));
      String left = terms.get(p[0]);
      String right = terms.get(p[1]);
      String result = k == path.size() - 1 ? b.expression().output().toString()
          : term(b, s.result());
      terms.remove(Math.max(p[0], p[1]));
      terms.remove(Math.min(p[0], p[1]));
      terms.add(result);
      rows.add(new StepInfo(k, List.of(p[0], p[1]), left, right, result, kindText, s.flops(),
          s.trainFlops(), s.resultSize()));
    }
    return new PlanInfo(b, optimizer, path, cost, naive,
        train ? OptionalLong.of(cost.trainFlops()) : OptionalLong.empty(), rows, options);
  }

  private static String term(BoundExpression b, Intermediate t) {
    StringBuilder sb = new StringBuilder();
    for (int id : t.indices()) {
      sb.append(b.displayName(id));
    }
    return sb.toString();
  }

  /** Returns the bound expression. */
  public BoundExpression bound() {
    return bound;
  }

  /** Returns the expression text. */
  public String expression() {
    return bound.expression().source();
  }

  /** Returns the optimizer's name. */
  public String optimizer() {
    return optimizer;
  }

  /** Returns the path. */
  public Path path() {
    return path;
  }

  /** Returns the full cost of the path (the cost model's record; internal). */
  PathCost cost() {
    return cost;
  }

  /**
   * Returns the training FLOPs of the path (forward plus the backward pass of the trainable
   * operands), whether or not the plan was made to minimise them.
   */
  public long pathTrainFlops() {
    return cost.trainFlops();
  }

  /** Returns the element count of every tensor the path creates, in step order. */
  public List<Long> intermediateSizes() {
    return cost.intermediateSizes();
  }

  /** Returns the forward FLOPs of the naive (left-to-right) path. */
  public long naiveFlops() {
    return naiveFlops;
  }

  /** Returns the forward FLOPs of the path. */
  public long flops() {
    return cost.flops();
  }

  /** Returns naive FLOPs / optimized FLOPs (1 when both are 0). */
  public double speedup() {
    if (cost.flops() == 0) {
      return naiveFlops == 0 ? 1 : Double.POSITIVE_INFINITY;
    }
    return (double) naiveFlops / cost.flops();
  }

  /** Returns the element count of the largest intermediate. */
  public long largestIntermediate() {
    return cost.largestIntermediate();
  }

  /** Returns the training FLOPs of the path, when training was requested. */
  public OptionalLong trainFlops() {
    return trainFlops;
  }

  /** Returns the plan options this plan was made under. */
  public PlanOptions options() {
    return options;
  }

  /**
   * Returns, per operand, whether a plan compiled from this one computes its gradient: the
   * trainable operands when planned for training with a trainable set, else every operand.
   */
  public boolean[] trainable() {
    boolean[] t = new boolean[bound.operandCount()];
    for (int k = 0; k < t.length; k++) {
      t[k] = !options.train() || options.trainable() == null || options.trainable().contains(k);
    }
    return t;
  }

  /** Returns the output shape. */
  public long[] outputShape() {
    return bound.outputShape();
  }

  /** Returns one row per step. */
  public List<StepInfo> steps() {
    return steps;
  }

  private static String big(long v) {
    if (CostMath.saturated(v)) {
      return CostMath.format(v);
    }
    return v < 100_000 ? Long.toString(v) : String.format(Locale.ROOT, "%.3e", (double) v);
  }

  /** Returns a readable table: the summary and one row per step. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String shapes = String.join(";", bound.shapes().stream().map(BoundExpression::shapeText)
        .toList());
    line(sb, "Expression", expression());
    line(sb, "Shapes", shapes);
    line(sb, "Optimizer", optimizer);
    line(sb, "Path", path.toString());
    line(sb, "Naive FLOPs", big(naiveFlops));
    line(sb, "Optimized FLOPs", big(cost.flops()));
    line(sb, "Speed-up", String.format(Locale.ROOT, "%.3fx", speedup()));
    line(sb, "Largest intermediate", big(cost.largestIntermediate()) + " elements");
    trainFlops.ifPresent(t -> line(sb, "Training FLOPs", big(t)));
    line(sb, "Output shape", Arrays.toString(bound.outputShape()));
    String header = String.format(Locale.ROOT, "%4s  %-7s  %-32s  %-24s  %11s  %11s", "step",
        "pair", "contraction", "kinds", "flops", "result size");
    sb.append("-".repeat(header.length())).append('\n').append(header).append('\n')
        .append("-".repeat(header.length())).append('\n');
    for (StepInfo s : steps) {
      sb.append(String.format(Locale.ROOT, "%4d  %-7s  %-32s  %-24s  %11s  %11s%n", s.number(),
          "[" + s.positions().get(0) + "," + s.positions().get(1) + "]", s.contraction(),
          s.kindsText(), big(s.flops()), big(s.resultSize())));
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(String.format(Locale.ROOT, "  %-22s %s%n", key + ":", value));
  }

  /**
   * Returns the contraction tree as Graphviz DOT: one box per input operand, one ellipse per
   * step, an edge from each step's two operands to it.
   */
  public String toDot() {
    StringBuilder sb = new StringBuilder("digraph contraction {\n  rankdir=BT;\n");
    int n = bound.operandCount();
    List<String> current = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      sb.append("  in").append(k).append(" [shape=box, label=\"").append(k).append(": ")
          .append(escape(bound.expression().inputs().get(k).toString())).append("\\n")
          .append(BoundExpression.shapeText(bound.shape(k))).append("\"];\n");
      current.add("in" + k);
    }
    for (StepInfo s : steps) {
      String node = "s" + s.number();
      sb.append("  ").append(node).append(" [shape=ellipse, label=\"step ").append(s.number())
          .append(": ").append(escape(s.result())).append("\\n").append(big(s.flops()))
          .append(" flops\"];\n");
      int i = s.positions().get(0);
      int j = s.positions().get(1);
      sb.append("  ").append(current.get(i)).append(" -> ").append(node).append(";\n");
      sb.append("  ").append(current.get(j)).append(" -> ").append(node).append(";\n");
      current.remove(Math.max(i, j));
      current.remove(Math.min(i, j));
      current.add(node);
    }
    return sb.append("}\n").toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
