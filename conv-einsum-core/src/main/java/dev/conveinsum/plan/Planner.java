package dev.conveinsum.plan;

import dev.conveinsum.cost.CostModel;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans contractions: runs the chosen optimizer under the cost model and describes the result,
 * caching plans by (expression text, shapes, convolution options, plan options).
 *
 * <p>The cache is bounded (least recently used plans are dropped) and thread-safe; planning
 * itself runs outside the lock, so two threads asking for the same new plan may both compute it.
 * Plan once, run many: layers ask for the same contraction every forward pass.
 */
public final class Planner {
  /** The default number of plans a planner keeps. */
  public static final int DEFAULT_CAPACITY = 512;
  private static final Planner SHARED = new Planner(DEFAULT_CAPACITY);

  private record Key(String expression, List<List<Long>> shapes, ConvOptions conv,
      PlanOptions options) {}

  private final int capacity;
  private final Map<Key, PlanInfo> cache;

  /** Creates a planner with the default cache capacity. */
  public Planner() {
    this(DEFAULT_CAPACITY);
  }

  /**
   * Creates a planner.
   *
   * @param capacity how many plans to keep (0 disables caching)
   */
  public Planner(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("cache capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, PlanInfo> eldest) {
        return size() > Planner.this.capacity;
      }
    };
  }

  /** Returns a planner shared by the whole process. */
  public static Planner shared() {
    return SHARED;
  }

  /**
   * Plans with the default options ({@code auto}, forward FLOPs, no memory limit).
   *
   * @param bound the expression bound to shapes
   * @return the plan
   */
  public PlanInfo plan(BoundExpression bound) {
    return plan(bound, PlanOptions.DEFAULT);
  }

  /**
   * Plans a contraction.
   *
   * @param bound the expression bound to shapes
   * @param options optimizer, objective, trainable inputs, memory limit, outer-product switch,
   *     seed (null for the defaults)
   * @return the plan
   * @throws dev.conveinsum.ConvEinsumException for an unknown optimizer, a trainable position
   *     out of range, or a memory limit no path fits
   */
  public PlanInfo plan(BoundExpression bound, PlanOptions options) {
    PlanOptions o = options == null ? PlanOptions.DEFAULT : options;
    Key key = new Key(bound.expression().source(), shapes(bound), bound.options(), o);
    synchronized (cache) {
      PlanInfo hit = cache.get(key);
      if (hit != null) {
        return hit;
      }
    }
    PathOptimizer optimizer = Optimizers.get(o.optimizer());
    CostModel model = new CostModel(bound, o.train() ? o.trainable() : null);
    Path path = optimizer.optimize(model, o);
    PlanInfo info = PlanInfo.of(model, optimizer.name(), path, o.train());
    if (capacity > 0) {
      synchronized (cache) {
        cache.put(key, info);
      }
    }
    return info;
  }

  /** Returns how many plans the cache holds. */
  public int cacheSize() {
    synchronized (cache) {
      return cache.size();
    }
  }

  /** Drops every cached plan. */
  public void clearCache() {
    synchronized (cache) {
      cache.clear();
    }
  }

  private static List<List<Long>> shapes(BoundExpression b) {
    List<List<Long>> l = new ArrayList<>();
    for (long[] s : b.shapes()) {
      List<Long> d = new ArrayList<>();
      for (long x : s) {
        d.add(x);
      }
      l.add(List.copyOf(d));
    }
    return List.copyOf(l);
  }
}
