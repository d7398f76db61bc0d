package dev.conveinsum.exec;

import dev.conveinsum.tensor.Tensor;
import java.util.List;

/**
 * What one execution of a compiled plan produced.
 *
 * @param output the result
 * @param gradients one gradient per operand (null where none was asked for); empty when the
 *     call was forward only
 * @param peakBytes the largest number of bytes held at once by operands, intermediates and
 *     gradients during the call
 * @param flops the kernel FLOPs executed (2 per multiply-add of each dense kernel call)
 */
public record Execution(Tensor output, List<Tensor> gradients, long peakBytes, long flops) {
  /** Wraps the gradient list without copying its nulls away. */
  public Execution {
    gradients = gradients == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(gradients));
  }
}
