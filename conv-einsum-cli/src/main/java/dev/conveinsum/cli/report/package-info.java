/**
 * {@code conv-einsum report}: times the benchmark layers through bench's measuring loop,
 * searches the largest batch that fits a memory budget, and writes the HTML report with its
 * charts and contraction trees.
 */
package dev.conveinsum.cli.report;
