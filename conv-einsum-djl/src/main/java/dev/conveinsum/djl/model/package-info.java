/** Tensorial residual networks (ResNet-20/32/18/34) built from DJL blocks. */
package dev.conveinsum.djl.model;
