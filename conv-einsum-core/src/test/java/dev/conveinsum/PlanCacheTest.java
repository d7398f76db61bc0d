package dev.conveinsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.plan.PlanOptions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The facade's one plan cache: plans and compiled plans are found once and reused. */
class PlanCacheTest {
  private static final BoundExpression B = ConvEinsum.bind("ij,jk,kl->il", ConvOptions.DEFAULT,
      List.of(new long[] {2, 30}, new long[] {30, 40}, new long[] {40, 5}));

  @Test
  void cachesPlansAndDropsTheLeastRecentlyUsed() {
    PlanCache cache = new PlanCache(2);
    PlanInfo first = cache.plan(B, PlanOptions.optimizer("optimal"));
    assertSame(first, cache.plan(B, PlanOptions.optimizer("optimal")));
    PlanInfo train = cache.plan(B, PlanOptions.optimizer("optimal").withTrain(Set.of(1)));
    assertTrue(train.trainFlops().isPresent());
    cache.plan(B, PlanOptions.optimizer("greedy"));
    assertEquals(2, cache.size());
    assertTrue(ConvEinsum.plan(B, null).flops() <= first.naiveFlops());
  }

  @Test
  void compilesACachedPlanOnce() {
    PlanCache cache = new PlanCache(4);
    PlanInfo p = cache.plan(B, PlanOptions.DEFAULT.withTrain(Set.of(0)));
    CompiledPlan c = cache.compile(p);
    assertSame(c, cache.compile(p));
    assertEquals(List.of(true, false, false), List.of(c.trainable()[0], c.trainable()[1],
        c.trainable()[2]));
    // a plan for a given path is not the cached one: compiled afresh, never confused with it
    PlanInfo given = ConvEinsum.plan(B, Path.of(1, 2, 0, 1), PlanOptions.DEFAULT);
    assertEquals("given", given.optimizer());
    assertNotSame(cache.compile(given), cache.compile(given));
  }
}
