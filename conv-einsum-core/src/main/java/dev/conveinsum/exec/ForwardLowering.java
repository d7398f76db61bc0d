package dev.conveinsum.exec;

import dev.conveinsum.engine.ForwardProgram.Instruction;
import dev.conveinsum.engine.ForwardProgram;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import java.util.ArrayList;
import java.util.List;

/** Lowers a plan to the portable {@link ForwardProgram} that other tensor libraries run. */
public final class ForwardLowering {
  private ForwardLowering() {}

  /**
   * Lowers an expression for a path, forward only.
   *
   * @param bound the expression bound to shapes and options
   * @param path the plan's path
   * @return the program
   * @throws dev.conveinsum.ConvEinsumException for a path that does not fit the expression
   */
  public static ForwardProgram lower(BoundExpression bound, Path path) {
    return lower(bound, path.pairs().toArray(int[][]::new));
  }

  /**
   * Lowers an expression for a path given as pairs (tests write paths this way).
   *
   * @param bound the expression bound to shapes and options
   * @param path pairwise steps in opt_einsum notation
   * @return the program
   * @throws dev.conveinsum.ConvEinsumException for a path that does not fit the expression
   */
  public static ForwardProgram lower(BoundExpression bound, int[][] path) {
    return of(Lowering.compile(bound, path, null, true).program());
  }

  static ForwardProgram of(Program p) {
    List<int[]> shapes = new ArrayList<>();
    for (Layout l : p.layouts) {
      shapes.add(l.dims.clone());
    }
    List<Instruction> out = new ArrayList<>();
    for (Op op : p.ops) {
      if (op instanceof LinearMap m) {
        out.add(m.instruction);
      } else if (op instanceof KernelOp k) {
        if (k.problem == null) {
          throw new IllegalStateException("internal: an engine-only kernel in a portable program");
        }
        out.add(new Instruction.Kernel(k.x, k.f, k.y, k.problem));
      } else if (op instanceof AliasOp a) {
        out.add(new Instruction.Alias(a.in(), a.out()));
      } else if (op instanceof ZeroOp z) {
        out.add(new Instruction.Zero(z.out()));
      } else {
        throw new IllegalStateException("internal: " + op + " in a forward program");
      }
    }
    return new ForwardProgram(shapes, p.leafSlots, p.outputSlot, out);
  }
}
