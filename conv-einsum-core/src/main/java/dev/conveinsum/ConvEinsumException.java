package dev.conveinsum;

/**
 * A caller error: an invalid expression, options, shapes or tensors.
 *
 * <p>Every message starts with {@code conv_einsum:} and names what is wrong and where (operand,
 * index, sizes, column), so that a user can act on it without reading the source.
 */
public class ConvEinsumException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception whose message is {@code "conv_einsum: " + detail}.
   *
   * @param detail what is wrong, in words a user understands
   */
  public ConvEinsumException(String detail) {
    super("conv_einsum: " + detail);
  }
}
