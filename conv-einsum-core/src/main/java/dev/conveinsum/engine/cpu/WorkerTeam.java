package dev.conveinsum.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The calling thread plus {@code size - 1} daemon workers that run one parallel loop at a time.
 *
 * <p>Waking a parked thread costs tens of microseconds on a virtual machine (measured 20-90 us
 * per loop with a ForkJoinPool here), as long as many of the kernels it would split. So, like
 * OpenMP runtimes and OpenBLAS, workers spin for a short while ({@code conveinsum.spinMicros},
 * default 200) after each loop before parking: back-to-back kernel calls of one plan then start
 * at once. A loop that finds the team busy (another thread's loop) runs on its caller alone.
 */
final class WorkerTeam {
  private static final long SPIN_NANOS = Long.getLong("conveinsum.spinMicros", 200) * 1000;
  /** Whether the current thread is running a share of a loop (no nested parallelism). */
  private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

  private final Thread[] workers;
  private final ReentrantLock busy = new ReentrantLock();
  private volatile Loop current;
  private volatile long generation;

  /** One parallel loop: indices handed out by a counter, workers counted out when done. */
  private static final class Loop {
    final int n;
    final IntConsumer body;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger running;
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Loop(int n, IntConsumer body, int workers) {
      this.n = n;
      this.body = body;
      this.running = new AtomicInteger(workers);
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

  WorkerTeam(int size) {
    workers = new Thread[size - 1];
    for (int w = 0; w < workers.length; w++) {
      Thread t = new Thread(this::work, "conv-einsum-worker-" + size + "-" + w);
      t.setDaemon(true);
      workers[w] = t;
      t.start();
    }
  }

  /** Whether the current thread already runs inside a loop of some team. */
  static boolean inside() {
    return INSIDE.get();
  }

  /** Runs {@code body} for every index in [0, n) on this thread and the workers. */
  void forEach(int n, IntConsumer body) {
    if (!busy.tryLock()) {
      runInline(n, body);
      return;
    }
    try {
      Loop loop = new Loop(n, body, workers.length);
      current = loop;
      generation++; // volatile write: publishes the loop
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      INSIDE.set(true);
      try {
        loop.share();
      } finally {
        INSIDE.set(false);
      }
      // The workers are finishing their last indices; if one was descheduled, yield the core.
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (loop.running.get() > 0) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
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

  private static void runInline(int n, IntConsumer body) {
    for (int i = 0; i < n; i++) {
      body.accept(i);
    }
  }

  private void work() {
    INSIDE.set(true);
    long seen = 0;
    while (true) {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (generation == seen) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this); // unpark after publishing makes a lost wake-up impossible
        }
      }
      seen = generation;
      Loop loop = current;
      if (loop != null) {
        loop.share();
        loop.running.decrementAndGet();
      }
    }
  }
}
