package dev.conveinsum.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.engine.ForwardProgram.Instruction;
import dev.conveinsum.engine.ForwardProgram;
import dev.conveinsum.plan.PlanInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * An expression compiled for one set of shapes and one path, run with DJL {@link NDArray}
 * operations: every pairwise step is one DJL convolution or matrix product plus the reshapes,
 * transposes, flips, pads and slices around it, so DJL's autograd differentiates it (inside a
 * {@code GradientCollector}, operands that require gradients get them).
 *
 * <p>Immutable and thread-safe: plan once, apply many times. Intermediates live in a scope
 * that is closed before {@link #apply} returns (autograd keeps what the backward pass needs);
 * the result is attached to the manager of the first operand.
 */
public final class DjlPlan {
  private final PlanInfo info;
  private final ForwardProgram program;
  private final Shape[] slotShapes;
  private final long[][] operandShapes;
  private final long[] outputShape;
  /** Flat gather indices per instruction (null for other instructions). */
  private final long[][] gatherIndex;
  /** Whether some step convolves (and so may need {@link OneDnnCheck}). */
  private final boolean convolves;

  DjlPlan(PlanInfo info, ForwardProgram program) {
    this.info = info;
    this.program = program;
    this.slotShapes = new Shape[program.slotShapes().size()];
    for (int s = 0; s < slotShapes.length; s++) {
      slotShapes[s] = shape(program.slotShapes().get(s));
    }
    int n = info.bound().operandCount();
    this.operandShapes = new long[n][];
    for (int k = 0; k < n; k++) {
      operandShapes[k] = info.bound().shape(k).clone();
    }
    this.outputShape = info.outputShape().clone();
    List<Instruction> ins = program.instructions();
    this.gatherIndex = new long[ins.size()][];
    boolean conv = false;
    for (int i = 0; i < ins.size(); i++) {
      if (ins.get(i) instanceof Instruction.Gather g) {
        gatherIndex[i] = flatIndex(g.tables(), slotShapes[g.in()].size());
      }
      conv |= ins.get(i) instanceof Instruction.Kernel k && !k.problem().dims().isEmpty();
    }
    this.convolves = conv;
  }

  /**
   * Evaluates the expression. Operands may be float32 or float64 (mixed: the result is float64);
   * the result is float64 if any operand is, else float32.
   *
   * @param operands one array per input term, of the compiled shapes, on one device
   * @return the result, attached to the manager of {@code operands[0]}
   * @throws ConvEinsumException for a wrong operand count, shape or data type
   */
  public NDArray apply(NDArray... operands) {
    return apply(null, operands);
  }

  /** Evaluates with a given convolution route, or the one {@link OneDnnCheck} chose (null). */
  NDArray apply(OneDnnCheck.Route forced, NDArray... operands) {
    check(operands);
    NDManager home = operands[0].getManager();
    DataType type = DataType.FLOAT32;
    for (NDArray a : operands) {
      if (a.getDataType() == DataType.FLOAT64) {
        type = DataType.FLOAT64;
      }
    }
    Set<NDArray> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(Arrays.asList(operands));
    try (NDManager scope = home.newSubManager()) {
      // Operands visit the scope (so every intermediate is created there) and go home after.
      for (NDArray a : distinct) {
        a.tempAttach(scope);
      }
      NDArray[] slots = new NDArray[slotShapes.length];
      int[] leaves = program.operandSlots();
      for (int k = 0; k < operands.length; k++) {
        slots[leaves[k]] = NdKernels.cast(operands[k], type);
      }
      OneDnnCheck.Route route = forced != null ? forced
          : convolves ? OneDnnCheck.route(type, operands[0].getDevice())
          : OneDnnCheck.Route.DIRECT;
      List<Instruction> ins = program.instructions();
      for (int i = 0; i < ins.size(); i++) {
        Instruction in = ins.get(i);
        slots[in.output()] = run(in, i, slots, scope, type, route);
      }
      NDArray out = slots[program.outputSlot()];
      if (distinct.contains(out)) {
        // The expression is an identity: hand back a copy (duplicate() would cut the graph).
        out = out.mul(1);
      }
      out.attach(home);
      return out;
    }
  }

  private NDArray run(Instruction in, int i, NDArray[] slots, NDManager scope, DataType type,
      OneDnnCheck.Route route) {
    if (in instanceof Instruction.Kernel k) {
      return NdKernels.kernel(slots[k.x()], slots[k.f()], k.problem(), slotShapes[k.y()],
          route);
    } else if (in instanceof Instruction.Permute p) {
      return slots[p.in()].transpose(p.axes());
    } else if (in instanceof Instruction.Reduce r) {
      return NdKernels.reduce(slots[r.in()], r.axis());
    } else if (in instanceof Instruction.Reverse r) {
      return slots[r.in()].flip(r.axis());
    } else if (in instanceof Instruction.Dilate d) {
      return NdKernels.dilate(slots[d.in()], d.axis(), d.factor());
    } else if (in instanceof Instruction.Fold f) {
      return NdKernels.fold(slots[f.in()], f.axis(), f.shift(), f.period());
    } else if (in instanceof Instruction.Gather g) {
      // A spare zero after the input's elements serves the table entries that read nothing.
      NDArray flat = slots[g.in()].reshape(-1);
      NDArray padded = flat.concat(scope.zeros(new Shape(1), type, flat.getDevice()));
      NDArray index = scope.create(gatherIndex[i], slotShapes[g.out()]).toDevice(
          flat.getDevice(), false);
      return padded.take(index);
    } else if (in instanceof Instruction.Alias a) {
      return slots[a.in()];
    } else if (in instanceof Instruction.Zero z) {
      return scope.zeros(slotShapes[z.out()], type, scope.getDevice());
    }
    throw new IllegalStateException("internal: unknown instruction " + in);
  }

  /** Returns the planner's report: path, FLOPs against the naive path, steps. */
  public PlanInfo info() {
    return info;
  }

  /** Returns the shape of the result. */
  public long[] outputShape() {
    return outputShape.clone();
  }

  private void check(NDArray[] operands) {
    if (operands.length != operandShapes.length) {
      throw new ConvEinsumException("the expression \"" + info.expression() + "\" has "
          + operandShapes.length + " operands but " + operands.length + " arrays were given");
    }
    for (int k = 0; k < operands.length; k++) {
      long[] s = operands[k].getShape().getShape();
      if (!Arrays.equals(s, operandShapes[k])) {
        throw new ConvEinsumException("operand " + k + " has shape " + Arrays.toString(s)
            + " but the plan was compiled for " + Arrays.toString(operandShapes[k]));
      }
      DataType t = operands[k].getDataType();
      if (t != DataType.FLOAT32 && t != DataType.FLOAT64) {
        throw new ConvEinsumException("operand " + k + " has data type " + t
            + "; the DJL backend takes float32 or float64");
      }
    }
  }

  /** Row-major flat offsets of a gather; -1 entries read the spare zero at {@code inSize}. */
  private static long[] flatIndex(int[][] tables, long inSize) {
    int rank = tables.length;
    long total = 1;
    for (int[] t : tables) {
      total *= t.length;
    }
    long[] out = new long[Math.toIntExact(total)];
    int[] coord = new int[rank];
    for (int j = 0; j < out.length; j++) {
      long off = 0;
      boolean missing = false;
      for (int a = 0; a < rank; a++) {
        int o = tables[a][coord[a]];
        missing |= o < 0;
        off += o;
      }
      out[j] = missing ? inSize : off;
      for (int a = rank - 1; a >= 0 && ++coord[a] == tables[a].length; a--) {
        coord[a] = 0;
      }
    }
    return out;
  }

  private static Shape shape(int[] dims) {
    long[] s = new long[dims.length];
    for (int a = 0; a < dims.length; a++) {
      s[a] = dims[a];
    }
    return new Shape(s);
  }

  @Override
  public String toString() {
    List<String> steps = new ArrayList<>();
    for (Instruction in : program.instructions()) {
      steps.add(in.getClass().getSimpleName());
    }
    return "DjlPlan[" + info.expression() + ", path " + info.path() + ", " + steps + "]";
  }
}
