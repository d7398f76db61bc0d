/**
 * Threading shared by the executor and the engines (internal, not exported).
 *
 * <p>{@link dev.conveinsum.concurrent.Parallelism} is the thread count a call may use; every call
 * runs on one shared, bounded team of spinning daemon workers ({@code WorkerTeam}: the calling
 * thread plus at most processor-count - 1 workers, which exit when idle). It lives outside {@code
 * dev.conveinsum.engine.cpu} so that the generic executor ({@code exec}) can split its own loops
 * without depending on an engine implementation.
 */
package dev.conveinsum.concurrent;
