package dev.conveinsum.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;

/**
 * The atomic kernel and the data movements of a {@code ForwardProgram} as DJL {@link NDArray}
 * operations, all differentiable by DJL's autograd.
 *
 * <p>A convolution step becomes: flip the filter along the convolved axes of a true
 * convolution; cut (or zero-pad, or for circular padding wrap) the input to exactly the window
 * the outputs read, so that what remains is an unpadded cross-correlation; then one grouped
 * {@code conv1d/2d/3d} call with stride and dilation (groups = the step's batch indices). Steps
 * with more than three convolved axes unfold their leading convolved axes into rows and
 * channels (im2col) until the rest fits; float32 CPU steps take the route {@link OneDnnCheck}
 * chose (all axes unfolded, leaving a batched GEMM, or the step in float64) when libtorch's
 * oneDNN convolution is not trusted.
 */
final class NdKernels {
  private NdKernels() {}

  /** The most convolved axes one DJL convolution call takes. */
  static final int MAX_CONV_DIMS = 3;

  /**
   * Runs a kernel problem.
   *
   * @param x the input, any shape holding the problem's X elements in order
   * @param f the filter, likewise
   * @param p the problem
   * @param yShape the shape of the result slot
   * @param route how a convolution is computed (GEMM steps ignore it)
   * @return the result, of {@code yShape}
   */
  static NDArray kernel(NDArray x, NDArray f, ConvProblem p, Shape yShape,
      OneDnnCheck.Route route) {
    if (route == OneDnnCheck.Route.FLOAT64 && !p.dims().isEmpty()
        && x.getDataType() != DataType.FLOAT64) {
      DataType type = x.getDataType();
      return cast(kernel(cast(x, DataType.FLOAT64), cast(f, DataType.FLOAT64), p, yShape,
          OneDnnCheck.Route.DIRECT), type);
    }
    int maxConvDims = route == OneDnnCheck.Route.IM2COL ? 0 : MAX_CONV_DIMS;
    long g = p.groups();
    long b = p.batch();
    long t = p.outChannels();
    long c = p.inChannels();
    if (p.dims().isEmpty()) {
      return gemm(x, f, p).reshape(yShape);
    }
    int n = p.rank();
    for (ConvDim d : p.dims()) {
      if (d.outLength() == 0) {
        return x.getManager().zeros(yShape, x.getDataType());
      }
    }
    if (n <= maxConvDims) {
      NDArray y = direct(x, f, p, yShape);
      if (y != null) {
        return y;
      }
    }
    long[] xs = new long[3 + n];
    long[] fs = new long[3 + n];
    xs[0] = g;
    xs[1] = b;
    xs[2] = c;
    fs[0] = g;
    fs[1] = t;
    fs[2] = c;
    int flips = 0;
    for (int i = 0; i < n; i++) {
      xs[3 + i] = p.dims().get(i).inLength();
      fs[3 + i] = p.dims().get(i).kernelLength();
      flips += p.dims().get(i).flip() ? 1 : 0;
    }
    NDArray xv = x.reshape(xs);
    NDArray fv = f.reshape(fs);
    if (flips > 0) {
      int[] axes = new int[flips];
      for (int i = 0, j = 0; i < n; i++) {
        if (p.dims().get(i).flip()) {
          axes[j++] = 3 + i;
        }
      }
      fv = fv.flip(axes);
    }
    int[] stride = new int[n];
    int[] dilation = new int[n];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      ConvDim d = p.dims().get(i);
      xv = window(xv, 3 + i, d);
      stride[i] = d.stride();
      dilation[i] = d.dilation();
      out[i] = d.outLength();
    }
    return validConv(xv, fv, g, b, t, c, stride, dilation, out, maxConvDims).reshape(yShape);
  }

  /**
   * One DJL convolution call with as few copies as the layouts allow: the input slot's axes
   * (groups, rows, channels, conv) are transposed to torch's order (rows, groups, channels,
   * conv) as a view, so that the one reshape to {@code [B, G*C, x...]} is the only copy, and
   * the output is handed back as a view in the slot's order. Symmetric zero padding goes to
   * the convolution itself. Returns null when the slot shapes do not split into the problem's
   * blocks (then the general path runs).
   */
  private static NDArray direct(NDArray x, NDArray f, ConvProblem p, Shape yShape) {
    int n = p.rank();
    long g = p.groups();
    long b = p.batch();
    long t = p.outChannels();
    long c = p.inChannels();
    long[] xd = x.getShape().getShape();
    long[] yd = yShape.getShape();
    int[] xb = blocks(xd, xd.length - n, g, b, c);
    int[] yb = blocks(yd, yd.length - n, g, b, t);
    if (xb == null || yb == null) {
      return null;
    }
    // [G.., B.., C.., x...] -> [B.., G.., C.., x...] (a view) -> [B, G*C, x...]
    long[] xs = new long[2 + n];
    xs[0] = b;
    xs[1] = g * c;
    for (int i = 0; i < n; i++) {
      xs[2 + i] = p.dims().get(i).inLength();
    }
    NDArray xin = swapBlocks(x, xb[0], xb[1]).reshape(xs);
    long[] ws = new long[2 + n];
    ws[0] = g * t;
    ws[1] = c;
    int flips = 0;
    for (int i = 0; i < n; i++) {
      ws[2 + i] = p.dims().get(i).kernelLength();
      flips += p.dims().get(i).flip() ? 1 : 0;
    }
    NDArray w = f.reshape(ws);
    if (flips > 0) {
      int[] axes = new int[flips];
      for (int i = 0, j = 0; i < n; i++) {
        if (p.dims().get(i).flip()) {
          axes[j++] = 2 + i;
        }
      }
      w = w.flip(axes);
    }
    long[] st = new long[n];
    long[] di = new long[n];
    long[] pad = new long[n];
    for (int i = 0; i < n; i++) {
      ConvDim d = p.dims().get(i);
      st[i] = d.stride();
      di[i] = d.dilation();
      long left = d.padLeft();
      long right = (long) d.window() - left - d.inLength();
      if (d.period() == 0 && left == right && left >= 0) {
        pad[i] = left;
      } else {
        xin = window(xin, 2 + i, d);
      }
    }
    Shape sStride = new Shape(st);
    Shape sPad = new Shape(pad);
    Shape sDil = new Shape(di);
    int groups = Math.toIntExact(g);
    NDList out = switch (n) {
      case 1 -> Conv1d.conv1d(xin, w, null, sStride, sPad, sDil, groups);
      case 2 -> Conv2d.conv2d(xin, w, null, sStride, sPad, sDil, groups);
      default -> Conv3d.conv3d(xin, w, null, sStride, sPad, sDil, groups);
    };
    // [B, G*T, y...] -> [B.., G.., T.., y...] (a view) -> the slot's [G.., B.., T.., y...]
    long[] split = new long[yd.length];
    int k = 0;
    for (int a = yb[0]; a < yb[1]; a++) {
      split[k++] = yd[a];
    }
    for (int a = 0; a < yb[0]; a++) {
      split[k++] = yd[a];
    }
    for (int a = yb[1]; a < yd.length; a++) {
      split[k++] = yd[a];
    }
    return swapBlocks(out.singletonOrThrow().reshape(split), yb[1] - yb[0], yb[1]);
  }

  /**
   * Splits the leading {@code count} axes of a shape into consecutive blocks whose sizes
   * multiply to the given products; returns the ends of the first two blocks, or null.
   */
  static int[] blocks(long[] dims, int count, long... products) {
    int a = 0;
    int[] ends = new int[products.length];
    for (int i = 0; i < products.length; i++) {
      long acc = 1;
      while (acc < products[i] && a < count) {
        acc *= dims[a++];
      }
      if (acc != products[i]) {
        return null;
      }
      ends[i] = a;
    }
    return a == count || allOnes(dims, a, count) ? new int[] {ends[0], ends[1]} : null;
  }

  private static boolean allOnes(long[] dims, int from, int to) {
    for (int a = from; a < to; a++) {
      if (dims[a] != 1) {
        return false;
      }
    }
    return true;
  }

  /** Moves axes {@code [mid, end)} in front of axes {@code [0, mid)} (a view). */
  private static NDArray swapBlocks(NDArray x, int mid, int end) {
    if (mid == 0 || mid == end) {
      return x;
    }
    int rank = x.getShape().dimension();
    int[] perm = new int[rank];
    int k = 0;
    for (int a = mid; a < end; a++) {
      perm[k++] = a;
    }
    for (int a = 0; a < mid; a++) {
      perm[k++] = a;
    }
    for (int a = end; a < rank; a++) {
      perm[k++] = a;
    }
    return x.transpose(perm);
  }

  /** {@code Y = X F^T} per group, reading the operands in the layouts the problem's flags name. */
  private static NDArray gemm(NDArray x, NDArray f, ConvProblem p) {
    long g = p.groups();
    long b = p.batch();
    long t = p.outChannels();
    long c = p.inChannels();
    // X as [G, B, C], F^T as [(G,) C, T] (views; matMul reads strided operands).
    NDArray xm = p.xTransposed() ? x.reshape(g, c, b).transpose(0, 2, 1) : x.reshape(g, b, c);
    NDArray fm;
    if (p.fShared()) {
      fm = p.fTransposed() ? f.reshape(c, t) : f.reshape(t, c).transpose(1, 0);
    } else {
      fm = p.fTransposed() ? f.reshape(g, c, t) : f.reshape(g, t, c).transpose(0, 2, 1);
    }
    if (p.yTransposed()) {
      // Y^T = F X^T, written directly in [G, T, B].
      NDArray ft = p.fShared() ? fm.transpose(1, 0) : fm.transpose(0, 2, 1);
      return ft.matMul(xm.transpose(0, 2, 1));
    }
    return xm.matMul(fm);
  }

  /**
   * Cuts axis {@code axis} of {@code x} to the input positions the outputs of {@code d} read,
   * so that the dimension becomes an unpadded cross-correlation: zero padding where the window
   * leaves the input, wrap-around for a circular dimension.
   */
  static NDArray window(NDArray x, int axis, ConvDim d) {
    long lo = -(long) d.padLeft();
    long len = d.window();
    long n = d.inLength();
    if (d.period() > 0) {
      long period = d.period();
      NDArray v = x;
      if (n < period) {
        v = padAxis(v, axis, 0, period - n);
      } else if (n > period) {
        throw new IllegalStateException("internal: circular input of " + n
            + " elements over a period of " + period);
      }
      long start = Math.floorMod(lo, period);
      long reps = (start + len + period - 1) / period;
      if (reps > 1) {
        long[] times = new long[v.getShape().dimension()];
        java.util.Arrays.fill(times, 1);
        times[axis] = reps;
        v = v.tile(times);
      }
      return slice(v, axis, start, start + len, 1);
    }
    long from = Math.max(0, lo);
    long to = Math.min(n, lo + len);
    if (to <= from) {
      long[] shape = x.getShape().getShape().clone();
      shape[axis] = len;
      return x.getManager().zeros(new Shape(shape), x.getDataType());
    }
    NDArray v = from == 0 && to == n ? x : slice(x, axis, from, to, 1);
    long left = from - lo;
    long right = lo + len - to;
    return left == 0 && right == 0 ? v : padAxis(v, axis, left, right);
  }

  /**
   * An unpadded grouped cross-correlation: X {@code [G, B, C, x...]} (each x exactly the window),
   * F {@code [G, T, C, k...]}; returns Y {@code [G, B, T, y...]}.
   */
  private static NDArray validConv(NDArray x, NDArray f, long g, long b, long t, long c,
      int[] stride, int[] dilation, int[] out, int maxConvDims) {
    int n = out.length;
    if (n > maxConvDims) {
      return unfoldFirst(x, f, g, b, t, c, stride, dilation, out, maxConvDims);
    }
    if (n == 0) {
      // Everything unfolded: [G, B, C] x [G, T, C]^T.
      return x.reshape(g, b, c).matMul(f.reshape(g, t, c).transpose(0, 2, 1));
    }
    long[] xs = new long[2 + n];
    long[] ws = new long[2 + n];
    long[] ys = new long[3 + n];
    xs[0] = b;
    xs[1] = g * c;
    ws[0] = g * t;
    ws[1] = c;
    ys[0] = b;
    ys[1] = g;
    ys[2] = t;
    long[] st = new long[n];
    long[] di = new long[n];
    long[] pad = new long[n];
    for (int i = 0; i < n; i++) {
      xs[2 + i] = x.getShape().get(3 + i);
      ws[2 + i] = f.getShape().get(3 + i);
      ys[3 + i] = out[i];
      st[i] = stride[i];
      di[i] = dilation[i];
    }
    // [G, B, C, x...] -> [B, G*C, x...]: a copy only when there are several groups.
    NDArray xin = g == 1 ? x.reshape(xs) : x.swapAxes(0, 1).reshape(xs);
    NDArray w = f.reshape(ws);
    Shape sStride = new Shape(st);
    Shape sPad = new Shape(pad);
    Shape sDil = new Shape(di);
    int groups = Math.toIntExact(g);
    NDList y = switch (n) {
      case 1 -> Conv1d.conv1d(xin, w, null, sStride, sPad, sDil, groups);
      case 2 -> Conv2d.conv2d(xin, w, null, sStride, sPad, sDil, groups);
      default -> Conv3d.conv3d(xin, w, null, sStride, sPad, sDil, groups);
    };
    NDArray yv = y.singletonOrThrow();
    if (g == 1) {
      ys[0] = 1;
      ys[1] = b;
      return yv.reshape(ys);
    }
    return yv.reshape(ys).swapAxes(0, 1);
  }

  /**
   * im2col along the first convolved axis: its output positions join the rows (B) and its taps
   * the channels (C), leaving a problem with one convolved axis fewer.
   */
  private static NDArray unfoldFirst(NDArray x, NDArray f, long g, long b, long t, long c,
      int[] stride, int[] dilation, int[] out, int maxConvDims) {
    int n = out.length;
    long taps = f.getShape().get(3);
    long o = out[0];
    NDList cols = new NDList();
    for (long j = 0; j < taps; j++) {
      long start = j * dilation[0];
      cols.add(slice(x, 3, start, start + (o - 1) * stride[0] + 1, stride[0]));
    }
    // [G, B, C, O, K, rest...] -> [G, B, O, C, K, rest...] -> [G, B*O, C*K, rest...]
    NDArray unf = NDArrays.stack(cols, 4).swapAxes(2, 3);
    long[] xs = new long[2 + n];
    xs[0] = g;
    xs[1] = b * o;
    xs[2] = c * taps;
    long[] fs = new long[2 + n];
    fs[0] = g;
    fs[1] = t;
    fs[2] = c * taps;
    for (int i = 1; i < n; i++) {
      xs[2 + i] = x.getShape().get(3 + i);
      fs[2 + i] = f.getShape().get(3 + i);
    }
    NDArray y = validConv(unf.reshape(xs), f.reshape(fs), g, b * o, t, c * taps,
        tail(stride), tail(dilation), tail(out), maxConvDims);
    // [G, B*O, T, rest...] -> [G, B, O, T, rest...] -> [G, B, T, O, rest...]
    long[] ys = new long[4 + n - 1];
    ys[0] = g;
    ys[1] = b;
    ys[2] = o;
    ys[3] = t;
    for (int i = 1; i < n; i++) {
      ys[3 + i] = out[i];
    }
    return y.reshape(ys).swapAxes(2, 3);
  }

  /**
   * Converts to another element type, differentiably: DJL's {@code toType} leaves the autograd
   * graph, an in-place add into zeros of the new type stays in it.
   */
  static NDArray cast(NDArray x, DataType type) {
    if (x.getDataType() == type) {
      return x;
    }
    return x.getManager().zeros(x.getShape(), type, x.getDevice()).addi(x);
  }

  /** Sums one axis. */
  static NDArray reduce(NDArray x, int axis) {
    return x.sum(new int[] {axis});
  }

  /** Inserts {@code factor - 1} zeros between consecutive elements of an axis. */
  static NDArray dilate(NDArray x, int axis, int factor) {
    long n = x.getShape().get(axis);
    NDArray v = padAxis(x.expandDims(axis + 1), axis + 1, 0, factor - 1);
    long[] shape = x.getShape().getShape().clone();
    shape[axis] = n * factor;
    return slice(v.reshape(shape), axis, 0, (n - 1) * factor + 1, 1);
  }

  /** Adds element {@code e} of an axis into {@code floorMod(e + shift, period)}. */
  static NDArray fold(NDArray x, int axis, int shift, int period) {
    long n = x.getShape().get(axis);
    long s = Math.floorMod(shift, period);
    long rows = (s + n + period - 1) / period;
    NDArray v = padAxis(x, axis, s, rows * period - s - n);
    long[] shape = x.getShape().getShape();
    long[] split = new long[shape.length + 1];
    for (int a = 0, k = 0; a < shape.length; a++) {
      if (a == axis) {
        split[k++] = rows;
        split[k++] = period;
      } else {
        split[k++] = shape[a];
      }
    }
    return v.reshape(split).sum(new int[] {axis});
  }

  /** Elements {@code [from, to)} (every {@code step}-th) of one axis. */
  static NDArray slice(NDArray x, int axis, long from, long to, long step) {
    NDIndex index = new NDIndex();
    if (axis > 0) {
      index.addAllDim(axis);
    }
    index.addSliceDim(from, to, step);
    return x.get(index);
  }

  /** Zero padding of one axis. */
  static NDArray padAxis(NDArray x, int axis, long left, long right) {
    if (left == 0 && right == 0) {
      return x;
    }
    int rank = x.getShape().dimension();
    // Pairs from the last axis backwards, as torch's constant_pad_nd takes them.
    long[] pad = new long[2 * (rank - axis)];
    pad[2 * (rank - 1 - axis)] = left;
    pad[2 * (rank - 1 - axis) + 1] = right;
    return x.pad(new Shape(pad), 0);
  }

  private static int[] tail(int[] a) {
    return java.util.Arrays.copyOfRange(a, 1, a.length);
  }

}
