package dev.conveinsum.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Case;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ReferenceEvaluator#vjp} against central finite differences in float64, in a random
 * direction: {@code <vjp_k, v>} must equal {@code (<g, f(x + h v)> - <g, f(x - h v)>) / 2h}.
 */
class FiniteDifferenceGradientTest {
  private static final double H = 1e-6;
  private static final double TOL = 1e-6;

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += a.getFlat(i) * b.getFlat(i);
    }
    return s;
  }

  private static Tensor axpy(Tensor x, double h, Tensor v) {
    double[] d = x.toDoubleArray();
    for (int i = 0; i < d.length; i++) {
      d[i] += h * v.getFlat(i);
    }
    return Tensor.wrap(d, x.shape());
  }

  /** Checks every operand's gradient, and all of them together, in random directions. */
  private static void check(String expr, ConvOptions options, List<long[]> shapes, long seed,
      String what) {
    BoundExpression b = BoundExpression.bind(Expression.parse(expr), options, shapes);
    int n = shapes.size();
    List<Tensor> x = new ArrayList<>();
    List<Tensor> v = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      x.add(Tensor.random(DType.FLOAT64, seed * 7 + k, shapes.get(k)));
      v.add(Tensor.random(DType.FLOAT64, seed * 7 + k + 1000, shapes.get(k)));
    }
    Tensor g = Tensor.random(DType.FLOAT64, seed + 99, b.outputShape());
    List<Tensor> grads = ReferenceEvaluator.vjp(b, x, g);
    assertEquals(n, grads.size());
    double total = 0;
    List<Tensor> plusAll = new ArrayList<>();
    List<Tensor> minusAll = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      List<Tensor> plus = new ArrayList<>(x);
      List<Tensor> minus = new ArrayList<>(x);
      plus.set(k, axpy(x.get(k), H, v.get(k)));
      minus.set(k, axpy(x.get(k), -H, v.get(k)));
      plusAll.add(plus.get(k));
      minusAll.add(minus.get(k));
      double fd = (dot(g, ReferenceEvaluator.evaluate(b, plus))
          - dot(g, ReferenceEvaluator.evaluate(b, minus))) / (2 * H);
      double an = dot(grads.get(k), v.get(k));
      total += an;
      assertTrue(Math.abs(fd - an) <= TOL * (1 + Math.abs(an)),
          what + ": operand " + k + " finite difference " + fd + " vs vjp " + an);
    }
    double fd = (dot(g, ReferenceEvaluator.evaluate(b, plusAll))
        - dot(g, ReferenceEvaluator.evaluate(b, minusAll))) / (2 * H);
    assertTrue(Math.abs(fd - total) <= TOL * (1 + Math.abs(total)),
        what + ": all operands, finite difference " + fd + " vs vjp " + total);
  }

  @Test
  void randomExpressions() {
    SplittableRandom rnd = new SplittableRandom(1234);
    Settings s = Settings.CONV.withMaxWork(600);
    Set<String> paddings = new HashSet<>();
    int multiWay = 0;
    for (int i = 0; i < 150; i++) {
      Case c = RandomExpressions.next(rnd, s);
      check(c.expression(), c.convOptions(), c.shapes(), i, c.toString());
      if (c.options().get("conv") instanceof Map<?, ?> conv) {
        conv.values().forEach(spec -> paddings.add(String.valueOf(
            ((Map<?, ?>) spec).get("padding")).replaceAll("\\[.*", "EXPLICIT")));
      }
      for (String cv : c.convs()) {
        multiWay += c.inputs().stream().filter(t -> t.contains(cv)).count() >= 3 ? 1 : 0;
      }
    }
    assertTrue(paddings.containsAll(List.of("FULL", "SAME", "VALID", "CIRCULAR", "EXPLICIT")),
        "paddings seen: " + paddings);
    assertTrue(multiWay > 5, multiWay + " multi-way convolutions");
  }

  /** Every padding mode x both kinds x stride and dilation in {1, 2}, with batch and channels. */
  @Test
  void everyModeKindStrideAndDilation() {
    Object[] paddings = {"MAX", "SAME", "FULL", "VALID", "CIRCULAR", List.of(2, 1)};
    long seed = 0;
    for (Object p : paddings) {
      for (String kind : new String[] {"CONVOLUTION", "CROSS_CORRELATION"}) {
        for (int stride = 1; stride <= 2; stride++) {
          for (int dilation = 1; dilation <= 2; dilation++) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("padding", p);
            spec.put("stride", stride);
            spec.put("dilation", dilation);
            ConvOptions o = ConvOptions.fromMap(Map.of("kind", kind, "conv", Map.of("i", spec)));
            String what = kind + " " + spec;
            check("bsi,tsi->bti|i", o, List.of(new long[] {2, 2, 6}, new long[] {2, 2, 3}),
                seed++, what);
            if (!(p instanceof List)) { // explicit padding needs m = 2
              check("bi,ti,i->bti|i", o, List.of(new long[] {2, 7}, new long[] {2, 2},
                  new long[] {3}), seed++, what + " 3-way");
              check("bi,i,ti->bt|i", o, List.of(new long[] {2, 7}, new long[] {2},
                  new long[] {2, 2}), seed++, what + " 3-way summed");
            }
          }
        }
      }
    }
  }

  @Test
  void twoDimensionalLayerWithDiagonalAndEllipsis() {
    ConvOptions o = ConvOptions.fromMap(Map.of("kind", "CROSS_CORRELATION", "conv",
        Map.of("h", Map.of("padding", List.of(1, 0), "stride", 2),
            "w", Map.of("padding", "CIRCULAR", "dilation", 2))));
    check("...shw,tshw,tt->...thw|hw", o, List.of(new long[] {2, 2, 5, 4},
        new long[] {2, 2, 2, 2}, new long[] {2, 2}), 77, "2-D layer");
  }
}
