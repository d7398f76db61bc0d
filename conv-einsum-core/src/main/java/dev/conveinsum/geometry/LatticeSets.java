package dev.conveinsum.geometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Exact set arithmetic on the positions of a convolution index, in time that depends on the
 * structure of the sets and not on their size.
 *
 * <p>A set of integers is a union of disjoint rectangles in the coordinates {@code (x div p, x mod
 * p)} for a period {@code p}: an interval is at most three rectangles, an arithmetic progression
 * whose step divides {@code p} is one rectangle per residue. Minkowski sums, negation,
 * intersection, counting and the number of pairs {@code (u, v)} of two sets whose sum lies in a
 * third are computed rectangle by rectangle in closed form (a sum of two rectangles is at most
 * two rectangles: the carry of the residues moves into the quotient). Counts use wrapping
 * {@code long} arithmetic inside inclusion-exclusion; the results themselves fit in a
 * {@code long} because the sets live on {@code [0, 2^31)}, so the wrapped intermediate terms
 * cancel exactly.
 */
final class LatticeSets {
  /** Progressions whose step does not divide the period are listed point by point up to this. */
  static final int MAX_POINTS = 64;

  /**
   * A rectangle {@code {q*p + r : q0 <= q <= q1, r0 <= r <= r1}} with {@code 0 <= r0 <= r1 < p}.
   */
  record Rect(long q0, long q1, long r0, long r1) {}

  private final long p;

  LatticeSets(long period) {
    if (period < 1) {
      throw new IllegalArgumentException("period " + period);
    }
    this.p = period;
  }

  long period() {
    return p;
  }

  /** The interval {@code [lo, hi]} (empty when {@code hi < lo}). */
  List<Rect> interval(long lo, long hi) {
    List<Rect> out = new ArrayList<>(3);
    if (hi < lo) {
      return out;
    }
    long qa = Math.floorDiv(lo, p);
    long ra = Math.floorMod(lo, p);
    long qb = Math.floorDiv(hi, p);
    long rb = Math.floorMod(hi, p);
    if (qa == qb) {
      out.add(new Rect(qa, qa, ra, rb));
      return out;
    }
    long first = qa;
    if (ra > 0) {
      out.add(new Rect(qa, qa, ra, p - 1));
      first++;
    }
    long last = qb;
    if (rb < p - 1) {
      last--;
    }
    if (first <= last) {
      out.add(new Rect(first, last, 0, p - 1));
    }
    if (rb < p - 1) {
      out.add(new Rect(qb, qb, 0, rb));
    }
    return out;
  }

  /** The progression {@code start + step*k, 0 <= k < count}. */
  List<Rect> progression(long start, long step, long count) {
    List<Rect> out = new ArrayList<>();
    if (count <= 0) {
      return out;
    }
    if (count == 1 || step == 1) {
      return interval(start, start + step * (count - 1));
    }
    if (p % step != 0) {
      if (count > MAX_POINTS) {
        throw new IllegalStateException("progression step " + step + " in period " + p);
      }
      for (long k = 0; k < count; k++) {
        out.addAll(interval(start + step * k, start + step * k));
      }
      return normalize(out);
    }
    long t = p / step;
    long columns = Math.min(t, count);
    for (long j = 0; j < columns; j++) {
      long x = start + step * j;
      long cnt = (count - j + t - 1) / t;
      long q = Math.floorDiv(x, p);
      out.add(new Rect(q, q + cnt - 1, Math.floorMod(x, p), Math.floorMod(x, p)));
    }
    return out;
  }

  /** The Minkowski sum {@code {a + b}}. */
  List<Rect> sum(List<Rect> as, List<Rect> bs) {
    List<Rect> out = new ArrayList<>();
    for (Rect a : as) {
      for (Rect b : bs) {
        long q0 = a.q0 + b.q0;
        long q1 = a.q1 + b.q1;
        long lo = a.r0 + b.r0;
        long hi = a.r1 + b.r1;
        if (lo < p) {
          out.add(new Rect(q0, q1, lo, Math.min(hi, p - 1)));
        }
        if (hi >= p) {
          out.add(new Rect(q0 + 1, q1 + 1, Math.max(lo, p) - p, hi - p));
        }
      }
    }
    return normalize(out);
  }

  /** The set {@code {-a}}. */
  List<Rect> negate(List<Rect> as) {
    List<Rect> out = new ArrayList<>();
    for (Rect a : as) {
      long r0 = a.r0;
      if (r0 == 0) {
        out.add(new Rect(-a.q1, -a.q0, 0, 0));
        r0 = 1;
      }
      if (r0 <= a.r1) {
        out.add(new Rect(-a.q1 - 1, -a.q0 - 1, p - a.r1, p - r0));
      }
    }
    return normalize(out);
  }

  /** The intersection (both inputs disjoint unions, so the result is one too). */
  List<Rect> intersect(List<Rect> as, List<Rect> bs) {
    List<Rect> out = new ArrayList<>();
    for (Rect a : as) {
      for (Rect b : bs) {
        long q0 = Math.max(a.q0, b.q0);
        long q1 = Math.min(a.q1, b.q1);
        long r0 = Math.max(a.r0, b.r0);
        long r1 = Math.min(a.r1, b.r1);
        if (q0 <= q1 && r0 <= r1) {
          out.add(new Rect(q0, q1, r0, r1));
        }
      }
    }
    return out;
  }

  /**
   * Rewrites a union of possibly overlapping rectangles as disjoint ones: stripes between the
   * quotient breakpoints, merged residue intervals in each, equal neighbouring stripes joined.
   */
  static List<Rect> normalize(List<Rect> in) {
    if (in.size() <= 1) {
      return new ArrayList<>(in);
    }
    TreeSet<Long> breaks = new TreeSet<>();
    for (Rect r : in) {
      breaks.add(r.q0);
      breaks.add(r.q1 + 1);
    }
    Long[] qs = breaks.toArray(Long[]::new);
    List<Rect> out = new ArrayList<>();
    List<long[]> open = List.of();
    long openFrom = 0;
    long openTo = 0;
    List<long[]> cover = new ArrayList<>();
    for (int i = 0; i + 1 < qs.length; i++) {
      long qa = qs[i];
      long qb = qs[i + 1] - 1;
      cover.clear();
      for (Rect r : in) {
        if (r.q0 <= qa && r.q1 >= qb) {
          cover.add(new long[] {r.r0, r.r1});
        }
      }
      cover.sort(Comparator.comparingLong(x -> x[0]));
      List<long[]> merged = new ArrayList<>();
      for (long[] c : cover) {
        long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (last != null && c[0] <= last[1] + 1) {
          last[1] = Math.max(last[1], c[1]);
        } else {
          merged.add(new long[] {c[0], c[1]});
        }
      }
      if (!open.isEmpty() && openTo == qa - 1 && sameIntervals(open, merged)) {
        openTo = qb;
        continue;
      }
      flush(out, open, openFrom, openTo);
      open = merged;
      openFrom = qa;
      openTo = qb;
    }
    flush(out, open, openFrom, openTo);
    return out;
  }

  private static boolean sameIntervals(List<long[]> a, List<long[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static void flush(List<Rect> out, List<long[]> rs, long from, long to) {
    for (long[] r : rs) {
      out.add(new Rect(from, to, r[0], r[1]));
    }
  }

  /** The number of elements. */
  static long count(List<Rect> as) {
    long c = 0;
    for (Rect a : as) {
      c += (a.q1 - a.q0 + 1) * (a.r1 - a.r0 + 1);
    }
    return c;
  }

  /** The smallest element; the set must not be empty. */
  long min(List<Rect> as) {
    long m = Long.MAX_VALUE;
    for (Rect a : as) {
      m = Math.min(m, a.q0 * p + a.r0);
    }
    return m;
  }

  /** The largest element; the set must not be empty. */
  long max(List<Rect> as) {
    long m = Long.MIN_VALUE;
    for (Rect a : as) {
      m = Math.max(m, a.q1 * p + a.r1);
    }
    return m;
  }

  /** The gcd of the differences between elements (0 for a single element). */
  long gcdStep(List<Rect> as) {
    long x0 = min(as);
    long g = 0;
    for (Rect a : as) {
      if (a.r1 > a.r0) {
        return 1;
      }
      g = gcd(g, a.q0 * p + a.r0 - x0);
      if (a.q1 > a.q0) {
        g = gcd(g, p);
      }
    }
    return g;
  }

  /** The elements, ascending. */
  long[] elements(List<Rect> as) {
    long[] out = new long[Math.toIntExact(count(as))];
    int k = 0;
    for (Rect a : as) {
      for (long q = a.q0; q <= a.q1; q++) {
        for (long r = a.r0; r <= a.r1; r++) {
          out[k++] = q * p + r;
        }
      }
    }
    Arrays.sort(out);
    return out;
  }

  /** The number of pairs {@code (u, v)} in {@code xs} x {@code ys} with {@code u + v} in zs. */
  long pairs(List<Rect> xs, List<Rect> ys, List<Rect> zs) {
    long total = 0;
    for (Rect x : xs) {
      for (Rect y : ys) {
        long qlo = x.q0 + y.q0;
        long qhi = x.q1 + y.q1 + 1;
        for (Rect z : zs) {
          if (z.q1 < qlo || z.q0 > qhi) {
            continue;
          }
          long noCarry = box(x.r0, x.r1, y.r0, y.r1, z.r0, z.r1);
          if (noCarry != 0) {
            total += noCarry * box(x.q0, x.q1, y.q0, y.q1, z.q0, z.q1);
          }
          long carry = box(x.r0, x.r1, y.r0, y.r1, z.r0 + p, z.r1 + p);
          if (carry != 0) {
            total += carry * box(x.q0, x.q1, y.q0, y.q1, z.q0 - 1, z.q1 - 1);
          }
        }
      }
    }
    return total;
  }

  /** {@code #{(a, b) in [a0, a1] x [b0, b1] : t0 <= a + b <= t1}}. */
  static long box(long a0, long a1, long b0, long b1, long t0, long t1) {
    if (t1 < a0 + b0 || t0 > a1 + b1) {
      return 0;
    }
    return atMost(a0, a1, b0, b1, t1) - atMost(a0, a1, b0, b1, t0 - 1);
  }

  private static long atMost(long a0, long a1, long b0, long b1, long t) {
    long na = a1 - a0 + 1;
    long nb = b1 - b0 + 1;
    long s = t - a0 - b0;
    return below(s) - below(s - na) - below(s - nb) + below(s - na - nb);
  }

  /** {@code #{a, b >= 0 : a + b <= t}} = (t+1)(t+2)/2, modulo 2^64. */
  private static long below(long t) {
    if (t < 0) {
      return 0;
    }
    long k = t + 1;
    return (k & 1) == 0 ? (k / 2) * (k + 1) : k * ((k + 1) / 2);
  }

  static long gcd(long a, long b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /**
   * {@code sum_{i=i0}^{i1} floor((a*i + b) / m)} for {@code a >= 0, m >= 1}, modulo 2^64 (the
   * AtCoder Library's {@code floor_sum}, O(log m)).
   */
  static long floorSum(long i0, long i1, long a, long b, long m) {
    if (i1 < i0) {
      return 0;
    }
    long n = i1 - i0 + 1;
    long bb = a * i0 + b;
    long base = Math.floorDiv(bb, m);
    long ans = n * base;
    long rest = Math.floorMod(bb, m);
    long aa = a;
    long mm = m;
    while (true) {
      if (aa >= mm) {
        long tri = (n & 1) == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
        ans += tri * (aa / mm);
        aa %= mm;
      }
      if (rest >= mm) {
        ans += n * (rest / mm);
        rest %= mm;
      }
      long yMax = aa * n + rest;
      if (yMax < mm) {
        break;
      }
      n = yMax / mm;
      rest = yMax % mm;
      long t = mm;
      mm = aa;
      aa = t;
    }
    return ans;
  }

  /**
   * The lattice for this index, or null when stride and dilation share no small period: the
   * dilation when the stride is 1, the stride when the dilation is 1, their lcm when it holds
   * at most {@value #MAX_COLUMNS} residue columns, else the dilation (or the stride) with the
   * few kept outputs (or filter taps) listed one by one.
   */
  static LatticeSets choose(int stride, int dilation, long outputs, long taps) {
    if (stride == 1) {
      return new LatticeSets(dilation);
    }
    if (dilation == 1) {
      return new LatticeSets(stride);
    }
    long g = gcd(stride, dilation);
    if ((stride / g) * (dilation / g) <= MAX_COLUMNS) {
      return new LatticeSets(stride / g * dilation);
    }
    if (outputs <= MAX_POINTS) {
      return new LatticeSets(dilation);
    }
    if (taps < MAX_POINTS) {
      return new LatticeSets(stride);
    }
    return null;
  }

  /** The most residue columns (stride/g x dilation/g) a period may hold. */
  static final int MAX_COLUMNS = 1024;
}
