package dev.conveinsum.engine.cpu;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * The number of threads a kernel call may use.
 *
 * <p>Each distinct thread count gets one shared, lazily created {@link WorkerTeam} (the calling
 * thread plus that many minus one spinning daemon workers), reused by every kernel call. A kernel parallelises at exactly one level (over
 * the batch when it has at least {@code threads} independent problems, otherwise inside each
 * problem), so a call never runs more than {@code threads} workers at once.
 *
 * @param threads the number of worker threads, at least 1
 */
public record Parallelism(int threads) {

  private static final ConcurrentHashMap<Integer, WorkerTeam> TEAMS = new ConcurrentHashMap<>();

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
   * Runs {@code body.accept(i)} for every {@code i} in {@code [0, n)} on the calling thread and
   * up to {@code threads - 1} pool workers, with dynamic scheduling. Runs inline when one thread
   * or one item suffices, or when already inside a forEach (no nested parallelism).
   */
  public void forEach(int n, IntConsumer body) {
    if (Math.min(threads, n) <= 1 || WorkerTeam.inside()) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    TEAMS.computeIfAbsent(threads, WorkerTeam::new).forEach(n, body);
  }

}
