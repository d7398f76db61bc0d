package dev.conveinsum.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.ConvSpec;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.expr.Padding;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Sizes past int and long are refused with "does not fit" before anything is allocated. */
class CheckedSizesTest {

  private static void refused(Executable call, String... parts) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, call);
    assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
  }

  @Test
  void strideNearIntMaxEvaluatesLikeTheReference() {
    ConvOptions o = ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.MAX, Integer.MAX_VALUE,
        1));
    Tensor x = Tensor.random(DType.FLOAT64, 1, 5);
    Tensor w = Tensor.random(DType.FLOAT64, 2, 3);
    BoundExpression b = BoundExpression.bind(Expression.parse("i,i->i|i"), o,
        List.of(new long[] {5}, new long[] {3}));
    assertArrayEquals(new long[] {1}, b.outputShape());
    Tensor got = ConvEinsum.einsum("i,i->i|i", o, x, w);
    Tolerance.assertClose(ReferenceEvaluator.evaluate(b, List.of(x, w)), got, Tolerance.FLOAT64,
        "stride 2^31-1");
  }

  @Test
  void tenHugelyDilatedOperandsDoNotFit() {
    long[][] shapes = new long[10][];
    Arrays.fill(shapes, new long[] {2});
    refused(() -> ConvEinsum.path("i" + ",i".repeat(9) + "->i|i",
        ConvOptions.DEFAULT.with("i", new ConvSpec(Padding.FULL, 1, 268_435_455)),
        List.of(shapes)), "2147483647", "smaller dilation");
  }

  @Test
  void fortyIndependentOperandsDoNotFit() {
    StringJoiner in = new StringJoiner(",");
    StringBuilder out = new StringBuilder();
    List<long[]> shapes = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      in.add("(x" + k + ")");
      out.append("(x").append(k).append(")");
      shapes.add(new long[] {1000});
    }
    refused(() -> ConvEinsum.compile(in + "->" + out, ConvOptions.DEFAULT, shapes),
        String.valueOf(Tensor.MAX_ELEMENTS));
  }

  @Test
  void hugeTensorsDoNotFit() {
    refused(() -> Tensor.zeros(DType.FLOAT32, 1L << 40, 1L << 40), "[1099511627776, "
        + "1099511627776]");
    refused(() -> Tensor.zeros(DType.FLOAT32, 1L << 20, 1L << 20), "1099511627776 elements");
    refused(() -> ConvEinsum.compile("ij,j->i", ConvOptions.DEFAULT,
        List.of(new long[] {1L << 62, 4}, new long[] {4})), "[4611686018427387904, 4]");
  }

  @Test
  void aRunLargerThanTheHeapIsRefusedBeforeAllocating() {
    long heap = java.lang.Runtime.getRuntime().maxMemory();
    // An outer product whose float64 result is 1.5x the heap but still fits one array.
    long n = (long) Math.ceil(Math.sqrt(heap * 1.5 / 8));
    assumeTrue(n * n <= Tensor.MAX_ELEMENTS, "heap too large for this check");
    CompiledPlan plan = ConvEinsum.compile("i,j->ij", ConvOptions.DEFAULT,
        List.of(new long[] {n}, new long[] {n}));
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> plan.execute(
        List.of(Tensor.random(DType.FLOAT64, 1, n), Tensor.random(DType.FLOAT64, 2, n)), null,
        ConvEinsum.defaults()));
    assertTrue(e.getMessage().contains("does not fit the heap")
        && e.getMessage().contains("MiB"), e.getMessage());
  }

  @Test
  void indexTablesLargerThanTheHeapAreRefused() {
    // Found by the planner fuzzer: an empty operand beside a 2^28-long axis (no elements, but
    // index tables along the axis), and a tiny output behind a padding of 2^28 positions.
    long heap = java.lang.Runtime.getRuntime().maxMemory();
    assumeTrue(heap < 16L << 30, "heap too large for this check");
    refused(() -> ConvEinsum.compile("ab,b->a", ConvOptions.DEFAULT,
        List.of(new long[] {0, 1L << 28}, new long[] {1L << 28})), "heap", "268435456");
    ConvOptions pad = ConvOptions.fromMap(java.util.Map.of("kind", "CROSS_CORRELATION"))
        .with("g", new ConvSpec(Padding.explicit(256_056_388, 2), 1, 3));
    refused(() -> ConvEinsum.compile("ag,abag->a|g", pad, List.of(new long[] {5, 2},
        new long[] {5, 1, 5, 4})), "heap", "256056383 positions", "less padding");
  }
}
