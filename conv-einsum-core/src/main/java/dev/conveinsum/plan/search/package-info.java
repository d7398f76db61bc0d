/**
 * Internal: the path optimizers ({@code optimal}/{@code dp}, {@code branch}, {@code greedy},
 * {@code random-greedy}, {@code naive}, {@code auto}) registered in
 * {@link dev.conveinsum.plan.search.Optimizers}, and the stateless
 * {@link dev.conveinsum.plan.search.Planner} the facade calls on a cache miss. To add an
 * optimizer, implement {@link dev.conveinsum.plan.search.PathOptimizer} and register it in
 * {@code Optimizers}.
 */
package dev.conveinsum.plan.search;
