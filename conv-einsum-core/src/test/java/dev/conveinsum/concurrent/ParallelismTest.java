package dev.conveinsum.concurrent;

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

  @Test
  void anyThreadCountRunsOnTheOneBoundedPool() {
    AtomicIntegerArray hits = new AtomicIntegerArray(1000);
    java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int threads : new int[] {2, 3, 5, 17, 64, 1000, 10_000}) {
      Parallelism.of(threads).forEach(1000, i -> {
        names.add(Thread.currentThread().getName());
        hits.incrementAndGet(i);
      });
    }
    for (int i = 0; i < 1000; i++) {
      assertEquals(7, hits.get(i));
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    org.junit.jupiter.api.Assertions.assertTrue(WorkerTeam.liveWorkers() <= cpus - 1,
        WorkerTeam.liveWorkers() + " workers on " + cpus + " processors");
    org.junit.jupiter.api.Assertions.assertTrue(names.size() <= cpus, names.toString());
  }

  @Test
  void idleWorkersExitAndComeBackWhenNeeded() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(WorkerTeam.SIZE > 1, "one processor");
    WorkerTeam.idleTimeout(200_000_000L);
    try {
      AtomicIntegerArray hits = new AtomicIntegerArray(100);
      Parallelism.of(2).forEach(100, i -> {
        hits.incrementAndGet(i);
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      });
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (WorkerTeam.liveWorkers() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(0, WorkerTeam.liveWorkers(), "idle workers still alive");
      Parallelism.of(2).forEach(100, hits::incrementAndGet);
      for (int i = 0; i < 100; i++) {
        assertEquals(2, hits.get(i));
      }
    } finally {
      WorkerTeam.idleTimeout(60_000_000_000L);
    }
  }

  @Test
  void aHelperThatWakesAfterTheCallerClosedTheLoopNeitherRunsNorIsWaitedFor() {
    AtomicIntegerArray hits = new AtomicIntegerArray(5);
    WorkerTeam.Loop loop = new WorkerTeam.Loop(5, hits::incrementAndGet, 1);
    org.junit.jupiter.api.Assertions.assertTrue(loop.join(), "an open loop takes a helper");
    loop.share(); // the helper runs every index
    loop.joined.decrementAndGet();
    assertEquals(0, loop.close(), "no helper inside");
    org.junit.jupiter.api.Assertions.assertFalse(loop.join(), "a closed loop takes no helper");
    for (int i = 0; i < 5; i++) {
      assertEquals(1, hits.get(i));
    }
    WorkerTeam.Loop other = new WorkerTeam.Loop(3, hits::incrementAndGet, 1);
    org.junit.jupiter.api.Assertions.assertTrue(other.join());
    assertEquals(1, other.close(), "a helper that joined is still counted");
  }
}
