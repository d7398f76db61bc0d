package dev.conveinsum.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.geometry.ConvGeometry;
import dev.conveinsum.testing.SpecOracle.Crop;
import dev.conveinsum.testing.SpecOracle;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The closed-form positions, stored lengths and pair counts of {@link ConvGeometry} against a
 * brute-force enumeration of tap tuples written here from SPEC sections 3 and 4, on random small
 * geometries: every padding mode, stride, dilation, both kinds, 2 to 5 holders.
 */
class ConvGeometryCountsTest {

  /** Everything the oracle needs, computed from the SPEC table by {@link SpecOracle}. */
  private record Oracle(int[] n, int d, int s, boolean conv, boolean circular, Crop crop,
      Map<Long, int[]> cache) {
    int tap(int r, int t) {
      if (r == 0) {
        return t;
      }
      return conv ? d * t : d * (n[r] - 1 - t);
    }

    boolean kept(long x) {
      if (x < 0 || x >= crop.fullLength()) {
        return false;
      }
      long y = x - crop.offset();
      if (circular) {
        y = Math.floorMod(y, crop.length());
      }
      return y >= 0 && y < crop.length() && y % s == 0;
    }

    int[] sums(long mask) {
      int[] acc = {0};
      for (int r = 0; r < n.length; r++) {
        if ((mask & (1L << r)) == 0) {
          continue;
        }
        TreeSet<Integer> next = new TreeSet<>();
        for (int a : acc) {
          for (int t = 0; t < n[r]; t++) {
            next.add(a + tap(r, t));
          }
        }
        acc = next.stream().mapToInt(Integer::intValue).toArray();
      }
      return acc;
    }

    int[] positions(long mask) {
      return cache.computeIfAbsent(mask, k -> {
        long all = (1L << n.length) - 1;
        int[] rest = sums(all & ~k);
        return Arrays.stream(sums(k)).filter(x -> Arrays.stream(rest).anyMatch(r -> kept(x + r)))
            .toArray();
      });
    }

    long pairs(long u, long v) {
      boolean[] keep = new boolean[2 * crop.fullLength() + 2];
      for (int x : positions(u | v)) {
        keep[x] = true;
      }
      long c = 0;
      for (int a : positions(u)) {
        for (int b : positions(v)) {
          if (keep[a + b]) {
            c++;
          }
        }
      }
      return c;
    }
  }

  @Test
  void closedFormsEqualEnumeration() {
    SplittableRandom rnd = new SplittableRandom(12);
    String[] modes = {"MAX", "SAME", "FULL", "VALID", "CIRCULAR", "EXPLICIT"};
    int checked = 0;
    int pairsChecked = 0;
    int refusals = 0;
    for (int i = 0; i < 600; i++) {
      int m = rnd.nextInt(2, 6);
      int[] n = new int[m];
      boolean longer = rnd.nextInt(8) == 0;
      for (int r = 0; r < m; r++) {
        n[r] = rnd.nextInt(1, longer ? 40 : 8);
      }
      int s = rnd.nextInt(6) == 0 ? rnd.nextInt(17, 60) : rnd.nextInt(1, 6);
      int d = rnd.nextInt(6) == 0 ? rnd.nextInt(17, 40) : rnd.nextInt(1, 6);
      boolean conv = rnd.nextBoolean();
      String mode = modes[rnd.nextInt(m == 2 ? 6 : 5)];
      Object json = mode.equals("EXPLICIT") ? List.of(rnd.nextInt(0, 6), rnd.nextInt(0, 6)) : mode;
      Padding padding = json instanceof List<?> l
          ? Padding.explicit((Integer) l.get(0), (Integer) l.get(1)) : Padding.named(mode);
      Crop crop = SpecOracle.crop(n, json, s, d, conv);
      if (crop.length() < 1) {
        continue;
      }
      int[] holders = new int[m];
      Arrays.setAll(holders, r -> r);
      ConvGeometry g = new ConvGeometry("i", holders, n, new ConvSpec(padding, s, d),
          conv ? ConvKind.CONVOLUTION : ConvKind.CROSS_CORRELATION);
      Oracle o = new Oracle(n, d, s, conv, mode.equals("CIRCULAR"), crop, new HashMap<>());
      String what = Arrays.toString(n) + " " + mode + " s=" + s + " d=" + d + " conv=" + conv;
      long all = (1L << m) - 1;
      if (m > 2 && refused(g)) {
        refusals++;
        continue;
      }
      for (long mask = 1; mask <= all; mask++) {
        int[] want = o.positions(mask);
        if (m > 2 || mask == all) {
          assertArrayEquals(want, g.positions(mask), what + " mask " + mask);
          long[] hull = g.hull(mask);
          if (want.length > 0) {
            long step = 0;
            for (int x : want) {
              step = gcd(step, x - want[0]);
            }
            step = Math.max(1, step);
            assertArrayEquals(new long[] {want[0], step,
                (want[want.length - 1] - want[0]) / step + 1}, hull, what + " mask " + mask);
          }
        }
        if (Long.bitCount(mask) > 1 && mask != all) {
          assertEquals(want.length, g.storedLength(mask), what + " mask " + mask);
        }
        for (long v = mask + 1; v <= all; v++) {
          if ((v & mask) == 0 && (m <= 4 || rnd.nextInt(4) == 0)) {
            assertEquals(o.pairs(mask, v), g.pairs(mask, v), what + " " + mask + "x" + v);
            pairsChecked++;
          }
        }
      }
      checked++;
    }
    assertTrue(checked > 400 && pairsChecked > 5000 && refusals < 5,
        checked + " geometries, " + pairsChecked + " pair counts, " + refusals + " refused");
  }

  /** Whether planning the index is refused (no small period and too long to list). */
  private static boolean refused(ConvGeometry g) {
    try {
      g.storedLength(3);
      return false;
    } catch (ConvEinsumException e) {
      assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
      return true;
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? Math.abs(a) : gcd(b, a % b);
  }

  private static ConvGeometry line(int[] n, ConvSpec spec) {
    int[] holders = new int[n.length];
    Arrays.setAll(holders, r -> r);
    return new ConvGeometry("i", holders, n, spec, ConvKind.CONVOLUTION);
  }

  @Test
  void largeConvolutionsAreCountedWithoutEnumerating() {
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      // 131072 samples, 2 taps, MAX: L_full 131073, L 131072, offset 0. Tap 0 meets every
      // sample, tap 1 every sample but the last: 131072 + 131071 pairs.
      assertEquals(262_143, line(new int[] {131_072, 2}, ConvSpec.DEFAULT).pairs(1, 2));
      // 10^6 samples against a 10^6-tap filter, FULL: every pair lands, 10^12 of them.
      assertEquals(1_000_000L * 1_000_000L, line(new int[] {1_000_000, 1_000_000},
          new ConvSpec(Padding.FULL, 1, 1)).pairs(1, 2));
      // 2 taps each, dilation 268435455, MAX: L_full = 2 + 268435456 - 1, L = 268435456,
      // offset floor(1/2) = 0; of the sums 0, 1, d, d + 1 only d + 1 falls past L.
      assertEquals(3, line(new int[] {2, 2}, new ConvSpec(Padding.MAX, 1, 268_435_455))
          .pairs(1, 2));
      // Three operands of 2 taps, dilation 2^20, FULL: sums of (0|1) + (0|d) + (0|d), all kept;
      // the pair (signal, filter) keeps 2 x 2 = 4 positions, each reaching the output.
      ConvGeometry three = line(new int[] {2, 2, 2}, new ConvSpec(Padding.FULL, 1, 1 << 20));
      assertEquals(4, three.pairs(1, 2));
      assertEquals(4, three.storedLength(3));
      // Stride 2147483647 on L = 5: one output position.
      assertEquals(1, line(new int[] {5, 3}, new ConvSpec(Padding.MAX, Integer.MAX_VALUE, 1))
          .outputLength());
      // 62 holders of length 3, FULL: any two holders keep all 5 sums of their taps.
      int[] n62 = new int[62];
      Arrays.fill(n62, 3);
      ConvGeometry many = line(n62, new ConvSpec(Padding.FULL, 1, 1));
      assertEquals(5, many.storedLength(0b11));
      assertEquals(9, many.pairs(1L << 5, 1L << 40));
    });
  }

  @Test
  void tooLongIsRefusedWithDoesNotFit() {
    int[] n = new int[10];
    Arrays.fill(n, 2);
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> line(n, new ConvSpec(Padding.FULL, 1, 268_435_455)));
    assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains("2147483647"),
        e.getMessage());
  }
}
