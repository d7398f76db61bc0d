/**
 * Expressions and their binding to shapes. {@link dev.conveinsum.expr.Expression#parse} turns the
 * text of SPEC section 1 into terms and indices (no sizes); {@link
 * dev.conveinsum.expr.BoundExpression} binds it to operand shapes and {@link
 * dev.conveinsum.expr.ConvOptions} (padding, stride, dilation, convolution or cross-correlation),
 * checks every size, and resolves each convolution index to a {@link
 * dev.conveinsum.expr.ConvGeometry}. The geometry is the single place where padding is resolved:
 * the cost model, the planner and the engines only read it.
 */
package dev.conveinsum.expr;
