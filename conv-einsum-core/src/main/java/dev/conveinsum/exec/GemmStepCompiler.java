package dev.conveinsum.exec;

import static dev.conveinsum.exec.StepIds.concat;
import static dev.conveinsum.exec.StepIds.contains;
import static dev.conveinsum.exec.StepIds.indexOf;
import static dev.conveinsum.exec.StepIds.leadingSummed;
import static dev.conveinsum.exec.StepIds.toArray;

import dev.conveinsum.engine.ConvProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lowers a pairwise step that convolves nothing to one batched GEMM {@link ConvProblem}, choosing
 * operand roles, axis orders and transposition flags so that as few elements as possible are
 * copied.
 */
final class GemmStepCompiler {
  private GemmStepCompiler() {}

  /** One way to run a GEMM step: roles, orders, layout flags, and the elements it copies. */
  private record GemmChoice(boolean xIsU, int[] outer, List<Integer> groups, List<Integer> xb,
      List<Integer> fFree, List<Integer> contracted, boolean xT, boolean fT, boolean yT,
      long copied) {
    /** X stored transposed but Y not: the engine then reads X transposed, its slow case. */
    boolean slowOrientation() {
      return xT && !yT;
    }
  }

  /**
   * A step that convolves nothing: a batched GEMM. Of the role assignments and layouts the
   * kernel accepts (X or F transposed, F shared by leading free axes of X, Y transposed) it
   * takes the one that copies the fewest elements, so that most steps read their operands in
   * place (the TTGT idea, with the transposes folded into the GEMM).
   */
  static int compile(ProgramBuilder pb, int u, int v, int[] outIds, boolean exact) {
    Layout lu = pb.layout(u);
    Layout lv = pb.layout(v);
    GemmChoice plain = gemmChoice(lu, lv, outIds, exact);
    int[] lead = leadingSummed(lu, lv, outIds);
    if (lead.length > 0 && plain.copied() > 0) {
      // Summed axes that lead both operands (the batch b of a 1x1 step's weight gradient,
      // [b, s, hw] with [b, r, hw]) can run as groups of the GEMM, whose per-group results are
      // then summed: cheaper than transposing both operands when the result is small.
      int[] wide = new int[lead.length + outIds.length];
      System.arraycopy(lead, 0, wide, 0, lead.length);
      System.arraycopy(outIds, 0, wide, lead.length, outIds.length);
      GemmChoice grouped = gemmChoice(lu, lv, wide, false);
      long after = sizeOf(lu, lv, wide) + (exact ? sizeOf(lu, lv, outIds) : 0);
      if (grouped.copied() + after < plain.copied()) {
        int y = emitGemm(pb, u, v, grouped);
        for (int id : lead) {
          y = pb.reduce(y, pb.layout(y).axisOf(id));
        }
        return exact ? pb.permute(y, outIds) : y;
      }
    }
    int y = emitGemm(pb, u, v, plain);
    return exact ? pb.permute(y, outIds) : y;
  }

  /** The GEMM layout choice that copies the fewest elements. */
  private static GemmChoice gemmChoice(Layout lu, Layout lv, int[] outIds, boolean exact) {
    GemmChoice best = null;
    for (boolean xIsU : new boolean[] {true, false}) {
      Layout lx = xIsU ? lu : lv;
      Layout lf = xIsU ? lv : lu;
      List<Integer> groups = new ArrayList<>();
      List<Integer> contracted = new ArrayList<>();
      List<Integer> xFree = new ArrayList<>();
      List<Integer> fFree = new ArrayList<>();
      for (int id : lx.ids) {
        if (lf.has(id)) {
          (contains(outIds, id) ? groups : contracted).add(id);
        } else {
          xFree.add(id);
        }
      }
      for (int id : lf.ids) {
        if (!lx.has(id)) {
          fFree.add(id);
        }
      }
      // Groups sharing one F ("outer"): a prefix of X's leading free axes (X read in place),
      // or of the result's leading axes that are free in X (X copied, Y written in place).
      List<List<Integer>> outers = new ArrayList<>();
      outers.add(List.of());
      if (groups.isEmpty()) {
        addFreePrefixes(outers, lx.ids, xFree);
        if (exact) {
          addFreePrefixes(outers, outIds, xFree);
        }
      }
      for (List<Integer> outer : outers) {
        List<Integer> rest = new ArrayList<>(xFree);
        rest.removeAll(outer);
        // Axis orders inside each role: as an operand stores them (read in place) or as the
        // result wants them (written in place); an operand copied anyway takes any order.
        for (List<Integer> g : orders(groups, lx.ids, lf.ids, outIds)) {
          for (List<Integer> k : orders(contracted, lx.ids, lf.ids)) {
            for (List<Integer> xb : orders(rest, lx.ids, outIds)) {
              for (List<Integer> ff : orders(fFree, lf.ids, outIds)) {
                GemmChoice choice = gemmChoice(xIsU, lx, lf, outIds, exact, outer, g, xb, ff, k,
                    sizeOf(lu, lv, outIds));
                if (best == null || choice.copied() < best.copied()
                    || choice.copied() == best.copied() && best.slowOrientation()
                    && !choice.slowOrientation()) {
                  best = choice;
                }
              }
            }
          }
        }
      }
    }
    return best;
  }

  /** Emits the permutes and the kernel of a GEMM choice; returns the result slot. */
  private static int emitGemm(ProgramBuilder pb, int u, int v, GemmChoice c) {
    Layout lu = pb.layout(u);
    Layout lv = pb.layout(v);
    List<Integer> outer = Arrays.stream(c.outer()).boxed().toList();
    int x = c.xIsU() ? u : v;
    int f = c.xIsU() ? v : u;
    x = pb.permute(x, c.xT() ? concat(outer, c.groups(), c.contracted(), toArray(c.xb()))
        : concat(outer, c.groups(), c.xb(), toArray(c.contracted())));
    f = pb.permute(f, c.fT() ? concat(c.groups(), c.contracted(), List.of(), toArray(c.fFree()))
        : concat(c.groups(), c.fFree(), List.of(), toArray(c.contracted())));
    Layout lx = pb.layout(x);
    Layout lf = pb.layout(f);
    int[] yOrder = c.yT() ? concat(outer, c.groups(), c.fFree(), toArray(c.xb()))
        : concat(outer, c.groups(), c.xb(), toArray(c.fFree()));
    boolean shared = !outer.isEmpty();
    ConvProblem problem = new ConvProblem(
        Math.toIntExact(dimProduct(lx, shared ? outer : c.groups())),
        Math.toIntExact(dimProduct(lx, c.xb())), Math.toIntExact(dimProduct(lf, c.fFree())),
        Math.toIntExact(dimProduct(lx, c.contracted())), List.of(), c.xT(), c.fT(), shared,
        c.yT());
    Layout ly = resultLayout(yOrder, lu, lv);
    int y = pb.slot(ly);
    pb.add(new KernelOp(x, f, y, problem, new int[0], new int[0]));
    return y;
  }

  /** Layout flags and the elements copied for one assignment of roles and axis orders. */
  private static GemmChoice gemmChoice(boolean xIsU, Layout lx, Layout lf, int[] outIds,
      boolean exact, List<Integer> outer, List<Integer> groups, List<Integer> xb,
      List<Integer> fFree, List<Integer> contracted, long outSize) {
    int[] xPlain = concat(outer, groups, xb, toArray(contracted));
    int[] xTrans = concat(outer, groups, contracted, toArray(xb));
    boolean xT = !Arrays.equals(lx.ids, xPlain) && Arrays.equals(lx.ids, xTrans);
    long copied = Arrays.equals(lx.ids, xT ? xTrans : xPlain) ? 0 : lx.size();
    int[] fPlain = concat(groups, fFree, List.of(), toArray(contracted));
    int[] fTrans = concat(groups, contracted, List.of(), toArray(fFree));
    boolean fT = !Arrays.equals(lf.ids, fPlain) && Arrays.equals(lf.ids, fTrans);
    copied += Arrays.equals(lf.ids, fT ? fTrans : fPlain) ? 0 : lf.size();
    int[] yPlain = concat(outer, groups, xb, toArray(fFree));
    int[] yTrans = concat(outer, groups, fFree, toArray(xb));
    // A free result order follows X: X stored [C, B] and Y [T, B] make the engine's GEMM read
    // X in place as its wide right-hand operand (measured 1.3-2.6x faster than reading X
    // transposed as the left-hand one). Fewer than 16 output channels against many rows also
    // go [T, B], so that the rows, not the channels, fill the vectors (2x on RCP at CR 1 %).
    long t = dimProduct(lf, fFree);
    boolean fewChannels = t < 16 && dimProduct(lx, xb) > 4 * t;
    boolean yT = exact ? !Arrays.equals(outIds, yPlain) && Arrays.equals(outIds, yTrans)
        : xT || fewChannels;
    if (exact && !Arrays.equals(outIds, yT ? yTrans : yPlain)) {
      copied += outSize;
    }
    return new GemmChoice(xIsU, outer.stream().mapToInt(Integer::intValue).toArray(), groups,
        xb, fFree, contracted, xT, fT, yT, copied);
  }

  /** The distinct orders of {@code ids} that follow each reference's order of them. */
  private static List<List<Integer>> orders(List<Integer> ids, int[]... references) {
    List<List<Integer>> out = new ArrayList<>();
    for (int[] ref : references) {
      List<Integer> sorted = new ArrayList<>(ids);
      sorted.sort(java.util.Comparator.comparingInt(id -> indexOf(ref, id)));
      if (!out.contains(sorted)) {
        out.add(sorted);
      }
    }
    return out;
  }

  /** Adds every non-empty prefix of {@code ids} whose ids are all in {@code free}. */
  private static void addFreePrefixes(List<List<Integer>> out, int[] ids, List<Integer> free) {
    List<Integer> prefix = new ArrayList<>();
    for (int id : ids) {
      if (!free.contains(id)) {
        return;
      }
      prefix.add(id);
      if (!out.contains(prefix)) {
        out.add(List.copyOf(prefix));
      }
    }
  }

  /** The number of elements of the axes {@code ids} of a layout. */
  private static long dimProduct(Layout l, List<Integer> ids) {
    long n = 1;
    for (int id : ids) {
      n *= l.dims[l.axisOf(id)];
    }
    return n;
  }

  /** The number of elements of the axes {@code ids}, each taken from whichever operand holds it. */
  private static long sizeOf(Layout lu, Layout lv, int[] ids) {
    long n = 1;
    for (int id : ids) {
      Layout from = lu.has(id) ? lu : lv;
      n *= from.dims[from.axisOf(id)];
    }
    return n;
  }

  /** The layout of a result with the given axis order, lengths and positions from the inputs. */
  private static Layout resultLayout(int[] order, Layout lu, Layout lv) {
    int[] dims = new int[order.length];
    Layout l = Layout.plain(order, dims);
    for (int a = 0; a < order.length; a++) {
      Layout from = lu.has(order[a]) ? lu : lv;
      int fa = from.axisOf(order[a]);
      l = l.withAxis(a, from.dims[fa], from.positioned[fa], from.start[fa], from.step[fa]);
    }
    return l;
  }
}
