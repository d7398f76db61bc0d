package dev.conveinsum.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvKind;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numbers worked out by hand (EJML's "known case"): they anchor the oracle itself. Every expected
 * array below is derived in the comment next to it from SPEC section 3 and checked against the
 * PyTorch / numpy reading where one exists.
 */
class HandComputedConvTest {
  static final ConvKind CONV = ConvKind.CONVOLUTION;
  static final ConvKind CC = ConvKind.CROSS_CORRELATION;
  static final double[] X = {1, 2, 3, 4};
  static final double[] W = {1, 10};
  static final double[] X5 = {1, 2, 3, 4, 5};

  static Arguments c(String name, double[] x, double[] w, ConvKind kind, Padding p, int stride,
      int dilation, double[] want) {
    return Arguments.of(name, x, w, kind, new ConvSpec(p, stride, dilation), want);
  }

  static List<Arguments> oneDimensional() {
    return List.of(
        // CONVOLUTION, x = [1,2,3,4], w = [1,10]: F[k] = sum_i x[i] w[k-i]
        //   F = [1*1, 1*10+2*1, 2*10+3*1, 3*10+4*1, 4*10] = [1, 12, 23, 34, 40], L_full = 5.
        c("conv FULL", X, W, CONV, Padding.FULL, 1, 1, new double[] {1, 12, 23, 34, 40}),
        // MAX: L = max(4, 2) = 4, offset floor(1/2) = 0 (numpy.convolve 'same').
        c("conv MAX", X, W, CONV, Padding.MAX, 1, 1, new double[] {1, 12, 23, 34}),
        // SAME: L = n_1 = 4, offset as MAX.
        c("conv SAME", X, W, CONV, Padding.SAME, 1, 1, new double[] {1, 12, 23, 34}),
        // VALID: L = 2*4 - 5 = 3, offset 5 - 4 = 1 (numpy.convolve 'valid').
        c("conv VALID", X, W, CONV, Padding.VALID, 1, 1, new double[] {12, 23, 34}),
        // CIRCULAR: L = 4, offset 0, wrap: out[0] = F[0] + F[4] = 41 (cyclic conv with
        //   [1,10,0,0]: x0*1 + x3*10 = 41).
        c("conv CIRCULAR", X, W, CONV, Padding.CIRCULAR, 1, 1, new double[] {41, 12, 23, 34}),
        // explicit (2, 0): L = 4+2-2+1 = 5, offset 2-1-2 = -1 -> [F[-1]=0, F0..F3]; i.e. pad
        //   x to [0,0,1,2,3,4] and slide the flipped filter [10,1].
        c("conv [2,0]", X, W, CONV, Padding.explicit(2, 0), 1, 1,
            new double[] {0, 1, 12, 23, 34}),
        // explicit (0, 0) = VALID for m = 2.
        c("conv [0,0]", X, W, CONV, Padding.explicit(0, 0), 1, 1, new double[] {12, 23, 34}),
        // MAX, stride 2: [1, 12, 23, 34] at 0 and 2.
        c("conv MAX s2", X, W, CONV, Padding.MAX, 2, 1, new double[] {1, 23}),
        // Signal shorter than filter: a = [1,2], b = [1,10,100]: F = [1, 12, 120, 200].
        //   MAX: L = 3, offset floor(1/2) = 0 -> [1, 12, 120]; SAME: L = 2, offset 1.
        c("conv MAX short signal", new double[] {1, 2}, new double[] {1, 10, 100}, CONV,
            Padding.MAX, 1, 1, new double[] {1, 12, 120}),
        c("conv SAME short signal", new double[] {1, 2}, new double[] {1, 10, 100}, CONV,
            Padding.SAME, 1, 1, new double[] {12, 120}),
        // ... CIRCULAR: L = 3, offset 0, out[0] = F0 + F3 = 201.
        c("conv CIRCULAR short signal", new double[] {1, 2}, new double[] {1, 10, 100}, CONV,
            Padding.CIRCULAR, 1, 1, new double[] {201, 12, 120}),
        // Dilation 2, x = [1..5], w = [1,10] -> w' = [1,0,10]; F[k] = x[k] + 10 x[k-2]
        //   = [1, 2, 13, 24, 35, 40, 50], L_full = 7.
        c("conv FULL d2", X5, W, CONV, Padding.FULL, 1, 2,
            new double[] {1, 2, 13, 24, 35, 40, 50}),
        // MAX: L = 5, offset floor(2/2) = 1.
        c("conv MAX d2", X5, W, CONV, Padding.MAX, 1, 2, new double[] {2, 13, 24, 35, 40}),
        // VALID: L = 10 - 7 = 3, offset 2.
        c("conv VALID d2", X5, W, CONV, Padding.VALID, 1, 2, new double[] {13, 24, 35}),
        // FULL, stride 2, dilation 2: positions 0, 2, 4, 6.
        c("conv FULL s2 d2", X5, W, CONV, Padding.FULL, 2, 2, new double[] {1, 13, 35, 50}),

        // CROSS_CORRELATION: the filter is reversed, [10, 1]; F[k] = 10 x[k] + x[k-1]
        //   = [10, 21, 32, 43, 4]. PyTorch: out[y] = sum_k x[y - p + k] w[k].
        // FULL = PyTorch padding 1 on both sides: 10, 1+20, 2+30, 3+40, 4.
        c("cc FULL", X, W, CC, Padding.FULL, 1, 1, new double[] {10, 21, 32, 43, 4}),
        // MAX: L = 4, offset ceil(1/2) = 1 (PyTorch 'same' pads 0 left, 1 right).
        c("cc MAX", X, W, CC, Padding.MAX, 1, 1, new double[] {21, 32, 43, 4}),
        c("cc SAME", X, W, CC, Padding.SAME, 1, 1, new double[] {21, 32, 43, 4}),
        // VALID: L = 3, offset 1 (PyTorch padding 0).
        c("cc VALID", X, W, CC, Padding.VALID, 1, 1, new double[] {21, 32, 43}),
        // CIRCULAR: L = 4, offset 1: out[y] = sum F[x], x = y+1 mod 4: out[3] = F0 + F4 = 14
        //   (PyTorch padding_mode='circular': x padded to [1,2,3,4,1], 4*1 + 1*10 = 14).
        c("cc CIRCULAR", X, W, CC, Padding.CIRCULAR, 1, 1, new double[] {21, 32, 43, 14}),
        // explicit (1, 0): L = 4+1-2+1 = 4, offset 2-1-1 = 0: PyTorch pad left 1,
        //   [0,1,2,3,4]: 0*1+1*10, 1+20, 2+30, 3+40.
        c("cc [1,0]", X, W, CC, Padding.explicit(1, 0), 1, 1, new double[] {10, 21, 32, 43}),
        // FULL, stride 2: F at 0, 2, 4.
        c("cc FULL s2", X, W, CC, Padding.FULL, 2, 1, new double[] {10, 32, 4}),
        // Dilation 2: reversed dilated filter [10, 0, 1], F[k] = 10 x[k] + x[k-2]
        //   = [10, 20, 31, 42, 53, 4, 5]. Explicit (1, 1): L = 5+2-3+1 = 5, offset 3-1-1 = 1;
        //   PyTorch: [0,1,2,3,4,5,0], out[y] = p[y] + 10 p[y+2] = 20, 31, 42, 53, 4.
        c("cc [1,1] d2", X5, W, CC, Padding.explicit(1, 1), 1, 2,
            new double[] {20, 31, 42, 53, 4}),
        // ... with stride 2: y = 0, 2, 4.
        c("cc [1,1] s2 d2", X5, W, CC, Padding.explicit(1, 1), 2, 2, new double[] {20, 42, 4}),
        // MAX d2: L = 5, offset ceil(2/2) = 1 = PyTorch 'same' (pads 1 and 1).
        c("cc MAX d2", X5, W, CC, Padding.MAX, 1, 2, new double[] {20, 31, 42, 53, 4}));
  }

  private static Tensor eval(String expr, ConvOptions o, Tensor... ops) {
    List<Tensor> l = List.of(ops);
    return ReferenceEvaluator.evaluate(BoundExpression.bind(Expression.parse(expr), o,
        l.stream().map(Tensor::shape).toList()), l);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oneDimensional")
  void oneDimensional(String name, double[] x, double[] w, ConvKind kind, ConvSpec spec,
      double[] want) {
    ConvOptions o = new ConvOptions(kind, java.util.Map.of()).with("i", spec);
    Tensor got = eval("i,i->i|i", o, Tensor.of(x, x.length), Tensor.of(w, w.length));
    assertArrayEquals(new long[] {want.length}, got.shape(), name);
    assertArrayEquals(want, got.toDoubleArray(), 1e-12, name);
    // Summing the conv index instead of keeping it (SPEC section 3, step 5).
    double sum = java.util.Arrays.stream(want).sum();
    assertArrayEquals(new double[] {sum}, eval("i,i->|i", o, Tensor.of(x, x.length),
        Tensor.of(w, w.length)).toDoubleArray(), 1e-12, name + " summed");
  }

  static List<Arguments> twoDimensional() {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], VALID in both directions.
    // CROSS_CORRELATION: out[y][z] = sum_kl x[y+k][z+l] w[k][l]:
    //   (0,0) 1+4+12+20 = 37, (0,1) 2+6+15+24 = 47, (1,0) 4+10+21+32 = 67, (1,1) 5+12+24+36 = 77.
    // CONVOLUTION flips w to [[4,3],[2,1]]:
    //   (0,0) 4+6+8+5 = 23, (0,1) 8+9+10+6 = 33, (1,0) 16+15+14+8 = 53, (1,1) 20+18+16+9 = 63.
    // CROSS_CORRELATION FULL along h, VALID along w: PyTorch padding (1, 0):
    //   row -1: x[0][z..z+1] . w[1] = (1*3+2*4, 2*3+3*4) = (11, 18); rows 0, 1 as above;
    //   row 2: x[2][z..z+1] . w[0] = (7+16, 8+18) = (23, 26).
    return List.of(
        Arguments.of(CC, Padding.VALID, Padding.VALID, new long[] {2, 2},
            new double[] {37, 47, 67, 77}),
        Arguments.of(CONV, Padding.VALID, Padding.VALID, new long[] {2, 2},
            new double[] {23, 33, 53, 63}),
        Arguments.of(CC, Padding.FULL, Padding.VALID, new long[] {4, 2},
            new double[] {11, 18, 37, 47, 67, 77, 23, 26}));
  }

  @ParameterizedTest(name = "{0} h={1} w={2}")
  @MethodSource("twoDimensional")
  void twoDimensional(ConvKind kind, Padding ph, Padding pw, long[] shape, double[] want) {
    Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
    Tensor w = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    ConvOptions o = new ConvOptions(kind, java.util.Map.of())
        .with("h", ConvSpec.DEFAULT.withPadding(ph)).with("w", ConvSpec.DEFAULT.withPadding(pw));
    Tensor got = eval("hw,hw->hw|hw", o, x, w);
    assertArrayEquals(shape, got.shape());
    assertArrayEquals(want, got.toDoubleArray(), 1e-12);
    // With a batch and channel: out[b,t] = sum_s conv(x[b,s], w[t,s]); channel 1 is channel 0
    // times 10 in x and 0 in w, so it adds nothing.
    double[] xb = new double[18];
    for (int i = 0; i < 9; i++) {
      xb[i] = i + 1;
      xb[9 + i] = 10 * (i + 1);
    }
    double[] wb = {1, 2, 3, 4, 0, 0, 0, 0};
    Tensor got4 = eval("bshw,tshw->bthw|hw", o, Tensor.of(xb, 1, 2, 3, 3),
        Tensor.of(wb, 1, 2, 2, 2));
    assertArrayEquals(new long[] {1, 1, shape[0], shape[1]}, got4.shape());
    assertArrayEquals(want, got4.toDoubleArray(), 1e-12);
  }

  /**
   * Three-way, x = [1,2,3], a = b = [1,1]: F = [1,2,3]*[1,1]*[1,1] = [1,3,5,3]*[1,1]
   * = [1,4,8,8,3], L_full = 5. MAX: L = 3, offset 1 -> [4,8,8]; VALID: L = 6-5 = 1, offset 2
   * -> [8]; CIRCULAR: L = 3, offset 1, out[y] = sum F[x], x = y+1 mod 3: out[0] = F1 + F4 = 7,
   * out[1] = F2 = 8, out[2] = F0 + F3 = 9.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("threeWay")
  void threeWay(Padding p, double[] want) {
    ConvOptions o = ConvOptions.DEFAULT.with("i", ConvSpec.DEFAULT.withPadding(p));
    Tensor one = Tensor.of(new double[] {1, 1}, 2);
    Tensor got = eval("i,i,i->i|i", o, Tensor.of(new double[] {1, 2, 3}, 3), one, one);
    assertArrayEquals(want, got.toDoubleArray(), 1e-12);
  }

  static List<Arguments> threeWay() {
    return List.of(
        Arguments.of(Padding.FULL, new double[] {1, 4, 8, 8, 3}),
        Arguments.of(Padding.MAX, new double[] {4, 8, 8}),
        Arguments.of(Padding.SAME, new double[] {4, 8, 8}),
        Arguments.of(Padding.VALID, new double[] {8}),
        Arguments.of(Padding.CIRCULAR, new double[] {7, 8, 9}));
  }
}
