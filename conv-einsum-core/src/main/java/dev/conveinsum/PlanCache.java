package dev.conveinsum;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.plan.search.Planner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's one plan cache: (expression text, shapes, convolution options, plan options) to
 * the plan found for them and, once asked for, the plan compiled from it. Plan once, run many:
 * layers ask for the same contraction every forward pass.
 *
 * <p>Bounded (least recently used entries are dropped) and thread-safe; planning and compiling
 * run outside the lock, so two threads asking for the same new plan may both compute it.
 */
final class PlanCache {
  /** The number of entries the shared cache keeps. */
  static final int DEFAULT_CAPACITY = 512;

  private record Key(String expression, List<List<Long>> shapes, ConvOptions conv,
      PlanOptions options) {}

  /** A cached plan and, once compiled, its compiled plan. */
  private static final class Entry {
    final PlanInfo info;
    volatile CompiledPlan compiled;

    Entry(PlanInfo info) {
      this.info = info;
    }
  }

  private final int capacity;
  private final Map<Key, Entry> map;

  PlanCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
        return size() > PlanCache.this.capacity;
      }
    };
  }

  /** Returns the cached plan for these options, planning it on a miss. */
  PlanInfo plan(BoundExpression bound, PlanOptions options) {
    return entry(bound, options).info;
  }

  /** Returns the compiled plan of a plan, from the cache when the plan came from it. */
  CompiledPlan compile(PlanInfo info) {
    Key key = key(info.bound(), info.options());
    Entry e;
    synchronized (map) {
      e = map.get(key);
    }
    if (e == null || e.info != info) {
      return new CompiledPlan(info);
    }
    CompiledPlan c = e.compiled;
    if (c == null) {
      c = new CompiledPlan(info);
      e.compiled = c;
    }
    return c;
  }

  /** Returns how many entries the cache holds. */
  int size() {
    synchronized (map) {
      return map.size();
    }
  }

  private Entry entry(BoundExpression bound, PlanOptions options) {
    Key key = key(bound, options);
    synchronized (map) {
      Entry hit = map.get(key);
      if (hit != null) {
        return hit;
      }
    }
    Entry e = new Entry(Planner.plan(bound, options));
    if (capacity > 0) {
      synchronized (map) {
        Entry raced = map.putIfAbsent(key, e);
        if (raced != null) {
          return raced;
        }
      }
    }
    return e;
  }

  private static Key key(BoundExpression b, PlanOptions options) {
    List<List<Long>> l = new ArrayList<>();
    for (long[] s : b.shapes()) {
      List<Long> d = new ArrayList<>();
      for (long x : s) {
        d.add(x);
      }
      l.add(List.copyOf(d));
    }
    return new Key(b.expression().source(), List.copyOf(l), b.options(), options);
  }
}
