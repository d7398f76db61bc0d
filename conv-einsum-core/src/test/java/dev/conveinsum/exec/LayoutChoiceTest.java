package dev.conveinsum.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GEMM steps read and write in place where the kernel's layout flags allow it. */
class LayoutChoiceTest {
  private static long copiedElements(Program p) {
    long n = 0;
    for (Op op : p.ops) {
      if (op instanceof LinearMap m) {
        long size = 1;
        for (int d : m.denseDims) {
          size *= d;
        }
        n += size;
      }
    }
    return n;
  }

  @Test
  void contractingChannelsOfAnImageAndWritingItBackCopiesNothing() {
    // bshw,rs->brhw then brhw,rt->bthw: both steps are GEMMs per image b with a shared factor.
    BoundExpression b = BoundExpression.bind(Expression.parse("bshw,rs,rt->bthw"),
        ConvOptions.DEFAULT, List.of(new long[] {4, 8, 5, 5}, new long[] {3, 8},
            new long[] {3, 6}));
    Program p = Lowering.compile(b, new int[][] {{0, 1}, {0, 1}}, null).program();
    assertEquals(0, copiedElements(p), "no permute should be needed");
    long kernels = p.ops.stream().filter(o -> o instanceof KernelOp).count();
    assertEquals(2, kernels);
    assertTrue(p.ops.stream().filter(o -> o instanceof KernelOp)
        .map(o -> ((KernelOp) o).problem).anyMatch(q -> q.fShared() && q.xTransposed()));
  }
}
