/**
 * Expressions and their options: {@link dev.conveinsum.expr.Expression} is the parsed text
 * (SPEC section 1), {@link dev.conveinsum.expr.ConvOptions} the convolution kind and per-index
 * padding, stride and dilation, and {@link dev.conveinsum.expr.BoundExpression} an expression
 * bound to operand shapes (every index sized, padding resolved once).
 */
package dev.conveinsum.expr;
