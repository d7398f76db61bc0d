package dev.conveinsum;

import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.tensor.Tensor;

/**
 * How to run a compiled plan: which engine, how many threads, what the backward pass keeps, and
 * whether to time every instruction.
 *
 * <p>{@link #DEFAULT} is what {@link ConvEinsum#einsum(String, Tensor...)} uses; derive others
 * with the {@code with} methods, e.g. {@code RunOptions.DEFAULT.withCheckpoint(RECOMPUTE)}.
 *
 * @param engine the kernels ({@link #DEFAULT} has {@link Engines#best()}, the highest-priority
 *     engine)
 * @param threads the most threads a kernel may use (at least 1)
 * @param checkpoint what the backward pass keeps (null means {@link Checkpoint#STORE})
 * @param profile whether to time every instruction ({@link Execution#profile()})
 */
public record RunOptions(Engine engine, int threads, Checkpoint checkpoint, boolean profile) {
  /**
   * The thread count of {@link #DEFAULT}: fixed rather than the processor count, because how the
   * kernels cut work into tasks depends on it, so a fixed count gives the same bits on every
   * machine (a machine with fewer processors runs the same tasks on fewer threads). Pass another
   * count with {@link #withThreads(int)} to use more processors.
   */
  public static final int DEFAULT_THREADS = 4;

  /** The best engine, {@value #DEFAULT_THREADS} threads, STORE, no profiling. */
  public static final RunOptions DEFAULT =
      new RunOptions(Engines.best(), DEFAULT_THREADS, Checkpoint.STORE, false);

  /**
   * Options without profiling.
   *
   * @param engine the kernels
   * @param threads the most threads a kernel may use
   * @param checkpoint what the backward pass keeps (null for STORE)
   */
  public RunOptions(Engine engine, int threads, Checkpoint checkpoint) {
    this(engine, threads, checkpoint, false);
  }

  /** Checks the engine and the thread count; a null checkpoint means STORE. */
  public RunOptions {
    ConvEinsumException.requireNonNull(engine, "the engine of the run options");
    if (threads < 1) {
      throw new ConvEinsumException("threads must be >= 1, got " + threads);
    }
    if (checkpoint == null) {
      checkpoint = Checkpoint.STORE;
    }
  }

  /**
   * Returns these options with another engine.
   *
   * @param e the engine
   * @return the new options
   */
  public RunOptions withEngine(Engine e) {
    return new RunOptions(e, threads, checkpoint, profile);
  }

  /**
   * Returns these options with the engine of that name.
   *
   * @param name an engine name, e.g. {@code cpu} or {@code loops}
   * @return the new options
   * @throws ConvEinsumException for an unknown engine name
   */
  public RunOptions withEngine(String name) {
    ConvEinsumException.requireNonNull(name, "the engine name");
    return withEngine(Engines.get(name));
  }

  /**
   * Returns these options with another thread count.
   *
   * @param n the most threads a kernel may use (at least 1)
   * @return the new options
   */
  public RunOptions withThreads(int n) {
    return new RunOptions(engine, n, checkpoint, profile);
  }

  /**
   * Returns these options with another checkpoint mode.
   *
   * @param c what the backward pass keeps (null for STORE)
   * @return the new options
   */
  public RunOptions withCheckpoint(Checkpoint c) {
    return new RunOptions(engine, threads, c, profile);
  }

  /**
   * Returns these options with profiling switched on or off.
   *
   * @param on whether to time every instruction
   * @return the new options
   */
  public RunOptions withProfile(boolean on) {
    return new RunOptions(engine, threads, checkpoint, on);
  }
}
