package dev.conveinsum;

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
 * @param profile nanoseconds spent per instruction, in program order and keyed
 *     {@code "#index description"}, when profiling was asked for (else empty)
 */
public record Execution(Tensor output, List<Tensor> gradients, long peakBytes, long flops,
    java.util.Map<String, Long> profile) {
  /** Wraps the gradient list without copying its nulls away. */
  public Execution {
    gradients = gradients == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(gradients));
    profile = profile == null ? java.util.Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(profile));
  }
}
