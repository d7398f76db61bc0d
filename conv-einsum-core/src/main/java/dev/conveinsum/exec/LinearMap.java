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

  LinearMap(int in, int out, boolean gather, int[] denseDims, int[][] tables, long outSize) {
    this.in = in;
    this.out = out;
    this.gather = gather;
    this.denseDims = denseDims;
    this.tables = tables;
    this.outSize = outSize;
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
