/**
 * Internal: the geometry of a convolution index shared by several operands
 * ({@link dev.conveinsum.geometry.ConvGeometry}): full and cropped lengths, the kept positions of
 * every subset of holders and the pairs a step multiplies, in closed form on lattices
 * ({@code LatticeSets}) or position by position for small irregular cases ({@code BruteSets}).
 */
package dev.conveinsum.geometry;
