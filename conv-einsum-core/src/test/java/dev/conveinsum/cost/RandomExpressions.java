package dev.conveinsum.cost;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random expressions for property tests: contraction, batch, free and self-sum indices,
 * diagonals, scalars and disconnected operands, and convolution indices held by two to four
 * operands with every padding mode, stride and dilation up to 2, both kinds.
 */
public final class RandomExpressions {
  private RandomExpressions() {}

  /**
   * Returns a random bound expression.
   *
   * @param rnd the source of randomness
   * @param n the number of operands
   * @param convs the most convolution indices (0 for none)
   * @param maxSize the largest ordinary index size
   * @return a valid bound expression
   */
  public static BoundExpression generate(Random rnd, int n, int convs, int maxSize) {
    for (int attempt = 0; ; attempt++) {
      try {
        return attempt(rnd, n, convs, maxSize);
      } catch (ConvEinsumException e) {
        if (attempt > 1000) {
          throw e;
        }
      }
    }
  }

  private static BoundExpression attempt(Random rnd, int n, int convs, int maxSize) {
    String letters = "abcdefgijklmnopqrstuvxyz";
    int ordinary = 1 + rnd.nextInt(Math.min(6, 2 + n));
    List<List<String>> terms = new ArrayList<>();
    List<List<Long>> dims = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      terms.add(new ArrayList<>());
      dims.add(new ArrayList<>());
    }
    List<String> output = new ArrayList<>();
    for (int i = 0; i < ordinary; i++) {
      String name = String.valueOf(letters.charAt(i));
      long size = 1 + rnd.nextInt(maxSize);
      int holders = 1 + rnd.nextInt(Math.min(n, 3));
      List<Integer> ops = shuffled(rnd, n).subList(0, holders);
      for (int k : ops) {
        int copies = rnd.nextInt(10) == 0 ? 2 : 1; // a diagonal now and then
        for (int c = 0; c < copies; c++) {
          terms.get(k).add(name);
          dims.get(k).add(size);
        }
      }
      if (rnd.nextBoolean()) {
        output.add(name);
      }
    }
    List<String> convNames = new ArrayList<>();
    ConvOptions options = new ConvOptions(
        rnd.nextBoolean() ? ConvKind.CONVOLUTION : ConvKind.CROSS_CORRELATION, Map.of());
    int c = n < 2 ? 0 : rnd.nextInt(convs + 1);
    for (int i = 0; i < c; i++) {
      String name = i == 0 ? "h" : "w";
      int m = 2 + rnd.nextInt(Math.min(n, 4) - 1);
      List<Integer> ops = shuffled(rnd, n).subList(0, m);
      for (int k : ops) {
        terms.get(k).add(name);
        dims.get(k).add(1L + rnd.nextInt(5));
      }
      convNames.add(name);
      if (rnd.nextInt(10) < 7) {
        output.add(name);
      }
      Padding pad = switch (rnd.nextInt(m == 2 ? 6 : 5)) {
        case 0 -> Padding.MAX;
        case 1 -> Padding.SAME;
        case 2 -> Padding.FULL;
        case 3 -> Padding.VALID;
        case 4 -> Padding.CIRCULAR;
        default -> Padding.explicit(rnd.nextInt(3), rnd.nextInt(3));
      };
      options = options.with(name, new ConvSpec(pad, 1 + rnd.nextInt(2), 1 + rnd.nextInt(2)));
    }
    StringBuilder sb = new StringBuilder();
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      List<Integer> order = shuffled(rnd, terms.get(k).size());
      long[] shape = new long[order.size()];
      sb.append(k == 0 ? "" : ",");
      for (int a = 0; a < order.size(); a++) {
        sb.append(terms.get(k).get(order.get(a)));
        shape[a] = dims.get(k).get(order.get(a));
      }
      shapes.add(shape);
    }
    Map<String, Boolean> used = new LinkedHashMap<>();
    for (List<String> t : terms) {
      t.forEach(x -> used.put(x, true));
    }
    output.removeIf(x -> !used.containsKey(x));
    Collections.shuffle(output, rnd);
    sb.append("->").append(String.join("", output));
    if (!convNames.isEmpty()) {
      sb.append('|').append(String.join("", convNames));
    }
    return BoundExpression.bind(Expression.parse(sb.toString()), options, shapes);
  }

  private static List<Integer> shuffled(Random rnd, int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(i);
    }
    Collections.shuffle(l, rnd);
    return l;
  }
}
