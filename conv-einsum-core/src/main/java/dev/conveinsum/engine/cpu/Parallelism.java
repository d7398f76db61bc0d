package dev.conveinsum.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The number of threads a kernel call may use.
 *
 * <p>Each distinct thread count gets one shared, lazily created {@link ForkJoinPool} of that many
 * daemon workers, reused by every kernel call. A kernel parallelises at exactly one level (over
 * the batch when it has at least {@code threads} independent problems, otherwise inside each
 * problem), so a call never runs more than {@code threads} workers at once.
 *
 * @param threads the number of worker threads, at least 1
 */
public record Parallelism(int threads) {

  private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

  /**
   * Validates the thread count.
   *
   * @param threads the number of worker threads, at least 1
   */
  public Parallelism {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
  }

  /**
   * Returns a value using the given number of threads.
   *
   * @param threads the number of worker threads, at least 1
   * @return the parallelism value
   */
  public static Parallelism of(int threads) {
    return new Parallelism(threads);
  }

  /**
   * Returns single-threaded parallelism: the kernel runs on the calling thread only.
   *
   * @return parallelism with one thread
   */
  public static Parallelism serial() {
    return new Parallelism(1);
  }

  /**
   * Returns the default parallelism, one thread per available processor.
   *
   * @return parallelism with {@link Runtime#availableProcessors()} threads
   */
  public static Parallelism defaults() {
    return new Parallelism(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs {@code body.accept(i)} for every {@code i} in {@code [0, n)}, on up to {@code threads}
   * workers with dynamic scheduling. Runs inline when one thread or one item suffices, or when
   * already running on a worker of any kernel pool (no nested parallelism).
   */
  public void forEach(int n, IntConsumer body) {
    int workers = Math.min(threads, n);
    ForkJoinPool pool = workers <= 1 ? null : pool();
    if (pool == null
        || (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w
            && POOLS.containsValue(w.getPool()))) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> tasks = new ArrayList<>(workers);
    for (int t = 0; t < workers; t++) {
      tasks.add(
          () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
              body.accept(i);
            }
            return null;
          });
    }
    List<Future<Void>> futures = pool.invokeAll(tasks);
    for (Future<Void> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  private ForkJoinPool pool() {
    return POOLS.computeIfAbsent(threads, ForkJoinPool::new);
  }
}
