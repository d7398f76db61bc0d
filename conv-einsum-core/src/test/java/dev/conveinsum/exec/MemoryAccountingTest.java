package dev.conveinsum.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.Checkpoint;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.reference.LoopEngine;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryAccountingTest {
  private static final String CP = "bshw,rt,rs,rh,rw->bthw|hw";

  private static List<Tensor> operands(BoundExpression b) {
    List<Tensor> ops = new ArrayList<>();
    for (int k = 0; k < b.operandCount(); k++) {
      ops.add(Tensor.random(DType.FLOAT64, k, b.shape(k)));
    }
    return ops;
  }

  @Test
  void predictedPeakEqualsMeasuredAndRecomputeIsSmaller() {
    BoundExpression b = BoundExpression.bind(Expression.parse(CP), ConvOptions.DEFAULT,
        List.of(new long[] {2, 6, 8, 8}, new long[] {3, 5}, new long[] {3, 6},
            new long[] {3, 3}, new long[] {3, 3}));
    // Input first with the channel factor: the intermediates are big.
    int[][] path = {{0, 2}, {0, 3}, {0, 2}, {0, 1}};
    CompiledProgram plan = CompiledProgram.compile(b, path, null);
    List<Tensor> ops = operands(b);
    Tensor grad = Tensor.random(DType.FLOAT64, 99, b.outputShape());
    long[] measured = new long[2];
    int i = 0;
    for (Checkpoint mode : Checkpoint.values()) {
      Execution e = plan.execute(ops, grad, new RunOptions(new LoopEngine(), 1, mode));
      assertEquals(plan.predictPeakBytes(DType.FLOAT64, true, mode), e.peakBytes(), mode.name());
      measured[i++] = e.peakBytes();
    }
    assertTrue(measured[1] < measured[0],
        "RECOMPUTE peak " + measured[1] + " should be below STORE peak " + measured[0]);
    Execution fwd = plan.execute(ops, null, new RunOptions(new LoopEngine(), 1, null));
    assertEquals(plan.predictPeakBytes(DType.FLOAT64, false, Checkpoint.STORE), fwd.peakBytes());
    // Operands alone are a lower bound of any peak.
    long operandBytes = ops.stream().mapToLong(t -> 8L * t.size()).sum();
    assertTrue(fwd.peakBytes() > operandBytes);
  }
}
