package dev.conveinsum.cost;

import java.util.List;

/**
 * The cost of a whole path: its steps and their totals.
 *
 * @param steps one cost per pairwise step, in path order
 * @param flops total forward FLOPs (saturated at {@code Long.MAX_VALUE})
 * @param trainFlops total training FLOPs
 * @param largestIntermediate element count of the largest tensor the path creates (0 for none)
 * @param totalElementsWritten sum of the element counts of every tensor the path creates
 */
public record PathCost(List<StepCost> steps, long flops, long trainFlops,
    long largestIntermediate, long totalElementsWritten) {

  /** Copies the step list. */
  public PathCost {
    steps = List.copyOf(steps);
  }

  /** Returns the element count of every intermediate, in step order. */
  public List<Long> intermediateSizes() {
    return steps.stream().map(StepCost::resultSize).toList();
  }

  /** Returns the FLOPs of every step, in step order. */
  public List<Long> stepFlops() {
    return steps.stream().map(StepCost::flops).toList();
  }

  /** Returns the forward or training total. */
  public long objective(boolean train) {
    return train ? trainFlops : flops;
  }
}
