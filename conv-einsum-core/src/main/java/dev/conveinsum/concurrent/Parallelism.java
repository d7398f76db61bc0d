package dev.conveinsum.concurrent;

import java.util.function.IntConsumer;

/**
 * The number of threads a kernel call may use.
 *
 * <p>Every kernel call runs on the one shared, bounded pool ({@link WorkerTeam}: the calling
 * thread plus at most processor-count - 1 spinning daemon workers, which exit when idle). A
 * kernel parallelises at exactly one level (over the batch when it has at least {@code threads}
 * independent problems, otherwise inside each problem), so a call never runs more than
 * {@code min(threads, processors)} threads at once.
 *
 * <p>Results. How a kernel cuts its work into tasks depends on {@code threads} only (never on
 * how many threads actually run, nor on their timing: each task writes its own outputs), so a
 * given thread count gives bit-identical results on every machine. Different thread counts may
 * cut a problem differently, and a GEMM of another shape may sum in another order: results then
 * differ by float rounding, within the summation bound {@code |dy| <= 2 K eps sum|x||w|} for K
 * terms per output ({@code eps} = 2^-24 for float32); {@code ThreadCountDeterminismTest} checks
 * this.
 *
 * @param threads the number of worker threads, at least 1
 */
public record Parallelism(int threads) {

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
   * Returns one thread per available processor (so results depend on the machine: see the
   * class comment; {@code ConvEinsum.einsum} uses a fixed count instead).
   *
   * @return parallelism with {@link Runtime#availableProcessors()} threads
   */
  public static Parallelism defaults() {
    return new Parallelism(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs {@code body.accept(i)} for every {@code i} in {@code [0, n)} on the calling thread and
   * up to {@code threads - 1} pool workers (fewer when the pool is smaller), with dynamic
   * scheduling. Runs inline when one thread
   * or one item suffices, or when already inside a forEach (no nested parallelism).
   */
  public void forEach(int n, IntConsumer body) {
    if (Math.min(threads, n) <= 1 || WorkerTeam.inside()) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    WorkerTeam.shared().forEach(n, body, threads);
  }

}
