package dev.conveinsum.testing;

import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded random conv_einsum calls for property tests: an expression, its options and operand
 * shapes, plus the structure the text was built from (so that a test oracle never has to trust
 * the parser under test).
 *
 * <pre>{@code
 * SplittableRandom rnd = new SplittableRandom(42);
 * RandomExpressions.Case c = RandomExpressions.next(rnd, RandomExpressions.Settings.CONV);
 * BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()), c.convOptions(),
 *     c.shapes());
 * }</pre>
 *
 * <p>Every generated call is valid (SPEC sections 1 and 3): VALID and explicit crops that would
 * leave nothing fall back to FULL, explicit padding is only used for m = 2.
 */
public final class RandomExpressions {
  /** The ellipsis marker inside {@link Case#inputs()} and {@link Case#output()}. */
  public static final String ELLIPSIS = "...";

  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String[] LONG_NAMES = {"t1", "t2", "x_y", "ab", "Z9", "u0"};
  private static final Object[] PADDINGS = {"MAX", "SAME", "FULL", "VALID", "CIRCULAR"};

  private RandomExpressions() {}

  /**
   * What to generate.
   *
   * @param minOperands fewest operands (>= 1)
   * @param maxOperands most operands
   * @param maxIndices most ordinary (non-convolution) indices
   * @param maxSize largest size of an ordinary index or ellipsis dimension
   * @param maxConvs most convolution indices (0 for plain einsum)
   * @param maxConvLength longest operand along a convolution index
   * @param maxStride largest stride and dilation drawn
   * @param diagonals whether an ordinary index may repeat inside a term
   * @param ellipsis whether terms may have {@code ...} (broadcast dimensions)
   * @param longNames whether parenthesised multi-letter names may occur
   * @param maxWork upper bound on the brute-force cost (product of all sizes and conv lengths)
   */
  public record Settings(int minOperands, int maxOperands, int maxIndices, int maxSize,
      int maxConvs, int maxConvLength, int maxStride, boolean diagonals, boolean ellipsis,
      boolean longNames, long maxWork) {
    /** Plain einsum: 1-4 operands, diagonals, ellipsis, long names. */
    public static final Settings EINSUM = new Settings(1, 4, 5, 3, 0, 0, 1, true, true, true, 2000);
    /** With up to two convolution indices, strides and dilations up to 2, every padding mode. */
    public static final Settings CONV = new Settings(1, 4, 4, 3, 2, 4, 2, true, true, true, 3000);

    /** Returns a copy with another operand range. */
    public Settings withOperands(int min, int max) {
      return new Settings(min, max, maxIndices, maxSize, maxConvs, maxConvLength, maxStride,
          diagonals, ellipsis, longNames, maxWork);
    }

    /** Returns a copy with another work bound. */
    public Settings withMaxWork(long work) {
      return new Settings(minOperands, maxOperands, maxIndices, maxSize, maxConvs, maxConvLength,
          maxStride, diagonals, ellipsis, longNames, work);
    }
  }

  /**
   * One random call.
   *
   * @param expression the text
   * @param inputs each term's index names (no parentheses) and {@link #ELLIPSIS}, in order
   * @param output the explicit output in the same form, or null when the text has no {@code ->}
   * @param convs the names after {@code |}, in order
   * @param options the options in their JSON form (for {@link ConvOptions#fromMap(Map)})
   * @param shapes one shape per operand
   */
  public record Case(String expression, List<List<String>> inputs, List<String> output,
      List<String> convs, Map<String, Object> options, List<long[]> shapes) {

    /** Returns the parsed options. */
    public ConvOptions convOptions() {
      return ConvOptions.fromMap(options);
    }

    /** Returns seeded float64 operands in [-1, 1) of the case's shapes. */
    public List<Tensor> operands(long seed) {
      List<Tensor> out = new ArrayList<>();
      for (int k = 0; k < shapes.size(); k++) {
        out.add(Tensor.random(DType.FLOAT64, seed * 31 + k, shapes.get(k)));
      }
      return out;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(expression).append(" shapes ");
      for (int k = 0; k < shapes.size(); k++) {
        sb.append(k == 0 ? "" : ";").append(java.util.Arrays.toString(shapes.get(k)));
      }
      return sb.append(" options ").append(options).toString();
    }
  }

  /** Returns a random valid call drawn from {@code rnd}. */
  public static Case next(SplittableRandom rnd, Settings s) {
    while (true) {
      Case c = attempt(rnd, s);
      if (c != null) {
        return c;
      }
    }
  }

  private static Case attempt(SplittableRandom rnd, Settings s) {
    int n = rnd.nextInt(s.minOperands(), s.maxOperands() + 1);
    List<String> pool = new ArrayList<>();
    for (char ch : LETTERS.toCharArray()) {
      pool.add(String.valueOf(ch));
    }
    if (s.longNames()) {
      Collections.addAll(pool, LONG_NAMES);
    }
    Collections.shuffle(pool, new java.util.Random(rnd.nextLong()));
    int next = 0;
    List<List<String>> terms = new ArrayList<>();
    List<List<Long>> dims = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      terms.add(new ArrayList<>());
      dims.add(new ArrayList<>());
    }
    long work = 1;
    // Ordinary indices.
    int indices = rnd.nextInt(0, s.maxIndices() + 1);
    for (int i = 0; i < indices; i++) {
      String name = pool.get(next++);
      long size = rnd.nextInt(1, s.maxSize() + 1);
      work *= size;
      int holders = rnd.nextInt(1, Math.min(n, 3) + 1);
      for (int k : pick(rnd, n, holders)) {
        int times = s.diagonals() && rnd.nextInt(7) == 0 ? 2 : 1;
        for (int t = 0; t < times; t++) {
          terms.get(k).add(name);
          dims.get(k).add(size);
        }
      }
    }
    // Convolution indices.
    List<String> convs = new ArrayList<>();
    Map<String, Object> convOptions = new LinkedHashMap<>();
    int nconv = n >= 2 ? rnd.nextInt(0, s.maxConvs() + 1) : 0;
    for (int c = 0; c < nconv; c++) {
      String name = pool.get(next++);
      convs.add(name);
      boolean lone = rnd.nextInt(8) == 0;
      int m = lone ? 1 : rnd.nextInt(2, n + 1);
      int[] holders = pick(rnd, n, m);
      java.util.Arrays.sort(holders);
      int[] len = new int[m];
      for (int r = 0; r < m; r++) {
        len[r] = rnd.nextInt(1, s.maxConvLength() + 1);
        work *= len[r];
        terms.get(holders[r]).add(name);
        dims.get(holders[r]).add((long) len[r]);
      }
      if (!lone && rnd.nextInt(5) != 0) {
        convOptions.put(name, spec(rnd, s, len));
      }
    }
    for (int k = 0; k < n; k++) {
      shuffleTogether(rnd, terms.get(k), dims.get(k));
    }
    // Ellipsis: global broadcast dims, each operand takes a right-aligned suffix of them.
    boolean anyEllipsis = false;
    if (s.ellipsis() && rnd.nextInt(3) == 0) {
      int e = rnd.nextInt(1, 3);
      long[] global = new long[e];
      for (int i = 0; i < e; i++) {
        global[i] = rnd.nextInt(1, s.maxSize() + 1);
        work *= global[i];
      }
      for (int k = 0; k < n; k++) {
        if (rnd.nextInt(4) == 0) {
          continue;
        }
        anyEllipsis = true;
        int r = rnd.nextInt(0, e + 1);
        int at = rnd.nextInt(0, terms.get(k).size() + 1);
        terms.get(k).add(at, ELLIPSIS);
        List<Long> ed = new ArrayList<>();
        for (int i = e - r; i < e; i++) {
          ed.add(rnd.nextInt(4) == 0 ? 1L : global[i]);
        }
        dims.get(k).addAll(at, ed);
      }
    }
    if (work > s.maxWork()) {
      return null;
    }
    // Output.
    List<String> output = null;
    if (rnd.nextInt(5) < 3) {
      Set<String> all = new LinkedHashSet<>();
      terms.forEach(t -> t.stream().filter(x -> !x.equals(ELLIPSIS)).forEach(all::add));
      List<String> labels = new ArrayList<>(all);
      Collections.shuffle(labels, new java.util.Random(rnd.nextLong()));
      output = new ArrayList<>(labels.subList(0, rnd.nextInt(0, labels.size() + 1)));
      if (anyEllipsis) {
        output.add(rnd.nextInt(0, output.size() + 1), ELLIPSIS);
      }
    }
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < n; k++) {
      text.append(k == 0 ? "" : ",");
      terms.get(k).forEach(x -> text.append(written(x, rnd)));
    }
    if (output != null) {
      text.append("->");
      output.forEach(x -> text.append(written(x, rnd)));
    }
    if (!convs.isEmpty()) {
      text.append('|');
      boolean commas = rnd.nextBoolean();
      for (int c = 0; c < convs.size(); c++) {
        text.append(c > 0 && commas ? "," : "").append(written(convs.get(c), rnd));
      }
    }
    Map<String, Object> options = new LinkedHashMap<>();
    if (!convs.isEmpty() && rnd.nextBoolean()) {
      options.put("kind", rnd.nextBoolean() ? "CONVOLUTION" : "CROSS_CORRELATION");
    }
    if (!convOptions.isEmpty()) {
      options.put("conv", convOptions);
    }
    List<long[]> shapes = new ArrayList<>();
    dims.forEach(d -> shapes.add(d.stream().mapToLong(Long::longValue).toArray()));
    List<List<String>> inputs = new ArrayList<>();
    terms.forEach(t -> inputs.add(List.copyOf(t)));
    return new Case(text.toString(), List.copyOf(inputs), output == null ? null
        : List.copyOf(output), List.copyOf(convs), options, shapes);
  }

  /** Options for one conv index of lengths {@code len} (signal first), always a valid crop. */
  private static Map<String, Object> spec(SplittableRandom rnd, Settings s, int[] len) {
    Map<String, Object> spec = new LinkedHashMap<>();
    int stride = rnd.nextInt(1, s.maxStride() + 1);
    int dilation = rnd.nextInt(1, s.maxStride() + 1);
    int max = len[0];
    int full = len[0];
    for (int r = 1; r < len.length; r++) {
      int dl = dilation * (len[r] - 1) + 1;
      max = Math.max(max, dl);
      full += dl - 1;
    }
    int choice = rnd.nextInt(len.length == 2 ? PADDINGS.length + 1 : PADDINGS.length);
    Object padding;
    if (choice < PADDINGS.length) {
      padding = PADDINGS[choice];
      if (padding.equals("VALID") && 2 * max - full < 1) {
        padding = "FULL";
      }
    } else {
      int left = rnd.nextInt(0, 3);
      int right = rnd.nextInt(0, 3);
      int dl = dilation * (len[1] - 1) + 1;
      padding = len[0] + left + right - dl + 1 >= 1 ? List.of(left, right) : "FULL";
    }
    if (!padding.equals("MAX") || rnd.nextBoolean()) {
      spec.put("padding", padding);
    }
    if (stride != 1 || rnd.nextBoolean()) {
      spec.put("stride", stride);
    }
    if (dilation != 1 || rnd.nextBoolean()) {
      spec.put("dilation", dilation);
    }
    return spec;
  }

  private static String written(String name, SplittableRandom rnd) {
    if (name.equals(ELLIPSIS)) {
      return name;
    }
    if (name.length() == 1 && rnd.nextInt(6) != 0) {
      return name;
    }
    return "(" + name + ")";
  }

  /** Returns {@code count} distinct values in [0, n), in random order. */
  private static int[] pick(SplittableRandom rnd, int n, int count) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    Collections.shuffle(all, new java.util.Random(rnd.nextLong()));
    return all.subList(0, count).stream().mapToInt(Integer::intValue).toArray();
  }

  private static void shuffleTogether(SplittableRandom rnd, List<String> a, List<Long> b) {
    for (int i = a.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      Collections.swap(a, i, j);
      Collections.swap(b, i, j);
    }
  }
}
