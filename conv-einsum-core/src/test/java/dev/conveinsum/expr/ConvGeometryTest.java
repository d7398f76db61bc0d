package dev.conveinsum.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.geometry.ConvGeometry;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.SpecOracle.Crop;
import dev.conveinsum.testing.SpecOracle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ConvGeometry} against the SPEC section 3 table, computed here. */
class ConvGeometryTest {

  @Test
  void lengthsOffsetsAndShapesFollowTheTable() {
    SplittableRandom rnd = new SplittableRandom(5);
    String[] modes = {"MAX", "SAME", "FULL", "VALID", "CIRCULAR", "EXPLICIT"};
    int checked = 0;
    for (int i = 0; i < 600; i++) {
      int m = rnd.nextInt(2, 5);
      int[] n = new int[m];
      for (int r = 0; r < m; r++) {
        n[r] = rnd.nextInt(1, 9);
      }
      int s = rnd.nextInt(1, 4);
      int d = rnd.nextInt(1, 4);
      boolean conv = rnd.nextBoolean();
      String mode = modes[rnd.nextInt(m == 2 ? 6 : 5)];
      Object jsonPadding = mode.equals("EXPLICIT")
          ? List.of(rnd.nextInt(0, 4), rnd.nextInt(0, 4)) : mode;
      Padding padding = jsonPadding instanceof List<?> l
          ? Padding.explicit((Integer) l.get(0), (Integer) l.get(1)) : Padding.named(mode);
      Crop want = SpecOracle.crop(n, jsonPadding, s, d, conv);
      ConvSpec spec = new ConvSpec(padding, s, d);
      ConvKind kind = conv ? ConvKind.CONVOLUTION : ConvKind.CROSS_CORRELATION;
      int[] holders = new int[m];
      Arrays.setAll(holders, r -> r);
      if (want.length() < 1) {
        ConvEinsumException e = assertThrows(ConvEinsumException.class,
            () -> new ConvGeometry("i", holders, n, spec, kind));
        assertTrue(e.getMessage().contains("leaves no output"), e.getMessage());
        continue;
      }
      ConvGeometry g = new ConvGeometry("i", holders, n, spec, kind);
      String what = Arrays.toString(n) + " " + spec + " " + kind;
      assertEquals(want.fullLength(), g.fullLength(), what);
      assertEquals(want.length(), g.cropLength(), what);
      assertEquals(want.offset(), g.offset(), what);
      assertEquals(want.outputLength(), g.outputLength(), what);
      // Where each full position lands: crop (or wrap), then keep every s-th.
      for (int x = 0; x < want.fullLength(); x++) {
        int y = x - want.offset();
        if (padding.mode() == Padding.Mode.CIRCULAR) {
          y = Math.floorMod(y, want.length());
        }
        int expect = y < 0 || y >= want.length() || y % s != 0 ? -1 : y / s;
        assertEquals(expect, g.outputPosition(x), what + " x=" + x);
      }
      // The same numbers through binding and evaluation: "i,i,..->i|i".
      ConvOptions o = new ConvOptions(kind, java.util.Map.of()).with("i", spec);
      List<long[]> shapes = new ArrayList<>();
      List<Tensor> ops = new ArrayList<>();
      for (int r = 0; r < m; r++) {
        shapes.add(new long[] {n[r]});
        ops.add(Tensor.random(DType.FLOAT64, i * 10 + r, n[r]));
      }
      BoundExpression b = BoundExpression.bind(
          Expression.parse("i" + ",i".repeat(m - 1) + "->i|i"), o, shapes);
      assertArrayEquals(new long[] {want.outputLength()}, b.outputShape(), what);
      assertArrayEquals(new long[] {want.outputLength()},
          ReferenceEvaluator.evaluate(b, ops).shape(), what);
      checked++;
    }
    assertTrue(checked > 400, "only " + checked + " valid geometries");
  }

  @Test
  void tableSpotChecks() {
    // Signal 7, filter 4: L_full = 10; MAX L = 7, extra 3: CONVOLUTION floor -> 1,
    // CROSS_CORRELATION ceil -> 2 (PyTorch 'same' puts the extra zero on the right).
    int[] n = {7, 4};
    ConvGeometry conv = new ConvGeometry("i", new int[] {0, 1}, n, ConvSpec.DEFAULT,
        ConvKind.CONVOLUTION);
    ConvGeometry cc = new ConvGeometry("i", new int[] {0, 1}, n, ConvSpec.DEFAULT,
        ConvKind.CROSS_CORRELATION);
    assertEquals(10, conv.fullLength());
    assertEquals(7, conv.cropLength());
    assertEquals(1, conv.offset());
    assertEquals(2, cc.offset());
    // Stride 3 on L = 7: ceil(7/3) = 3.
    assertEquals(3, new ConvGeometry("i", new int[] {0, 1}, n, ConvSpec.DEFAULT.withStride(3),
        ConvKind.CONVOLUTION).outputLength());
    // The signal is never dilated: n = {3, 2}, d = 3 -> n' = {3, 4}, FULL = 3 + 4 - 1 = 6.
    assertEquals(6, new ConvGeometry("i", new int[] {0, 1}, new int[] {3, 2},
        new ConvSpec(Padding.FULL, 1, 3), ConvKind.CONVOLUTION).outputLength());
    // Filters sit at d*t, reversed for cross-correlation.
    ConvGeometry dil = new ConvGeometry("i", new int[] {0, 1}, new int[] {3, 3},
        new ConvSpec(Padding.FULL, 1, 2), ConvKind.CROSS_CORRELATION);
    assertEquals(4, dil.realPosition(1, 0));
    assertEquals(0, dil.realPosition(1, 2));
    assertEquals(2, dil.realPosition(0, 2));
  }

  @Test
  void explicitPaddingNeedsTwoHolders() {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, () -> new ConvGeometry("h",
        new int[] {0, 2, 3}, new int[] {5, 3, 3}, ConvSpec.DEFAULT.withPadding(
            Padding.explicit(1, 1)), ConvKind.CONVOLUTION));
    assertTrue(e.getMessage().contains("needs exactly 2 operands holding it; it occurs in 3"
        + " (operands [0, 2, 3])"), e.getMessage());
  }
}
