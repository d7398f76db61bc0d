package dev.conveinsum.djl.train;

/**
 * What one epoch measured.
 *
 * @param epoch the epoch, from 1
 * @param trainLoss the mean cross-entropy over the epoch's training batches
 * @param trainAccuracy the accuracy on the training batches as they were trained
 * @param testAccuracy the accuracy on the whole test set after the epoch
 * @param seconds the epoch's wall time: training and testing
 * @param trainSeconds the training part of it
 * @param steps the number of training steps (batches)
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testAccuracy,
    double seconds, double trainSeconds, int steps) {}
