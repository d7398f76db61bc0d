package dev.conveinsum.testing;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.geometry.ConvGeometry;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The direct definition of SPEC section 3, with no cleverness: the oracle every fast path is
 * tested against.
 *
 * <p>It enumerates every assignment of the ordinary indices times every tuple of taps along each
 * convolution index (one tap per operand holding it), multiplies the operands' entries, and adds
 * the product to the output position that the tap positions' sum lands on after crop, wrap and
 * stride. Accumulation is in float64. The cost is the product of all index sizes and all conv
 * lengths, so use it on small tensors only. It shares nothing with the planner or the engines
 * except {@link ConvGeometry}, the single statement of where taps land.
 */
public final class ReferenceEvaluator {
  private ReferenceEvaluator() {}

  /**
   * Evaluates the expression.
   *
   * @param bound the expression bound to the operands' shapes
   * @param operands the operands, one per input term
   * @return the result, float64 if any operand is float64, else float32
   */
  public static Tensor evaluate(BoundExpression bound, List<Tensor> operands) {
    Enumeration e = new Enumeration(bound, operands);
    double[] out = new double[e.outputSize];
    e.run((offsets, outOffset, values) -> {
      double p = 1;
      for (double v : values) {
        p *= v;
      }
      out[outOffset] += p;
    });
    Tensor t = Tensor.wrap(out, bound.outputShape());
    return t.to(resultType(operands));
  }

  /**
   * Computes vector-Jacobian products: for every operand k, the gradient of
   * {@code <gradOutput, result>} with respect to operand k.
   *
   * @param bound the expression bound to the operands' shapes
   * @param operands the operands
   * @param gradOutput a tensor of the output's shape
   * @return one gradient per operand, each of that operand's shape and type
   */
  public static List<Tensor> vjp(BoundExpression bound, List<Tensor> operands,
      Tensor gradOutput) {
    if (!Arrays.equals(gradOutput.shape(), bound.outputShape())) {
      throw new ConvEinsumException("the output gradient has shape "
          + Arrays.toString(gradOutput.shape()) + " but the output has shape "
          + Arrays.toString(bound.outputShape()));
    }
    Enumeration e = new Enumeration(bound, operands);
    int n = operands.size();
    double[][] grads = new double[n][];
    for (int k = 0; k < n; k++) {
      grads[k] = new double[operands.get(k).size()];
    }
    double[] prefix = new double[n + 1];
    e.run((offsets, outOffset, values) -> {
      double g = gradOutput.getFlat(outOffset);
      if (g == 0) {
        return;
      }
      prefix[0] = 1;
      for (int k = 0; k < n; k++) {
        prefix[k + 1] = prefix[k] * values[k];
      }
      double suffix = 1;
      for (int k = n - 1; k >= 0; k--) {
        grads[k][offsets[k]] += g * prefix[k] * suffix;
        suffix *= values[k];
      }
    });
    List<Tensor> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      out.add(Tensor.wrap(grads[k], operands.get(k).shape()).to(operands.get(k).dtype()));
    }
    return out;
  }

  /**
   * Counts the products the definition adds into the output: one per assignment of the ordinary
   * indices and tuple of taps whose positions land on a kept output position. For a two-operand
   * expression this is the multiplication count of SPEC section 4 ({@code ordinary x pairs}).
   */
  public static long countProducts(BoundExpression bound, List<Tensor> operands) {
    long[] count = {0};
    new Enumeration(bound, operands).run((offsets, outOffset, values) -> count[0]++);
    return count[0];
  }

  private static DType resultType(List<Tensor> operands) {
    DType t = DType.FLOAT32;
    for (Tensor x : operands) {
      t = DType.promote(t, x.dtype());
    }
    return operands.isEmpty() ? DType.FLOAT64 : t;
  }

  /** Receives one product term: each operand's flat offset and value, and the output offset. */
  private interface Visitor {
    void visit(int[] offsets, int outOffset, double[] values);
  }

  /** The odometer over ordinary indices and per-holder conv taps. */
  private static final class Enumeration {
    private final List<Tensor> operands;
    private final int[] range; // per variable
    private final int[][] axisVar; // per operand axis: variable, or -1 for a broadcast axis
    private final int[][] axisStride;
    private final int[] outVar; // per output axis: ordinary variable, or -1 for conv
    private final int[] outConv; // per output axis: conv slot, or -1
    private final int[] outStride;
    private final ConvGeometry[] convs;
    private final int[][] convVars; // per conv slot, the variable of each holder
    private final int outputSize;

    Enumeration(BoundExpression b, List<Tensor> operands) {
      this.operands = operands;
      int n = b.operandCount();
      if (operands.size() != n) {
        throw new ConvEinsumException("the expression has " + n + " input terms but "
            + operands.size() + " operands were given");
      }
      for (int k = 0; k < n; k++) {
        if (!Arrays.equals(operands.get(k).shape(), b.shape(k))) {
          throw new ConvEinsumException("operand " + k + " has shape "
              + Arrays.toString(operands.get(k).shape()) + " but the expression was bound to "
              + Arrays.toString(b.shape(k)));
        }
      }
      int ids = b.indexCount();
      int[] varOfId = new int[ids];
      List<Integer> ranges = new ArrayList<>();
      List<ConvGeometry> convList = new ArrayList<>();
      int[] convSlotOfId = new int[ids];
      Arrays.fill(convSlotOfId, -1);
      List<int[]> convVarList = new ArrayList<>();
      for (int id = 0; id < ids; id++) {
        ConvGeometry g = b.geometry(id);
        if (g == null) {
          varOfId[id] = ranges.size();
          ranges.add((int) b.size(id));
        } else {
          convSlotOfId[id] = convList.size();
          convList.add(g);
          int[] vars = new int[g.holderCount()];
          for (int r = 0; r < vars.length; r++) {
            vars[r] = ranges.size();
            ranges.add(g.length(r));
          }
          convVarList.add(vars);
        }
      }
      range = ranges.stream().mapToInt(Integer::intValue).toArray();
      convs = convList.toArray(ConvGeometry[]::new);
      convVars = convVarList.toArray(int[][]::new);
      axisVar = new int[n][];
      axisStride = new int[n][];
      for (int k = 0; k < n; k++) {
        int[] idx = b.operandIndices(k);
        long[] shape = b.shape(k);
        axisVar[k] = new int[idx.length];
        axisStride[k] = strides(shape);
        for (int a = 0; a < idx.length; a++) {
          int id = idx[a];
          if (b.geometry(id) != null) {
            axisVar[k][a] = convVars[convSlotOfId[id]][b.geometry(id).rankOf(k)];
          } else if (shape[a] == 1 && b.size(id) != 1) {
            axisVar[k][a] = -1; // broadcast ellipsis dimension
          } else {
            axisVar[k][a] = varOfId[id];
          }
        }
      }
      int[] out = b.outputIndices();
      outVar = new int[out.length];
      outConv = new int[out.length];
      outStride = strides(b.outputShape());
      for (int a = 0; a < out.length; a++) {
        outVar[a] = b.geometry(out[a]) == null ? varOfId[out[a]] : -1;
        outConv[a] = convSlotOfId[out[a]];
      }
      outputSize = (int) Tensor.elementCount(b.outputShape());
    }

    private static int[] strides(long[] shape) {
      int[] s = new int[shape.length];
      int acc = 1;
      for (int a = shape.length - 1; a >= 0; a--) {
        s[a] = acc;
        acc *= (int) shape[a];
      }
      return s;
    }

    void run(Visitor visitor) {
      for (int r : range) {
        if (r == 0) {
          return;
        }
      }
      int n = operands.size();
      int[] value = new int[range.length];
      int[] offsets = new int[n];
      double[] values = new double[n];
      int[] convOut = new int[convs.length];
      while (true) {
        boolean kept = true;
        for (int c = 0; c < convs.length && kept; c++) {
          int x = 0;
          for (int r = 0; r < convVars[c].length; r++) {
            x += convs[c].realPosition(r, value[convVars[c][r]]);
          }
          convOut[c] = convs[c].outputPosition(x);
          kept = convOut[c] >= 0;
        }
        if (kept) {
          for (int k = 0; k < n; k++) {
            int off = 0;
            for (int a = 0; a < axisVar[k].length; a++) {
              int v = axisVar[k][a];
              off += v < 0 ? 0 : value[v] * axisStride[k][a];
            }
            offsets[k] = off;
            values[k] = operands.get(k).getFlat(off);
          }
          int outOff = 0;
          for (int a = 0; a < outStride.length; a++) {
            int pos = outVar[a] >= 0 ? value[outVar[a]] : convOut[outConv[a]];
            outOff += pos * outStride[a];
          }
          visitor.visit(offsets, outOff, values);
        }
        int v = range.length - 1;
        while (v >= 0 && ++value[v] == range[v]) {
          value[v--] = 0;
        }
        if (v < 0) {
          return;
        }
      }
    }
  }
}
