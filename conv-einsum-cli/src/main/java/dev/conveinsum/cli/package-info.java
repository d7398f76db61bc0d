/**
 * The {@code conv-einsum} command line (SPEC section 5): {@code eval}, {@code path},
 * {@code bench}, {@code layer} and {@code train}, each a picocli command written against the
 * exported API of core, nn and djl.
 */
package dev.conveinsum.cli;
