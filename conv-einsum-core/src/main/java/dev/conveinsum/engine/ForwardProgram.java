package dev.conveinsum.engine;

import java.util.List;

/**
 * The forward instructions of an expression compiled for one path, as plain values: what a
 * backend built on another tensor library (DJL, for one) runs instead of this module's engine.
 *
 * <p>Every slot is a row-major tensor of the shape {@link #slotShape(int)} gives; operand
 * {@code k} is slot {@code operandSlots()[k]}, already of the operand's shape; each instruction
 * reads earlier slots and writes one new slot. The instructions carry every convolution
 * semantic of the SPEC (padding offsets, m-way windows, circular wrap, stride, dilation, kind):
 * a backend only has to implement the few data movements and the atomic {@link ConvProblem}.
 *
 * <p>This is the second half of the engine SPI: an {@link Engine} runs one atomic convolution
 * inside this module's executor, a forward program hands a whole compiled plan to another tensor
 * library. Obtain one from {@code ConvEinsum.forwardProgram(PlanInfo)}.
 *
 * @param slotShapes the shape of every slot
 * @param operandSlots the slot of each operand
 * @param outputSlot the slot of the result (shaped like the expression's output)
 * @param instructions the instructions in execution order
 */
public record ForwardProgram(List<int[]> slotShapes, int[] operandSlots, int outputSlot,
    List<Instruction> instructions) {

  /** Copies the lists and arrays. */
  public ForwardProgram {
    slotShapes = slotShapes.stream().map(int[]::clone).toList();
    operandSlots = operandSlots.clone();
    instructions = List.copyOf(instructions);
  }

  /** Returns the shape of a slot (a copy). */
  public int[] slotShape(int slot) {
    return slotShapes.get(slot).clone();
  }

  /** Returns the slot of each operand (a copy). */
  @Override
  public int[] operandSlots() {
    return operandSlots.clone();
  }

  /** One instruction; {@link #output()} is the slot it writes. */
  public sealed interface Instruction {
    /** Returns the slot written. */
    int output();

    /**
     * Reorders axes: output axis {@code i} is input axis {@code axes[i]}.
     *
     * @param in the slot read
     * @param out the slot written
     * @param axes the permutation
     */
    record Permute(int in, int out, int[] axes) implements Instruction {
      /** Copies the permutation. */
      public Permute {
        axes = axes.clone();
      }

      /** Returns the permutation (a copy). */
      @Override
      public int[] axes() {
        return axes.clone();
      }

      @Override
      public int output() {
        return out;
      }
    }

    /**
     * Sums over one axis (the output lacks it).
     *
     * @param in the slot read
     * @param out the slot written
     * @param axis the axis summed
     */
    record Reduce(int in, int out, int axis) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }

    /**
     * Reverses one axis.
     *
     * @param in the slot read
     * @param out the slot written
     * @param axis the axis reversed
     */
    record Reverse(int in, int out, int axis) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }

    /**
     * Inserts {@code factor - 1} zeros between consecutive elements of one axis: length
     * {@code n} becomes {@code (n - 1) * factor + 1}.
     *
     * @param in the slot read
     * @param out the slot written
     * @param axis the axis dilated
     * @param factor the dilation, at least 2
     */
    record Dilate(int in, int out, int axis, int factor) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }

    /**
     * Folds one axis modulo a period (circular padding): element {@code e} is added into
     * {@code floorMod(e + shift, period)}; the output has length {@code period} there.
     *
     * @param in the slot read
     * @param out the slot written
     * @param axis the axis folded
     * @param shift the shift added before the modulo
     * @param period the output length
     */
    record Fold(int in, int out, int axis, int shift, int period) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }

    /**
     * A general gather (diagonals, broadcasting): output element {@code (j_0, ..., j_r)} is the
     * input element at flat row-major offset {@code sum_a tables[a][j_a]}, or zero when some
     * table entry is -1. The output's shape is the slot shape of {@code out}.
     *
     * @param in the slot read
     * @param out the slot written
     * @param tables one offset table per output axis
     */
    record Gather(int in, int out, int[][] tables) implements Instruction {
      /** Copies the tables. */
      public Gather {
        tables = deepCopy(tables);
      }

      /** Returns the gather tables (a deep copy). */
      @Override
      public int[][] tables() {
        return deepCopy(tables);
      }

      @Override
      public int output() {
        return out;
      }

      private static int[][] deepCopy(int[][] t) {
        int[][] c = new int[t.length][];
        for (int i = 0; i < t.length; i++) {
          c[i] = t[i].clone();
        }
        return c;
      }
    }

    /**
     * The atomic kernel: {@code y = conv(x, f)} of the problem, the slots laid out as
     * {@link ConvProblem} describes (the slot shapes group the same elements by index).
     *
     * @param x the input slot
     * @param f the filter slot
     * @param y the output slot
     * @param problem the grouped convolution or batched GEMM
     */
    record Kernel(int x, int f, int y, ConvProblem problem) implements Instruction {
      @Override
      public int output() {
        return y;
      }
    }

    /**
     * The same tensor under another slot (positions differ, data and shape do not).
     *
     * @param in the slot read
     * @param out the slot written
     */
    record Alias(int in, int out) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }

    /**
     * A tensor of zeros (a step none of whose products reach a kept position).
     *
     * @param out the slot written
     */
    record Zero(int out) implements Instruction {
      @Override
      public int output() {
        return out;
      }
    }
  }
}
