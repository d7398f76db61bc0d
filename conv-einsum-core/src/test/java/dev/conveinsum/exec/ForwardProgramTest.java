package dev.conveinsum.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveinsum.engine.ForwardProgram.Instruction;
import dev.conveinsum.engine.ForwardProgram;
import dev.conveinsum.engine.reference.LoopEngine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import dev.conveinsum.testing.RandomExpressions.Settings;
import dev.conveinsum.testing.RandomExpressions;
import dev.conveinsum.testing.ReferenceEvaluator;
import dev.conveinsum.testing.Tolerance;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The forward program as plain values: run by a small interpreter written from the documented
 * meaning of each instruction (not from the engine's offset tables), it equals the reference
 * evaluator on random expressions and paths.
 */
class ForwardProgramTest {

  @Test
  void aMatrixProductIsOneKernel() {
    BoundExpression b = BoundExpression.bind(Expression.parse("ij,jk->ik"), ConvOptions.DEFAULT,
        List.of(new long[] {2, 3}, new long[] {3, 4}));
    ForwardProgram p = ForwardLowering.lower(b, new int[][] {{0, 1}});
    assertEquals(1, p.instructions().stream().filter(i -> i instanceof Instruction.Kernel)
        .count());
    assertArrayEquals(new int[] {2, 4}, p.slotShape(p.outputSlot()));
    assertArrayEquals(new int[] {2, 3}, p.slotShape(p.operandSlots()[0]));
    int[] slots = p.operandSlots();
    slots[0] = 99; // a copy
    assertEquals(0, p.operandSlots()[0]);
  }

  @Test
  void theDocumentedMeaningReproducesTheReference() {
    SplittableRandom rnd = new SplittableRandom(31);
    for (Settings s : new Settings[] {Settings.EINSUM, Settings.CONV,
        Settings.CONV.withOperands(3, 5).withMaxWork(6000)}) {
      for (int i = 0; i < 80; i++) {
        RandomExpressions.Case c = RandomExpressions.next(rnd, s);
        BoundExpression b = BoundExpression.bind(Expression.parse(c.expression()),
            c.convOptions(), c.shapes());
        List<Tensor> ops = c.operands(i);
        int[][] path = ExecGoldenTest.randomPath(ops.size(), rnd);
        ForwardProgram p = ForwardLowering.lower(b, path);
        double[] got = run(p, ops);
        Tolerance.assertClose(ReferenceEvaluator.evaluate(b, ops),
            Tensor.wrap(got, b.outputShape()), Tolerance.FLOAT64, c + " path "
                + java.util.Arrays.deepToString(path));
      }
    }
  }

  /** Interprets the program on row-major double arrays. */
  private static double[] run(ForwardProgram p, List<Tensor> ops) {
    double[][] slots = new double[p.slotShapes().size()][];
    for (int k = 0; k < ops.size(); k++) {
      slots[p.operandSlots()[k]] = ops.get(k).to(DType.FLOAT64).toDoubleArray();
    }
    LoopEngine loops = new LoopEngine();
    for (Instruction in : p.instructions()) {
      int[] od = p.slotShape(in.output());
      double[] out = new double[size(od)];
      if (in instanceof Instruction.Kernel k) {
        loops.conv(k.problem(), slots[k.x()], slots[k.f()], out, 1);
      } else if (in instanceof Instruction.Alias a) {
        out = slots[a.in()];
      } else if (in instanceof Instruction.Zero) {
        // zeros already
      } else if (in instanceof Instruction.Gather g) {
        int[][] t = g.tables();
        double[] src = slots[g.in()];
        for (int j = 0; j < out.length; j++) {
          int[] co = coords(j, od);
          long off = 0;
          boolean missing = false;
          for (int a = 0; a < co.length; a++) {
            missing |= t[a][co[a]] < 0;
            off += t[a][co[a]];
          }
          out[j] = missing ? 0 : src[(int) off];
        }
      } else {
        int in0 = input(in);
        int[] id = p.slotShape(in0);
        double[] src = slots[in0];
        for (int e = 0; e < src.length; e++) {
          int[] co = coords(e, id);
          int[] to = target(in, co, id);
          if (to != null) {
            out[flat(to, od)] += src[e];
          }
        }
      }
      slots[in.output()] = out;
    }
    return slots[p.outputSlot()];
  }

  private static int input(Instruction in) {
    if (in instanceof Instruction.Permute x) {
      return x.in();
    } else if (in instanceof Instruction.Reduce x) {
      return x.in();
    } else if (in instanceof Instruction.Reverse x) {
      return x.in();
    } else if (in instanceof Instruction.Dilate x) {
      return x.in();
    }
    return ((Instruction.Fold) in).in();
  }

  /** Where input element {@code co} lands in the output, per the instruction's Javadoc. */
  private static int[] target(Instruction in, int[] co, int[] id) {
    if (in instanceof Instruction.Permute x) {
      int[] axes = x.axes();
      int[] to = new int[axes.length];
      for (int i = 0; i < axes.length; i++) {
        to[i] = co[axes[i]];
      }
      return to;
    } else if (in instanceof Instruction.Reduce x) {
      int[] to = new int[co.length - 1];
      for (int a = 0, j = 0; a < co.length; a++) {
        if (a != x.axis()) {
          to[j++] = co[a];
        }
      }
      return to;
    }
    int[] to = co.clone();
    if (in instanceof Instruction.Reverse x) {
      to[x.axis()] = id[x.axis()] - 1 - co[x.axis()];
    } else if (in instanceof Instruction.Dilate x) {
      to[x.axis()] = co[x.axis()] * x.factor();
    } else {
      Instruction.Fold x = (Instruction.Fold) in;
      to[x.axis()] = Math.floorMod(co[x.axis()] + x.shift(), x.period());
    }
    return to;
  }

  private static int size(int[] d) {
    int n = 1;
    for (int x : d) {
      n *= x;
    }
    return n;
  }

  private static int[] coords(int flat, int[] d) {
    int[] c = new int[d.length];
    for (int a = d.length - 1; a >= 0; a--) {
      c[a] = flat % d[a];
      flat /= d[a];
    }
    return c;
  }

  private static int flat(int[] c, int[] d) {
    int f = 0;
    for (int a = 0; a < d.length; a++) {
      f = f * d[a] + c[a];
    }
    return f;
  }
}
