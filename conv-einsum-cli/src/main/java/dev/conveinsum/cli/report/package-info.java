/**
 * {@code conv-einsum report}: an HTML page with tables, figures (PNG and SVG) and the numbers as
 * JSON and CSV, either for one layer shape (every decomposition at every compression rate against
 * the dense layer) or for the paper's tables over the benchmark layer list; planned figures come
 * from the planner, measured ones from the same loop as {@code conv-einsum bench}.
 */
package dev.conveinsum.cli.report;
