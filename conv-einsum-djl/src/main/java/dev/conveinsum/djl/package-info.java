/**
 * Deep Java Library integration: conv_einsum plans executed with DJL {@code NDArray} operations
 * (so DJL's autograd differentiates them), tensorial convolution blocks, tensorial ResNets and
 * their training.
 */
package dev.conveinsum.djl;
