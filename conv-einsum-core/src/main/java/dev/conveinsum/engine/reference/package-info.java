/**
 * Internal: the loop engine, {@link dev.conveinsum.engine.reference.LoopEngine}: the atomic
 * convolution by the plain loops of its definition, single-threaded; the oracle the fast engine
 * is tested against (available as {@code RunOptions.withEngine("loops")}).
 */
package dev.conveinsum.engine.reference;
