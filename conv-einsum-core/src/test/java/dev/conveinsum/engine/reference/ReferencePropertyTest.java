package dev.conveinsum.engine.reference;

import static dev.conveinsum.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Case;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.SpecOracle;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded random properties of the reference evaluator against oracles written here. */
class ReferencePropertyTest {

  private static Tensor eval(String expr, ConvOptions o, Tensor... ops) {
    List<Tensor> l = List.of(ops);
    return ReferenceEvaluator.evaluate(BoundExpression.bind(Expression.parse(expr), o,
        l.stream().map(Tensor::shape).toList()), l);
  }

  private static Tensor eval(Case c, List<Tensor> ops) {
    return ReferenceEvaluator.evaluate(BoundExpression.bind(Expression.parse(c.expression()),
        c.convOptions(), c.shapes()), ops);
  }

  private static Tensor vector(SplittableRandom rnd, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = rnd.nextDouble(-1, 1);
    }
    return Tensor.wrap(d, n);
  }

  @Test
  void plainEinsumAgreesWithNestedLoops() {
    SplittableRandom rnd = new SplittableRandom(20240601);
    int diagonals = 0;
    int ellipses = 0;
    int scalars = 0;
    for (int i = 0; i < 400; i++) {
      Case c = RandomExpressions.next(rnd, Settings.EINSUM);
      assertTrue(c.convs().isEmpty());
      List<Tensor> ops = c.operands(i);
      assertClose(SpecOracle.evaluate(c, ops), eval(c, ops), Tolerance.FLOAT64, c.toString());
      for (List<String> t : c.inputs()) {
        diagonals += t.stream().filter(x -> !x.equals("...")).distinct().count() < t.stream()
            .filter(x -> !x.equals("...")).count() ? 1 : 0;
        ellipses += t.contains("...") ? 1 : 0;
        scalars += t.isEmpty() ? 1 : 0;
      }
    }
    // The generator really exercises the features it claims to.
    assertTrue(diagonals > 20 && ellipses > 50 && scalars > 5,
        diagonals + " diagonals, " + ellipses + " ellipses, " + scalars + " scalars");
  }

  @Test
  void convExpressionsAgreeWithTheSpecTable() {
    SplittableRandom rnd = new SplittableRandom(7);
    int convolved = 0;
    for (int i = 0; i < 300; i++) {
      Case c = RandomExpressions.next(rnd, Settings.CONV);
      List<Tensor> ops = c.operands(i);
      assertClose(SpecOracle.evaluate(c, ops), eval(c, ops), Tolerance.FLOAT64, c.toString());
      convolved += c.convs().isEmpty() ? 0 : 1;
    }
    assertTrue(convolved > 100, "only " + convolved + " cases convolve");
  }

  /** SPEC section 3 step by step: dilate, reverse, full m-way convolution, crop or wrap, stride. */
  @Test
  void oneDimensionalMultiWayFollowsTheSteps() {
    SplittableRandom rnd = new SplittableRandom(99);
    Object[] paddings = {"MAX", "SAME", "FULL", "VALID", "CIRCULAR", List.of(1, 2)};
    for (int i = 0; i < 300; i++) {
      int m = rnd.nextInt(2, 5);
      ConvKind kind = rnd.nextBoolean() ? ConvKind.CONVOLUTION : ConvKind.CROSS_CORRELATION;
      int s = rnd.nextInt(1, 4);
      int d = rnd.nextInt(1, 4);
      Object padding = paddings[rnd.nextInt(m == 2 ? 6 : 5)];
      Tensor[] ops = new Tensor[m];
      double[][] a = new double[m][];
      for (int r = 0; r < m; r++) {
        ops[r] = vector(rnd, rnd.nextInt(1, 6));
        double[] x = ops[r].toDoubleArray();
        if (r > 0) { // step 1: dilate, and reverse for cross-correlation
          double[] dil = new double[d * (x.length - 1) + 1];
          for (int t = 0; t < x.length; t++) {
            dil[d * t] = x[t];
          }
          if (kind == ConvKind.CROSS_CORRELATION) {
            for (int lo = 0, hi = dil.length - 1; lo < hi; lo++, hi--) {
              double tmp = dil[lo];
              dil[lo] = dil[hi];
              dil[hi] = tmp;
            }
          }
          x = dil;
        }
        a[r] = x;
      }
      double[] f = a[0]; // step 2: full linear convolution, one factor at a time
      int max = a[0].length;
      for (int r = 1; r < m; r++) {
        double[] g = new double[f.length + a[r].length - 1];
        for (int p = 0; p < f.length; p++) {
          for (int q = 0; q < a[r].length; q++) {
            g[p + q] += f[p] * a[r][q];
          }
        }
        f = g;
        max = Math.max(max, a[r].length);
      }
      int full = f.length;
      int len;
      int off;
      int extra;
      String mode = padding instanceof List ? "EXPLICIT" : (String) padding;
      switch (mode) { // step 3: crop
        case "FULL" -> {
          len = full;
          off = 0;
        }
        case "VALID" -> {
          len = 2 * max - full;
          off = full - max;
        }
        case "EXPLICIT" -> {
          len = ops[0].size() + 1 + 2 - a[1].length + 1;
          off = a[1].length - 1 - 1;
        }
        default -> {
          len = mode.equals("SAME") ? ops[0].size() : max;
          extra = full - len;
          off = kind == ConvKind.CONVOLUTION ? Math.floorDiv(extra, 2) : -Math.floorDiv(-extra, 2);
        }
      }
      if (len < 1) {
        continue; // an invalid call; InvalidCasesTest and ExpressionBindTest cover those
      }
      double[] out = new double[len];
      for (int y = 0; y < len; y++) {
        if (mode.equals("CIRCULAR")) {
          for (int x = 0; x < full; x++) {
            if (Math.floorMod(x - off, len) == y) {
              out[y] += f[x];
            }
          }
        } else if (y + off >= 0 && y + off < full) {
          out[y] = f[y + off];
        }
      }
      double[] strided = new double[(len + s - 1) / s]; // step 4: stride
      for (int y = 0; y < strided.length; y++) {
        strided[y] = out[y * s];
      }
      ConvOptions o = new ConvOptions(kind, java.util.Map.of()).with("i", new ConvSpec(
          padding instanceof List ? Padding.explicit(1, 2) : Padding.named(mode), s, d));
      String expr = "i" + ",i".repeat(m - 1) + "->i|i";
      String what = expr + " " + o + " lengths " + java.util.Arrays.stream(ops)
          .map(t -> String.valueOf(t.size())).toList();
      assertClose(Tensor.wrap(strided, strided.length), eval(expr, o, ops), Tolerance.FLOAT64,
          what);
      // Step 5: a conv index left out of the output is summed.
      double sum = java.util.Arrays.stream(strided).sum();
      assertClose(Tensor.scalar(sum), eval("i" + ",i".repeat(m - 1) + "->|i", o, ops),
          Tolerance.FLOAT64, what + " summed");
    }
  }

  @Test
  void fullConvolutionIsCommutativeAndAssociative() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (Padding p : List.of(Padding.FULL, Padding.CIRCULAR)) {
      ConvOptions o = ConvOptions.DEFAULT.with("i", ConvSpec.DEFAULT.withPadding(p));
      for (int i = 0; i < 100; i++) {
        Tensor a = vector(rnd, rnd.nextInt(1, 7));
        Tensor b = vector(rnd, rnd.nextInt(1, 7));
        Tensor c = vector(rnd, rnd.nextInt(1, 7));
        assertClose(eval("i,i->i|i", o, a, b), eval("i,i->i|i", o, b, a), Tolerance.FLOAT64,
            p + " commutative " + a + " " + b);
        if (p == Padding.FULL) {
          Tensor three = eval("i,i,i->i|i", o, a, b, c);
          assertClose(three, eval("i,i->i|i", o, eval("i,i->i|i", o, a, b), c),
              Tolerance.FLOAT64, "FULL (ab)c");
          assertClose(three, eval("i,i->i|i", o, a, eval("i,i->i|i", o, b, c)),
              Tolerance.FLOAT64, "FULL a(bc)");
        } else {
          // Circular wraps with period max n, so nesting two calls is only the 3-way call when
          // all lengths agree; each call then shifts by floor((n-1)/2), the 3-way one by n-1:
          // equal for odd n, one apart for even n.
          int n = a.size();
          Tensor b2 = vector(rnd, n);
          Tensor c2 = vector(rnd, n);
          Tensor three = eval("i,i,i->i|i", o, a, b2, c2);
          Tensor left = eval("i,i->i|i", o, eval("i,i->i|i", o, a, b2), c2);
          Tensor right = eval("i,i->i|i", o, a, eval("i,i->i|i", o, b2, c2));
          assertClose(left, right, Tolerance.FLOAT64, "CIRCULAR (ab)c vs a(bc)");
          int shift = n % 2 == 1 ? 0 : 1;
          double[] rolled = new double[n];
          for (int y = 0; y < n; y++) {
            rolled[y] = left.getFlat((y + shift) % n);
          }
          assertClose(three, Tensor.wrap(rolled, n), Tolerance.FLOAT64, "CIRCULAR 3-way n=" + n);
        }
      }
    }
  }

  /**
   * PyTorch conv2d semantics, written as the textbook loop: out[b,t,y,z] = sum_{s,k,l}
   * x[b,s,y*sh - ph + dh*k, z*sw - pw + dw*l] * w[t,s,k,l], zero outside the signal.
   */
  @Test
  void crossCorrelation2dEqualsTheTextbookLoop() {
    SplittableRandom rnd = new SplittableRandom(2024);
    for (int i = 0; i < 150; i++) {
      int[] hw = {rnd.nextInt(1, 7), rnd.nextInt(1, 7)};
      int[] khw = {rnd.nextInt(1, 4), rnd.nextInt(1, 4)};
      int[] pad = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
      int[] st = {rnd.nextInt(1, 4), rnd.nextInt(1, 4)};
      int[] dil = {rnd.nextInt(1, 3), rnd.nextInt(1, 3)};
      int[] outLen = new int[2];
      boolean ok = true;
      for (int a = 0; a < 2; a++) {
        int span = hw[a] + 2 * pad[a] - dil[a] * (khw[a] - 1);
        ok &= span >= 1;
        outLen[a] = (span - 1) / st[a] + 1; // PyTorch's floor((n + 2p - d(k-1) - 1)/s) + 1
      }
      if (!ok) {
        continue;
      }
      int bs = rnd.nextInt(1, 3);
      int ch = rnd.nextInt(1, 3);
      int to = rnd.nextInt(1, 3);
      Tensor x = Tensor.random(DType.FLOAT64, i, bs, ch, hw[0], hw[1]);
      Tensor w = Tensor.random(DType.FLOAT64, 1000 + i, to, ch, khw[0], khw[1]);
      double[] want = new double[bs * to * outLen[0] * outLen[1]];
      int o = 0;
      for (int b = 0; b < bs; b++) {
        for (int t = 0; t < to; t++) {
          for (int y = 0; y < outLen[0]; y++) {
            for (int z = 0; z < outLen[1]; z++) {
              double acc = 0;
              for (int s = 0; s < ch; s++) {
                for (int k = 0; k < khw[0]; k++) {
                  for (int l = 0; l < khw[1]; l++) {
                    int yy = y * st[0] - pad[0] + dil[0] * k;
                    int zz = z * st[1] - pad[1] + dil[1] * l;
                    if (yy >= 0 && yy < hw[0] && zz >= 0 && zz < hw[1]) {
                      acc += x.get(b, s, yy, zz) * w.get(t, s, k, l);
                    }
                  }
                }
              }
              want[o++] = acc;
            }
          }
        }
      }
      ConvOptions opts = ConvOptions.DEFAULT.withKind(ConvKind.CROSS_CORRELATION)
          .with("h", new ConvSpec(Padding.explicit(pad[0], pad[0]), st[0], dil[0]))
          .with("w", new ConvSpec(Padding.explicit(pad[1], pad[1]), st[1], dil[1]));
      Tensor got = eval("bshw,tshw->bthw|hw", opts, x, w);
      assertClose(Tensor.wrap(want, bs, to, outLen[0], outLen[1]), got, Tolerance.FLOAT64,
          "conv2d " + opts);
    }
  }

  /** ceil(L/s) of SPEC equals PyTorch's floor((L-1)/s)+1, and the shapes agree everywhere. */
  @Test
  void boundShapesMatchTheEvaluatedShapes() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 200; i++) {
      Case c = RandomExpressions.next(rnd, Settings.CONV.withMaxWork(400));
      BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
          c.convOptions(), c.shapes());
      Tensor got = ReferenceEvaluator.evaluate(b, c.operands(i));
      assertArrayEquals(b.outputShape(), got.shape(), c.toString());
      List<Tensor> grads = ReferenceEvaluator.vjp(b, c.operands(i),
          Tensor.random(DType.FLOAT64, i, b.outputShape()));
      List<long[]> gradShapes = new ArrayList<>();
      grads.forEach(g -> gradShapes.add(g.shape()));
      for (int k = 0; k < gradShapes.size(); k++) {
        assertArrayEquals(c.shapes().get(k), gradShapes.get(k), c + " grad " + k);
      }
      assertEquals(c.inputs().size(), grads.size());
    }
  }
}
