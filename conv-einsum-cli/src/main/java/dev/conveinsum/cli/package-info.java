/**
 * The {@code conv-einsum} command line (SPEC section 5): picocli commands {@code path}, {@code
 * eval}, {@code bench}, {@code layer}, {@code train} and {@code report} under {@link
 * dev.conveinsum.cli.Main}. Input is read strictly (section 5.1), errors are one line and a
 * non-zero exit, and output files are replaced atomically so that a failure never leaves a partial
 * file.
 */
package dev.conveinsum.cli;
