package dev.conveinsum.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spinning worker team: every index exactly once, errors surface, callers never block. */
class ParallelismTest {
  @Test
  void everyIndexRunsExactlyOnceAcrossManyLoops() {
    Parallelism par = Parallelism.of(3);
    for (int n : new int[] {0, 1, 2, 3, 7, 100, 10_000}) {
      AtomicIntegerArray hits = new AtomicIntegerArray(n);
      for (int round = 0; round < 50; round++) {
        par.forEach(n, hits::incrementAndGet);
      }
      for (int i = 0; i < n; i++) {
        assertEquals(50, hits.get(i), "index " + i + " of " + n);
      }
    }
  }

  @Test
  void aFailureInAnyShareReachesTheCallerAndTheTeamStaysUsable() {
    Parallelism par = Parallelism.of(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> par.forEach(1000, i -> {
          if (i == 777) {
            throw new IllegalArgumentException("boom at " + i);
          }
        }));
    assertEquals("boom at 777", e.getMessage());
    AtomicIntegerArray hits = new AtomicIntegerArray(10);
    par.forEach(10, hits::incrementAndGet);
    for (int i = 0; i < 10; i++) {
      assertEquals(1, hits.get(i));
    }
  }

  @Test
  void nestedAndConcurrentLoopsCompleteWithoutDeadlock() throws Exception {
    Parallelism par = Parallelism.of(2);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        results.add(callers.submit(() -> {
          AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
          for (int round = 0; round < 20; round++) {
            par.forEach(64, i -> par.forEach(64, j -> hits.incrementAndGet(i * 64 + j)));
          }
          int bad = 0;
          for (int k = 0; k < hits.length(); k++) {
            bad += hits.get(k) == 20 ? 0 : 1;
          }
          return bad;
        }));
      }
      for (Future<Integer> f : results) {
        assertEquals(0, f.get(), "indices run other than once per round");
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
