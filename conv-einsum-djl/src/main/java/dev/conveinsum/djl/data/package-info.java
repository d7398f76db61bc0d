/**
 * Image data sets for training: Fashion-MNIST IDX and CIFAR-10 binary readers, and their DJL
 * {@code ArrayDataset}s with normalisation and augmentation.
 */
package dev.conveinsum.djl.data;
