package dev.conveinsum.geometry;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Position-by-position sets, for indices whose stride and dilation share no small period and
 * whose full length is at most {@link ConvGeometry#BRUTE_LIMIT}.
 */
final class BruteSets {
  private final ConvGeometry g;
  private final BitSet keptFull;
  private final ConcurrentHashMap<Long, int[]> cache = new ConcurrentHashMap<>();

  BruteSets(ConvGeometry g) {
    this.g = g;
    this.keptFull = new BitSet(g.fullLength());
    for (int x = 0; x < g.fullLength(); x++) {
      if (g.outputPosition(x) >= 0) {
        keptFull.set(x);
      }
    }
  }

  int[] positions(long mask) {
    return cache.computeIfAbsent(mask, this::compute);
  }

  private int[] compute(long mask) {
    BitSet in = sumSet(mask);
    BitSet rest = sumSet(g.allHolders() & ~mask);
    BitSet reach = new BitSet(g.fullLength());
    for (int r = rest.nextSetBit(0); r >= 0; r = rest.nextSetBit(r + 1)) {
      for (int k = keptFull.nextSetBit(r); k >= 0; k = keptFull.nextSetBit(k + 1)) {
        reach.set(k - r);
      }
    }
    in.and(reach);
    return in.stream().toArray();
  }

  private BitSet sumSet(long mask) {
    BitSet acc = new BitSet();
    acc.set(0);
    for (int r = 0; r < g.holderCount(); r++) {
      if ((mask & (1L << r)) == 0) {
        continue;
      }
      BitSet next = new BitSet();
      for (int a = acc.nextSetBit(0); a >= 0; a = acc.nextSetBit(a + 1)) {
        for (int t = 0; t < g.length(r); t++) {
          next.set(a + g.realPosition(r, t));
        }
      }
      acc = next;
    }
    return acc;
  }

  long pairs(long maskU, long maskV) {
    int[] u = positions(maskU);
    int[] v = positions(maskV);
    BitSet keep = new BitSet(g.fullLength());
    for (int x : positions(maskU | maskV)) {
      keep.set(x);
    }
    long count = 0;
    for (int a : u) {
      for (int b : v) {
        if (keep.get(a + b)) {
          count++;
        }
      }
    }
    return count;
  }
}
