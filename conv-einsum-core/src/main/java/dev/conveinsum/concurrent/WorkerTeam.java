package dev.conveinsum.concurrent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The one worker pool of the process: the calling thread plus up to {@link #SIZE} - 1 daemon
 * workers that run one parallel loop at a time.
 *
 * <p>Waking a parked thread costs tens of microseconds on a virtual machine (measured 20-90 us
 * per loop with a ForkJoinPool here), as long as many of the kernels it would split. So, like
 * OpenMP runtimes and OpenBLAS, workers spin for a short while ({@code conveinsum.spinMicros},
 * default 200) after each loop before parking: back-to-back kernel calls of one plan then start
 * at once. A loop that finds the pool busy (another thread's loop) runs on its caller alone.
 * The caller takes indices too, and once every index is taken it closes the loop: a helper that
 * has not woken up by then (parked, or descheduled on a busy machine) no longer joins, so a call
 * never waits for a thread that has no work left, only for shares already running.
 *
 * <p>Bounded: {@link #SIZE} is the processor count (or {@code conveinsum.maxThreads}, at most
 * 256), whatever thread counts callers ask for; a loop of width w runs on min(w, SIZE) threads.
 * Reclaimed: a worker idle for {@code conveinsum.idleSeconds} (default 60) exits, and the next
 * loop starts a fresh one in its place.
 */
final class WorkerTeam {
  /** The most threads (caller included) any loop runs on. */
  static final int SIZE = Math.max(1, Math.min(256, Integer.getInteger("conveinsum.maxThreads",
      java.lang.Runtime.getRuntime().availableProcessors())));
  private static final long SPIN_NANOS = Long.getLong("conveinsum.spinMicros", 200) * 1000;
  private static volatile long idleNanos =
      Math.max(1, Long.getLong("conveinsum.idleSeconds", 60)) * 1_000_000_000L;
  /** Whether the current thread is running a share of a loop (no nested parallelism). */
  private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
  private static final WorkerTeam SHARED = new WorkerTeam(SIZE);

  /** The workers; null where none runs (not started yet, or exited when idle). */
  private final Thread[] workers;
  private final ReentrantLock busy = new ReentrantLock();
  private final AtomicInteger live = new AtomicInteger();
  private volatile Loop current;

  /**
   * One parallel loop: indices handed out by a counter; helpers join it, and are counted out
   * when done, only until the caller has seen every index taken and closed it.
   */
  static final class Loop {
    /** Set in {@link #joined} once the caller has closed the loop. */
    static final int CLOSED = 1 << 30;
    final int n;
    final IntConsumer body;
    final int helpers;
    final AtomicInteger next = new AtomicInteger();
    /** Helpers inside {@link #share}, plus {@link #CLOSED} once no helper may join. */
    final AtomicInteger joined = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Loop(int n, IntConsumer body, int helpers) {
      this.n = n;
      this.body = body;
      this.helpers = helpers;
    }

    /** The caller closes the loop once every index is taken; returns the helpers inside. */
    int close() {
      return joined.getAndAdd(CLOSED);
    }

    /** A helper enters unless the loop is closed; returns whether it did. */
    boolean join() {
      for (int s = joined.get(); (s & CLOSED) == 0; s = joined.get()) {
        if (joined.compareAndSet(s, s + 1)) {
          return true;
        }
      }
      return false;
    }

    void share() {
      try {
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
          body.accept(i);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        next.set(n); // the others stop taking indices
      }
    }
  }

  private WorkerTeam(int size) {
    workers = new Thread[size - 1];
  }

  /** Returns the shared pool. */
  static WorkerTeam shared() {
    return SHARED;
  }

  /** Whether the current thread already runs inside a loop of the pool. */
  static boolean inside() {
    return INSIDE.get();
  }

  /** Sets how long a worker waits idle before it exits (tests shorten it). */
  static void idleTimeout(long nanos) {
    idleNanos = Math.max(1, nanos);
  }

  /** Returns how many worker threads are alive now (for tests). */
  static int liveWorkers() {
    return SHARED.live.get();
  }

  /**
   * Runs {@code body} for every index in [0, n) on this thread and up to {@code width - 1}
   * workers.
   */
  void forEach(int n, IntConsumer body, int width) {
    if (!busy.tryLock()) {
      runInline(n, body);
      return;
    }
    try {
      int helpers = Math.min(Math.min(width, n), workers.length + 1) - 1;
      for (int w = 0; w < helpers; w++) {
        if (workers[w] == null) {
          start(w);
        }
      }
      Loop loop = new Loop(n, body, helpers);
      current = loop; // volatile write: publishes the loop
      for (int w = 0; w < helpers; w++) {
        LockSupport.unpark(workers[w]);
      }
      INSIDE.set(true);
      try {
        loop.share();
      } finally {
        INSIDE.set(false);
      }
      // Every index is taken. Close the loop, so that a helper that has not woken up yet (a
      // parked or descheduled thread: tens of microseconds to milliseconds on a busy machine)
      // no longer counts; wait only for those still running an index, yielding the core to a
      // descheduled one.
      int inside = loop.close();
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (inside > 0) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
        inside = loop.joined.get() & ~Loop.CLOSED;
      }
      current = null;
      Throwable t = loop.failure.get();
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException(t);
      }
    } finally {
      busy.unlock();
    }
  }

  /** Starts worker {@code w}; the caller holds the busy lock. */
  private void start(int w) {
    Thread t = new Thread(() -> work(w), "conv-einsum-worker-" + w);
    t.setDaemon(true);
    workers[w] = t;
    live.incrementAndGet();
    t.start();
  }

  private static void runInline(int n, IntConsumer body) {
    for (int i = 0; i < n; i++) {
      body.accept(i);
    }
  }

  /**
   * A worker: joins each published loop it is a helper of (each loop object at most once), spins
   * then parks between loops, and exits when idle for the idle timeout. Exiting takes the busy
   * lock, so no loop counts on a worker that is leaving.
   */
  private void work(int index) {
    INSIDE.set(true);
    Loop last = null;
    long idleSince = System.nanoTime();
    while (true) {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      Loop loop = current;
      while (loop == null || loop == last) {
        long now = System.nanoTime();
        if (now < spinUntil) {
          Thread.onSpinWait();
        } else if (now - idleSince >= idleNanos) {
          if (busy.tryLock()) {
            try {
              if (current == null) {
                workers[index] = null;
                live.decrementAndGet();
                return;
              }
            } finally {
              busy.unlock();
            }
          }
          LockSupport.parkNanos(this, 1_000_000);
        } else {
          LockSupport.parkNanos(this, idleNanos); // unparked when a loop is published
        }
        loop = current;
      }
      last = loop;
      if (index < loop.helpers && loop.join()) {
        loop.share();
        loop.joined.decrementAndGet();
      }
      idleSince = System.nanoTime();
    }
  }
}
