/**
 * The front door of conv_einsum: {@link dev.conveinsum.ConvEinsum} parses an expression, binds it
 * to the operands' shapes, plans the pairwise order and runs it (forward or vector-Jacobian
 * product), and {@link dev.conveinsum.ConvEinsumException} is the one exception every caller error
 * becomes, with a message that names what is wrong and where.
 */
package dev.conveinsum;
