package dev.conveinsum.nn;

import dev.conveinsum.tensor.Tensor;
import java.util.List;

/**
 * The gradients of one backward pass of a {@link TensorialLayer}.
 *
 * @param input the gradient with respect to the input, shaped like it ({@code [B, S, H, W]})
 * @param factors the gradient with respect to every factor, in {@link TensorialLayer#factors()}
 *     order and shapes
 */
public record LayerGradients(Tensor input, List<Tensor> factors) {
  /** Copies the list. */
  public LayerGradients {
    factors = List.copyOf(factors);
  }
}
