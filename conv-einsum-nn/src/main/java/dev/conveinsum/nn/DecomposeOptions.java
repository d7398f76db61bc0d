package dev.conveinsum.nn;

import dev.conveinsum.ConvEinsumException;

/**
 * Tunables of {@link TensorialLayer#fromDense(LayerSpec, dev.conveinsum.tensor.Tensor,
 * DecomposeOptions)}: the iteration budget of the alternating least squares used for CP and RCP,
 * its stopping tolerance, and the seed of the random starting columns it may need.
 *
 * @param maxIterations the most ALS sweeps (each updates every factor once)
 * @param tolerance stop when the squared relative error improves by less than this in a sweep
 * @param seed seed for starting columns beyond what the singular vectors provide
 */
public record DecomposeOptions(int maxIterations, double tolerance, long seed) {

  /** The defaults: 200 sweeps, tolerance 1e-10, seed 0. */
  public static final DecomposeOptions DEFAULT = new DecomposeOptions(200, 1e-10, 0);

  /** Validates the values. */
  public DecomposeOptions {
    if (maxIterations < 0) {
      throw new ConvEinsumException("decompose options: maxIterations must be >= 0, got "
          + maxIterations);
    }
    if (!(tolerance >= 0)) {
      throw new ConvEinsumException("decompose options: tolerance must be >= 0, got "
          + tolerance);
    }
  }
}
