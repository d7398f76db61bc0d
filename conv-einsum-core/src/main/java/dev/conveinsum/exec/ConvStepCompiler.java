package dev.conveinsum.exec;

import static dev.conveinsum.exec.StepIds.concat;
import static dev.conveinsum.exec.StepIds.contains;
import static dev.conveinsum.exec.StepIds.indexOf;
import static dev.conveinsum.exec.StepIds.leadingSummed;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.DepthwiseProblem;
import dev.conveinsum.exec.StepCompiler.OutAxis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Lowers a pairwise step that convolves at least one index to one {@link ConvProblem} (or a
 * depthwise one) and the data movements around it: reversal, dilation and circular folding of
 * the input-side operand, permutation to the kernel layout, and afterwards the reversals and
 * sums that give the result its real positions.
 */
final class ConvStepCompiler {
  private ConvStepCompiler() {}

  /**
   * Compiles a step with convolved indices; operand axes that neither the other operand nor the
   * result holds are already summed.
   *
   * @param pb the program being built
   * @param u first operand slot
   * @param v second operand slot
   * @param outIds the ids the result keeps (conv ids summed after convolving excluded)
   * @param exact whether the result must have exactly the order of {@code outIds}
   * @param conv the convolved ids (held by both operands) and where their results sit
   * @return the result slot
   */
  static int compile(ProgramBuilder pb, int u, int v, int[] outIds, boolean exact,
      Map<Integer, OutAxis> conv) {
    Layout lu = pb.layout(u);
    Layout lv = pb.layout(v);
    if (lu.size() == 0 || lv.size() == 0) {
      // An empty operand: no pair of positions exists, so every output is an empty sum.
      return zeros(pb, lu, lv, outIds, exact, conv);
    }
    int nc = conv.size();
    int[] convIds = conv.keySet().stream().mapToInt(Integer::intValue).toArray();
    long[] c = new long[nc];
    int[] tu = new int[nc];
    int[] tv = new int[nc];
    int[] tw = new int[nc];
    int[] period = new int[nc];
    int[] nw = new int[nc];
    for (int i = 0; i < nc; i++) {
      int au = lu.axisOf(convIds[i]);
      int av = lv.axisOf(convIds[i]);
      OutAxis o = conv.get(convIds[i]);
      tu[i] = lu.dims[au] == 1 ? 1 : lu.step[au];
      tv[i] = lv.dims[av] == 1 ? 1 : lv.step[av];
      tw[i] = o.length() == 1 ? 1 : o.step();
      nw[i] = o.length();
      period[i] = o.period();
      c[i] = (long) lu.start[au] + lv.start[av] - o.start();
      int g = gcd(gcd(Math.abs(tu[i]), Math.abs(tv[i])), gcd(Math.abs(tw[i]), period[i]));
      if (Math.floorMod(c[i], g) != 0) {
        return zeros(pb, lu, lv, outIds, exact, conv);
      }
      c[i] /= g;
      tu[i] /= g;
      tv[i] /= g;
      tw[i] /= g;
      period[i] /= g;
    }
    // The input-side operand X needs unit steps; prefer the longer one (the signal).
    boolean uUnit = allUnit(tu);
    boolean vUnit = allUnit(tv);
    boolean xIsU = uUnit && (!vUnit || spatial(lu, convIds) >= spatial(lv, convIds))
        || !uUnit && !vUnit;
    int x = xIsU ? u : v;
    int f = xIsU ? v : u;
    int[] tx = xIsU ? tu : tv;
    int[] tf = xIsU ? tv : tu;
    for (int i = 0; i < nc; i++) {
      int ax = pb.layout(x).axisOf(convIds[i]);
      int n = pb.layout(x).dims[ax];
      if (tx[i] < 0) {
        x = pb.reverse(x, ax);
        c[i] += (long) tx[i] * (n - 1);
        tx[i] = -tx[i];
      }
      if (tx[i] > 1) {
        x = pb.dilate(x, ax, tx[i]);
        n = (n - 1) * tx[i] + 1;
        tx[i] = 1;
      }
      if (period[i] > 0 && n > period[i]) {
        x = pb.fold(x, ax, (int) Math.floorMod(c[i], period[i]), period[i]);
        c[i] = 0;
      }
    }
    boolean[] reverseOut = new boolean[nc];
    for (int i = 0; i < nc; i++) {
      if (tw[i] < 0) {
        reverseOut[i] = true;
        c[i] -= (long) tw[i] * (nw[i] - 1);
        tw[i] = -tw[i];
      }
    }
    Layout lx = pb.layout(x);
    Layout lf = pb.layout(f);
    // Index roles for the kernel.
    List<Integer> groups = new ArrayList<>();
    List<Integer> xFree = new ArrayList<>();
    List<Integer> fFree = new ArrayList<>();
    List<Integer> contracted = new ArrayList<>();
    for (int id : lx.ids) {
      if (conv.containsKey(id)) {
        continue;
      }
      boolean inF = lf.has(id);
      boolean kept = contains(outIds, id);
      if (inF && kept) {
        groups.add(id);
      } else if (inF) {
        contracted.add(id);
      } else {
        xFree.add(id);
      }
    }
    for (int id : lf.ids) {
      if (!conv.containsKey(id) && !lx.has(id)) {
        fFree.add(id);
      }
    }
    if (!pb.portable && fFree.isEmpty() && contracted.isEmpty()) {
      int w = depthwiseStep(pb, x, f, lu, lv, outIds, exact, conv, convIds, c, tf, tw, nw,
          period, reverseOut);
      if (w >= 0) {
        return w;
      }
    }
    int[] tailSummed = pb.gradients && !pb.portable ? trailingSummed(lx, lf, contracted, convIds)
        : new int[0];
    if (tailSummed.length > 0) {
      // Summed axes stored after the convolved ones in both operands (w of a weight gradient
      // [b, q, h, w] with [b, p, h, w] convolving h) run as convolved axes whose output has one
      // position, so that neither operand is transposed to put them before h.
      int m = tailSummed.length;
      contracted.removeAll(Arrays.stream(tailSummed).boxed().toList());
      conv = new java.util.LinkedHashMap<>(conv);
      convIds = Arrays.copyOf(convIds, nc + m);
      c = Arrays.copyOf(c, nc + m);
      tf = Arrays.copyOf(tf, nc + m);
      tw = Arrays.copyOf(tw, nc + m);
      nw = Arrays.copyOf(nw, nc + m);
      period = Arrays.copyOf(period, nc + m);
      reverseOut = Arrays.copyOf(reverseOut, nc + m);
      for (int i = 0; i < m; i++) {
        // virtual positions x: i, f: -k, y: 0, so the one output sums x[k] f[k]
        convIds[nc + i] = tailSummed[i];
        tf[nc + i] = -1;
        tw[nc + i] = 1;
        nw[nc + i] = 1;
        conv.put(tailSummed[i], new OutAxis(0, 1, 1, 0));
      }
      nc += m;
    }
    int[] summedGroups = leadingSummed(lx, lf, outIds);
    // the engine sums the groups itself when they are all summed ones (no per-group result)
    boolean kernelSums = false;
    if (summedGroups.length > 0) {
      // Summed axes leading both operands (the batch of a weight gradient, [b, s, h, w] with
      // [b, t, h, w]) run as groups whose results are summed afterwards, when that copies less
      // than transposing both operands.
      List<Integer> lead = Arrays.stream(summedGroups).boxed().toList();
      List<Integer> g2 = new ArrayList<>(lead);
      g2.addAll(groups);
      List<Integer> k2 = new ArrayList<>(contracted);
      k2.removeAll(lead);
      long before = copied(lx, concat(groups, xFree, contracted, convIds))
          + copied(lf, concat(groups, fFree, contracted, convIds));
      long wide = 1;
      for (int id : g2) {
        wide *= lx.dims[lx.axisOf(id)];
      }
      for (int id : xFree) {
        wide *= lx.dims[lx.axisOf(id)];
      }
      for (int id : fFree) {
        wide *= lf.dims[lf.axisOf(id)];
      }
      for (int i = 0; i < nc; i++) {
        wide *= nw[i];
      }
      kernelSums = !pb.portable && groups.isEmpty();
      long after = copied(lx, concat(g2, xFree, k2, convIds))
          + copied(lf, concat(g2, fFree, k2, convIds)) + (kernelSums ? 0 : wide);
      if (after < before) {
        groups = g2;
        contracted = k2;
      } else {
        kernelSums = false;
        summedGroups = new int[0];
      }
    }
    int[] realConv = convIds;
    if (!Arrays.equals(lf.ids, concat(groups, fFree, contracted, convIds))) {
      // F is copied anyway: order its free axes as the result wants them, so that the kernel
      // writes the result in place (RCP's rebuilt kernel [x, i, y, j, ...] -> [x, y, z, ...])
      int[] want = outIds;
      fFree.sort(java.util.Comparator.comparingInt(id -> indexOf(want, id)));
    }
    int[] xOrder = concat(groups, xFree, contracted, convIds);
    int[] fOrder = concat(groups, fFree, contracted, convIds);
    int[] trivial = trailingFree(lx, groups, xFree, contracted, convIds, xOrder);
    if (trivial.length > 0) {
      // Free axes of X stored after its summed ones (h of [b, c, h, w] when convolving w) run
      // as convolved axes with a one-tap filter, so that X is read in place and Y keeps X's
      // order instead of both being permuted around the kernel.
      List<Integer> rest = new ArrayList<>(xFree);
      rest.removeAll(Arrays.stream(trivial).boxed().toList());
      xFree = rest;
      int[] tail = Arrays.copyOfRange(lx.ids, lx.rank() - trivial.length - nc, lx.rank());
      int[] fReal = Arrays.stream(tail).filter(id -> indexOf(realConv, id) < realConv.length)
          .toArray();
      f = pb.permute(f, concat(groups, fFree, contracted, fReal));
      Layout lf1 = pb.layout(f);
      int fb = lf1.rank() - nc;
      for (int a = 0; a < tail.length; a++) {
        if (indexOf(convIds, tail[a]) == nc) {
          lf1 = lf1.insert(fb + a, tail[a], 1, false, 0, 0);
        }
      }
      f = pb.alias(f, lf1);
      long[] c2 = new long[tail.length];
      int[] tf2 = new int[tail.length];
      int[] tw2 = new int[tail.length];
      int[] nw2 = new int[tail.length];
      int[] period2 = new int[tail.length];
      boolean[] rev2 = new boolean[tail.length];
      for (int a = 0; a < tail.length; a++) {
        int i = indexOf(convIds, tail[a]);
        if (i < nc) {
          c2[a] = c[i];
          tf2[a] = tf[i];
          tw2[a] = tw[i];
          nw2[a] = nw[i];
          period2[a] = period[i];
          rev2[a] = reverseOut[i];
        } else {
          tf2[a] = 1;
          tw2[a] = 1;
          nw2[a] = lx.dims[lx.axisOf(tail[a])];
        }
      }
      convIds = tail;
      nc = tail.length;
      c = c2;
      tf = tf2;
      tw = tw2;
      nw = nw2;
      period = period2;
      reverseOut = rev2;
      xOrder = lx.ids.clone();
      fOrder = lf1.ids.clone();
    }
    int[] yOrder = concat(groups, xFree, fFree, convIds);
    x = pb.permute(x, xOrder);
    f = pb.permute(f, fOrder);
    lx = pb.layout(x);
    lf = pb.layout(f);
    List<ConvDim> dims = new ArrayList<>();
    int base = xOrder.length - nc;
    int fbase = fOrder.length - nc;
    int[] ydims = new int[yOrder.length];
    for (int a = 0; a < yOrder.length - nc; a++) {
      int id = yOrder[a];
      ydims[a] = lx.has(id) ? lx.dims[lx.axisOf(id)] : lf.dims[lf.axisOf(id)];
    }
    // Virtual positions: pos_x(i) = i, pos_f(k) = c + tf*k, pos_y(y) = tw*y.
    Layout vx = lx.select(lx.ids);
    Layout vf = lf.select(lf.ids);
    for (int i = 0; i < nc; i++) {
      int nx = lx.dims[base + i];
      int nf = lf.dims[fbase + i];
      int pad;
      int dil;
      boolean flip;
      if (tf[i] < 0) {
        pad = Math.toIntExact(c[i]);
        dil = -tf[i];
        flip = false;
      } else {
        pad = Math.toIntExact(c[i] + (long) tf[i] * (nf - 1));
        dil = tf[i];
        flip = true;
      }
      dims.add(new ConvDim(nx, nf, nw[i], tw[i], dil, pad, flip, period[i]));
      ydims[yOrder.length - nc + i] = nw[i];
      vx = vx.withAxis(base + i, nx, true, 0, 1);
      vf = vf.withAxis(fbase + i, nf, true, Math.toIntExact(c[i]), tf[i]);
    }
    int gSize = product(lx, 0, groups.size());
    int bSize = product(lx, groups.size(), groups.size() + xFree.size());
    int cSize = product(lx, groups.size() + xFree.size(), base);
    int tSize = product(lf, groups.size(), groups.size() + fFree.size());
    ConvProblem problem = new ConvProblem(gSize, bSize, tSize, cSize, dims);
    int xs = pb.alias(x, vx);
    int fs = pb.alias(f, vf);
    Layout vy = Layout.plain(yOrder, ydims);
    for (int i = 0; i < nc; i++) {
      int a = yOrder.length - nc + i;
      vy = vy.withAxis(a, nw[i], true, 0, tw[i]);
    }
    if (kernelSums) {
      // the kernel's result has no group axes: they are summed
      for (int i = 0; i < summedGroups.length; i++) {
        vy = vy.without(0);
      }
      yOrder = Arrays.copyOfRange(yOrder, summedGroups.length, yOrder.length);
      summedGroups = new int[0];
    }
    int y = pb.slot(vy);
    KernelOp op = new KernelOp(xs, fs, y, problem, convIds, period);
    op.oneTapIds = trivial;
    op.summedGroups = kernelSums;
    pb.add(op);
    if (trivial.length > 0) {
      // the one-tap axes are free again: only the real convolved axes are reversed or summed
      boolean[] rev = new boolean[realConv.length];
      for (int i = 0; i < realConv.length; i++) {
        rev[i] = reverseOut[indexOf(convIds, realConv[i])];
      }
      return finish(pb, y, vy, yOrder, lu, lv, outIds, exact, conv, realConv, rev,
          summedGroups);
    }
    return finish(pb, y, vy, yOrder, lu, lv, outIds, exact, conv, convIds, reverseOut,
        summedGroups);
  }

  /**
   * The summed ids that both operands store after their convolved ids, in the same order, with
   * the convolved ids in the same order too and both of equal length along each summed id: the
   * tail {@code [h, w]} of {@code [b, q, h, w]} and {@code [b, p, h, w]} when convolving h and
   * summing w gives {@code [w]}. Else none.
   */
  private static int[] trailingSummed(Layout lx, Layout lf, List<Integer> contracted,
      int[] convIds) {
    int nc = convIds.length;
    int s = lx.rank();
    while (s > 0 && contracted.contains(lx.ids[s - 1])) {
      s--;
    }
    int m = lx.rank() - s;
    if (m == 0 || s < nc || lf.rank() < nc + m) {
      return new int[0];
    }
    int[] tail = Arrays.copyOfRange(lx.ids, s, lx.rank());
    int[] xConv = Arrays.copyOfRange(lx.ids, s - nc, s);
    int[] fTail = Arrays.copyOfRange(lf.ids, lf.rank() - m, lf.rank());
    int[] fConv = Arrays.copyOfRange(lf.ids, lf.rank() - m - nc, lf.rank() - m);
    if (!Arrays.equals(tail, fTail) || !Arrays.equals(xConv, fConv)) {
      return new int[0];
    }
    for (int id : xConv) {
      if (indexOf(convIds, id) == nc) {
        return new int[0];
      }
    }
    for (int id : tail) {
      if (lx.dims[lx.axisOf(id)] != lf.dims[lf.axisOf(id)]) {
        return new int[0];
      }
    }
    return tail;
  }

  /** Elements a permute to {@code order} copies: none when the layout has that order. */
  private static long copied(Layout l, int[] order) {
    return Arrays.equals(l.ids, order) ? 0 : l.size();
  }

  /**
   * The free ids of X that its layout stores after the summed ones, when running them as
   * one-tap convolved axes lets the kernel read X in place (X stored as groups, the other free
   * ids, the summed ids, then these and the convolved ids); else none.
   */
  private static int[] trailingFree(Layout lx, List<Integer> groups, List<Integer> xFree,
      List<Integer> contracted, int[] convIds, int[] xOrder) {
    if (Arrays.equals(lx.ids, xOrder) || convIds.length == 0) {
      return new int[0];
    }
    int s = lx.rank();
    while (s > 0 && (xFree.contains(lx.ids[s - 1]) || indexOf(convIds, lx.ids[s - 1])
        < convIds.length)) {
      s--;
    }
    int[] tail = Arrays.copyOfRange(lx.ids, s, lx.rank());
    int[] free = Arrays.stream(tail).filter(xFree::contains).toArray();
    if (free.length == 0 || tail.length - free.length != convIds.length || tail.length > 3) {
      return new int[0];
    }
    List<Integer> rest = new ArrayList<>(xFree);
    rest.removeAll(Arrays.stream(free).boxed().toList());
    return Arrays.equals(lx.ids, concat(groups, rest, contracted, tail)) ? free : new int[0];
  }

  /** Most taps of a depthwise step run in place (longer filters may pay for FFT). */
  static final long DEPTHWISE_MAX_TAPS = 64;

  /**
   * A step whose filter holds only group and convolved indices and whose input sums nothing
   * but taps (a depthwise convolution) runs on the input's own layout: no operand is permuted,
   * and the result keeps the input's axis order. Returns -1 when the kernel has no fast form
   * for the layout (the last axis convolved with a stride, period or length change).
   */
  private static int depthwiseStep(ProgramBuilder pb, int x, int f, Layout lu, Layout lv,
      int[] outIds, boolean exact, Map<Integer, OutAxis> conv, int[] convIds, long[] c,
      int[] tf, int[] tw, int[] nw, int[] period, boolean[] reverseOut) {
    Layout lx = pb.layout(x);
    Layout lf = pb.layout(f);
    int n = lx.rank();
    int nc = convIds.length;
    int[] kinds = new int[n];
    ConvDim[] dims = new ConvDim[n];
    long taps = 1;
    for (int a = 0; a < n; a++) {
      int id = lx.ids[a];
      int i = indexOf(convIds, id);
      if (i < nc) {
        int nf = lf.dims[lf.axisOf(id)];
        taps *= nf;
        kinds[a] = DepthwiseProblem.CONV;
        dims[a] = convDim(lx.dims[a], nf, nw[i], tw[i], tf[i], c[i], period[i]);
      } else {
        kinds[a] = lf.has(id) ? DepthwiseProblem.GROUP : DepthwiseProblem.FREE;
      }
    }
    DepthwiseProblem problem = new DepthwiseProblem(lx.dims, kinds, dims);
    if (taps > DEPTHWISE_MAX_TAPS || !problem.runsInPlace()) {
      return -1;
    }
    int[] fOrder = Arrays.stream(lx.ids).filter(lf::has).toArray();
    f = pb.permute(f, fOrder);
    lf = pb.layout(f);
    Layout vx = lx.select(lx.ids);
    Layout vf = lf.select(lf.ids);
    Layout vy = Layout.plain(lx.ids, problem.outDims());
    for (int i = 0; i < nc; i++) {
      int ax = lx.axisOf(convIds[i]);
      int af = lf.axisOf(convIds[i]);
      vx = vx.withAxis(ax, lx.dims[ax], true, 0, 1);
      vf = vf.withAxis(af, lf.dims[af], true, Math.toIntExact(c[i]), tf[i]);
      vy = vy.withAxis(ax, nw[i], true, 0, tw[i]);
    }
    int xs = pb.alias(x, vx);
    int fs = pb.alias(f, vf);
    int y = pb.slot(vy);
    pb.add(new KernelOp(xs, fs, y, problem, convIds, period));
    return finish(pb, y, vy, lx.ids, lu, lv, outIds, exact, conv, convIds, reverseOut,
        new int[0]);
  }

  /** The kernel's dimension for virtual positions x: i, f: c + tf*k, y: tw*y. */
  private static ConvDim convDim(int nx, int nf, int nw, int tw, int tf, long c, int period) {
    if (tf < 0) {
      return new ConvDim(nx, nf, nw, tw, -tf, Math.toIntExact(c), false, period);
    }
    return new ConvDim(nx, nf, nw, tw, tf, Math.toIntExact(c + (long) tf * (nf - 1)), true,
        period);
  }

  /** Gives a kernel's result its real positions, then reverses, sums and orders as asked. */
  private static int finish(ProgramBuilder pb, int y, Layout vy, int[] yOrder, Layout lu,
      Layout lv, int[] outIds, boolean exact, Map<Integer, OutAxis> conv, int[] convIds,
      boolean[] reverseOut, int[] summedGroups) {
    int nc = convIds.length;
    // Real layout of the result: pass-through positions from the operands, targets for conv.
    Layout real = vy.select(yOrder);
    for (int a = 0; a < yOrder.length; a++) {
      int id = yOrder[a];
      OutAxis o = conv.get(id);
      if (o != null) {
        int i = indexOf(convIds, id);
        real = reverseOut[i]
            ? real.withAxis(a, o.length(), true, o.start() + o.step() * (o.length() - 1),
                -o.step())
            : real.withAxis(a, o.length(), true, o.start(), o.step());
      } else {
        Layout from = lu.has(id) ? lu : lv;
        int fa = from.axisOf(id);
        real = real.withAxis(a, real.dims[a], from.positioned[fa], from.start[fa], from.step[fa]);
      }
    }
    int w = pb.alias(y, real);
    // summed groups first, so that reversals move the small result
    for (int id : summedGroups) {
      w = pb.reduce(w, pb.layout(w).axisOf(id));
    }
    for (int i = 0; i < nc; i++) {
      if (reverseOut[i]) {
        w = pb.reverse(w, pb.layout(w).axisOf(convIds[i]));
      }
    }
    for (int id : convIds) {
      if (!contains(outIds, id)) {
        w = pb.reduce(w, pb.layout(w).axisOf(id));
      }
    }
    return exact ? pb.permute(w, outIds) : w;
  }

  /** A result that is zero everywhere: no pair of positions meets an output position. */
  private static int zeros(ProgramBuilder pb, Layout lu, Layout lv, int[] outIds, boolean exact,
      Map<Integer, OutAxis> conv) {
    int[] dims = new int[outIds.length];
    Layout l = Layout.plain(outIds, dims);
    for (int a = 0; a < outIds.length; a++) {
      int id = outIds[a];
      OutAxis o = conv.get(id);
      if (o != null) {
        l = l.withAxis(a, o.length(), true, o.start(), o.step());
      } else {
        Layout from = lu.has(id) ? lu : lv;
        int fa = from.axisOf(id);
        l = l.withAxis(a, from.dims[fa], from.positioned[fa], from.start[fa], from.step[fa]);
      }
    }
    int s = pb.slot(l);
    return pb.add(new ZeroOp(s, l.size()));
  }

  private static boolean allUnit(int[] t) {
    for (int s : t) {
      if (Math.abs(s) != 1) {
        return false;
      }
    }
    return true;
  }

  private static long spatial(Layout l, int[] convIds) {
    long n = 1;
    for (int id : convIds) {
      n *= l.dims[l.axisOf(id)];
    }
    return n;
  }

  private static int product(Layout l, int from, int to) {
    long n = 1;
    for (int a = from; a < to; a++) {
      n *= l.dims[a];
    }
    return Math.toIntExact(n);
  }

  static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return Math.abs(a);
  }
}
