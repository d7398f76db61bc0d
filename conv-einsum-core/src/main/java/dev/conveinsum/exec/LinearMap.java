package dev.conveinsum.exec;


/**
 * A data-movement instruction described by per-axis offset tables; permute, diagonal,
 * broadcast, reverse, reduce-sum, dilation and circular folding are all instances.
 *
 * <p>The "dense" tensor is walked in row-major order; for each of its elements the "table"
 * tensor's offset is the sum over axes of {@code tables[a][coordinate]} (an entry of -1 means no
 * element). A gather writes {@code dense[j] = table[offset]} (zero when there is none); a scatter
 * adds {@code table[offset] += dense[j]} into a zeroed tensor. A gather and the scatter with the
 * same tables are each other's transpose, which is all that reverse-mode differentiation needs.
 */
final class LinearMap implements Op {
  final int in;
  final int out;
  final boolean gather;
  final int[] denseDims;
  final int[][] tables;
  final long outSize;

  /** Per dense axis, the table-side stride when every table is {@code e*stride}; else null. */
  private final int[] strides;
  /** The dense axis whose table-side stride is 1 (not the last), for blocked transposes; or -1. */
  private final int unitAxis;

  LinearMap(int in, int out, boolean gather, int[] denseDims, int[][] tables, long outSize) {
    this.in = in;
    this.out = out;
    this.gather = gather;
    this.denseDims = denseDims;
    this.tables = tables;
    this.outSize = outSize;
    this.strides = rampStrides(tables);
    int unit = -1;
    int last = denseDims.length - 1;
    if (strides != null && last >= 1 && strides[last] != 1 && denseDims[last] > 1) {
      for (int a = 0; a < last; a++) {
        if (strides[a] == 1 && denseDims[a] > 1) {
          unit = a;
        }
      }
    }
    this.unitAxis = unit;
  }

  private static int[] rampStrides(int[][] tables) {
    int[] s = new int[tables.length];
    for (int a = 0; a < tables.length; a++) {
      int[] t = tables[a];
      if (t.length == 0 || t[0] != 0) {
        return null;
      }
      int step = t.length > 1 ? t[1] : 0;
      for (int e = 0; e < t.length; e++) {
        if (t[e] != e * step) {
          return null;
        }
      }
      s[a] = step;
    }
    return s;
  }

  /** Returns the transpose: maps a gradient of {@code out} to a gradient of {@code in}. */
  LinearMap transpose(int gradOut, int gradIn, long inSize) {
    return new LinearMap(gradOut, gradIn, !gather, denseDims, tables, inSize);
  }

  @Override
  public int[] inputs() {
    return new int[] {in};
  }

  @Override
  public int output() {
    return out;
  }

  @Override
  public void run(Runtime rt) {
    if (rt.dry()) {
      rt.allocate(out, outSize);
      return;
    }
    Object src = rt.get(in);
    Object dst = rt.allocate(out, outSize);
    Object dense = gather ? dst : src;
    Object table = gather ? src : dst;
    for (int d : denseDims) {
      if (d == 0) {
        return;
      }
    }
    int rank = denseDims.length;
    if (unitAxis >= 0) {
      blocked(dense, table);
      return;
    }
    if (rank == 0) {
      if (dense instanceof double[] dd) {
        moveRow(dd, (double[]) table, 0, 0, ZERO, 1);
      } else {
        moveRow((float[]) dense, (float[]) table, 0, 0, ZERO, 1);
      }
      return;
    }
    int last = rank - 1;
    int[] lastTable = tables[last];
    int lastLen = denseDims[last];
    int[] coord = new int[rank];
    long[] partial = new long[rank];
    boolean[] valid = new boolean[rank];
    // partial[a]: offset contributed by axes 0..a-1; valid[a]: none of them is -1.
    valid[0] = true;
    for (int a = 1; a < rank; a++) {
      int t = tables[a - 1][0];
      valid[a] = valid[a - 1] && t >= 0;
      partial[a] = partial[a - 1] + (t >= 0 ? t : 0);
    }
    boolean f64 = dense instanceof double[];
    int j = 0;
    while (true) {
      if (valid[last]) {
        int base = (int) partial[last];
        if (f64) {
          moveRow((double[]) dense, (double[]) table, j, base, lastTable, lastLen);
        } else {
          moveRow((float[]) dense, (float[]) table, j, base, lastTable, lastLen);
        }
      }
      j += lastLen;
      int a = last - 1;
      while (a >= 0 && ++coord[a] == denseDims[a]) {
        coord[a--] = 0;
      }
      if (a < 0) {
        return;
      }
      for (int b = a; b < last; b++) {
        int t = tables[b][coord[b]];
        valid[b + 1] = valid[b] && t >= 0;
        partial[b + 1] = partial[b] + (t >= 0 ? t : 0);
      }
    }
  }

  private static final int[] ZERO = {0};
  private static final int BLOCK = 16;

  /**
   * A transpose: the innermost dense axis is strided on the table side while another dense axis
   * is contiguous there. Walking both in 16-wide blocks touches each cache line of both sides
   * once per block instead of once per element.
   */
  private void blocked(Object dense, Object table) {
    int rank = denseDims.length;
    int last = rank - 1;
    int p = unitAxis;
    int[] denseStride = new int[rank];
    int acc = 1;
    for (int a = last; a >= 0; a--) {
      denseStride[a] = acc;
      acc *= denseDims[a];
    }
    int lastLen = denseDims[last];
    int pLen = denseDims[p];
    int tLast = strides[last];
    int dP = denseStride[p];
    int[] coord = new int[rank];
    boolean f64 = dense instanceof double[];
    while (true) {
      int dBase = 0;
      int tBase = 0;
      for (int a = 0; a < rank; a++) {
        if (a != p && a != last) {
          dBase += coord[a] * denseStride[a];
          tBase += coord[a] * strides[a];
        }
      }
      for (int p0 = 0; p0 < pLen; p0 += BLOCK) {
        int p1 = Math.min(pLen, p0 + BLOCK);
        for (int e = 0; e < lastLen; e++) {
          int d = dBase + e + p0 * dP;
          int t = tBase + e * tLast + p0;
          if (f64) {
            double[] dd = (double[]) dense;
            double[] tt = (double[]) table;
            if (gather) {
              for (int q = p0; q < p1; q++, d += dP, t++) {
                dd[d] = tt[t];
              }
            } else {
              for (int q = p0; q < p1; q++, d += dP, t++) {
                tt[t] += dd[d];
              }
            }
          } else {
            float[] dd = (float[]) dense;
            float[] tt = (float[]) table;
            if (gather) {
              for (int q = p0; q < p1; q++, d += dP, t++) {
                dd[d] = tt[t];
              }
            } else {
              for (int q = p0; q < p1; q++, d += dP, t++) {
                tt[t] += dd[d];
              }
            }
          }
        }
      }
      int a = last - 1;
      while (a >= 0 && (a == p || ++coord[a] == denseDims[a])) {
        if (a != p) {
          coord[a] = 0;
        }
        a--;
      }
      if (a < 0) {
        return;
      }
    }
  }

  /** One row of the innermost axis; the hot loop, kept free of casts and branches on type. */
  private void moveRow(double[] dense, double[] table, int j, int base, int[] t, int len) {
    if (gather) {
      for (int e = 0; e < len; e++) {
        int o = t[e];
        if (o >= 0) {
          dense[j + e] = table[base + o];
        }
      }
    } else {
      for (int e = 0; e < len; e++) {
        int o = t[e];
        if (o >= 0) {
          table[base + o] += dense[j + e];
        }
      }
    }
  }

  private void moveRow(float[] dense, float[] table, int j, int base, int[] t, int len) {
    if (gather) {
      for (int e = 0; e < len; e++) {
        int o = t[e];
        if (o >= 0) {
          dense[j + e] = table[base + o];
        }
      }
    } else {
      for (int e = 0; e < len; e++) {
        int o = t[e];
        if (o >= 0) {
          table[base + o] += dense[j + e];
        }
      }
    }
  }
}
