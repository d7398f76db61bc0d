package dev.conveinsum.exec;

import java.util.List;

/**
 * A compiled instruction list: slot layouts, instructions in execution order, the operand
 * slots and the result slot. Immutable; executions keep their state in a {@link Runtime}.
 */
final class Program {
  final List<Layout> layouts;
  final List<Op> ops;
  final int[] leafSlots;
  final int outputSlot;
  final int[] lastUse;
  /** Per slot, the last of the first {@code forwardOps} instructions reading it, or -1. */
  final int[] lastForwardUse;

  Program(List<Layout> layouts, List<Op> ops, int[] leafSlots, int outputSlot, int forwardOps) {
    this.layouts = List.copyOf(layouts);
    this.ops = List.copyOf(ops);
    this.leafSlots = leafSlots.clone();
    this.outputSlot = outputSlot;
    this.lastUse = new int[layouts.size()];
    java.util.Arrays.fill(lastUse, -1);
    this.lastForwardUse = new int[layouts.size()];
    java.util.Arrays.fill(lastForwardUse, -1);
    for (int i = 0; i < ops.size(); i++) {
      for (int s : ops.get(i).inputs()) {
        lastUse[s] = i;
        if (i < forwardOps) {
          lastForwardUse[s] = i;
        }
      }
    }
  }
}
