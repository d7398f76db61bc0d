package dev.conveinsum.exec;

import dev.conveinsum.concurrent.Parallelism;
import dev.conveinsum.engine.ForwardProgram;


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
  /** What this map does, for {@link ForwardProgram}; null for a backward transpose. */
  final ForwardProgram.Instruction instruction;

  /** Per dense axis, the table-side stride when every table is {@code e*stride}; else null. */
  private final int[] strides;
  /** Whether the output must start zeroed: a scatter adds, a gather skips missing elements. */
  private final boolean needsZero;
  /** The dense axis whose table-side stride is 1 (not the last), for blocked transposes; or -1. */
  private final int unitAxis;

  LinearMap(int in, int out, boolean gather, int[] denseDims, int[][] tables, long outSize) {
    this(in, out, gather, denseDims, tables, outSize, null);
  }

  LinearMap(int in, int out, boolean gather, int[] denseDims, int[][] tables, long outSize,
      ForwardProgram.Instruction instruction) {
    this.instruction = instruction;
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
    this.needsZero = !gather || hasMissing(tables);
  }

  private static boolean hasMissing(int[][] tables) {
    for (int[] t : tables) {
      for (int o : t) {
        if (o < 0) {
          return true;
        }
      }
    }
    return false;
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
      rt.allocate(out, outSize, needsZero);
      return;
    }
    Object src = rt.get(in);
    Object dst = rt.allocate(out, outSize, needsZero);
    Object dense = gather ? dst : src;
    Object table = gather ? src : dst;
    long rows = 1;
    for (int a = 0; a < denseDims.length - 1; a++) {
      rows *= denseDims[a];
    }
    for (int d : denseDims) {
      if (d == 0) {
        return;
      }
    }
    // Gathers write each dense element once, so rows split over threads; a scatter may add
    // several dense elements into one table element and runs on one thread.
    Parallelism par = gather && (long) Buffers.length(dense) >= PARALLEL_MIN
        ? Parallelism.of(rt.threads()) : Parallelism.serial();
    if (unitAxis >= 0) {
      int blocks = (denseDims[unitAxis] + TILE - 1) / TILE;
      long units = rows / denseDims[unitAxis] * blocks;
      int chunks = (int) Math.min(units, (long) par.threads() * 8);
      par.forEach(chunks, k -> tiled(dense, table, units * k / chunks, units * (k + 1) / chunks,
          blocks));
      return;
    }
    int chunks = (int) Math.min(rows, (long) par.threads() * 8);
    long total = rows;
    par.forEach(chunks, k -> rowsOf(dense, table, total * k / chunks, total * (k + 1) / chunks));
  }

  /** Below this many elements a data movement stays on one thread. */
  private static final long PARALLEL_MIN = 1 << 15;
  private static final int[] ZERO = {0};
  private static final int TILE = 16;

  /** Dense rows {@code [r0, r1)}: each row of the innermost axis through its offset table. */
  private void rowsOf(Object dense, Object table, long r0, long r1) {
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
    boolean contiguous = strides != null && strides[last] == 1;
    int[] coord = new int[rank];
    long rest = r0;
    for (int a = last - 1; a >= 0; a--) {
      coord[a] = (int) (rest % denseDims[a]);
      rest /= denseDims[a];
    }
    long[] partial = new long[rank];
    boolean[] valid = new boolean[rank];
    // partial[a]: offset contributed by axes 0..a-1; valid[a]: none of them is -1.
    valid[0] = true;
    for (int a = 1; a < rank; a++) {
      int t = tables[a - 1][coord[a - 1]];
      valid[a] = valid[a - 1] && t >= 0;
      partial[a] = partial[a - 1] + (t >= 0 ? t : 0);
    }
    boolean f64 = dense instanceof double[];
    int j = (int) (r0 * lastLen);
    for (long r = r0; r < r1; r++) {
      if (valid[last]) {
        int base = (int) partial[last];
        if (contiguous) {
          moveRun(dense, table, j, base, lastLen);
        } else if (f64) {
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

  /** A run that is contiguous on both sides. */
  private void moveRun(Object dense, Object table, int j, int base, int len) {
    if (gather) {
      System.arraycopy(table, base, dense, j, len);
    } else if (dense instanceof double[] d) {
      double[] t = (double[]) table;
      for (int e = 0; e < len; e++) {
        t[base + e] += d[j + e];
      }
    } else {
      float[] d = (float[]) dense;
      float[] t = (float[]) table;
      for (int e = 0; e < len; e++) {
        t[base + e] += d[j + e];
      }
    }
  }

  /**
   * A transpose: the innermost dense axis is strided on the table side while the dense axis
   * {@code unitAxis} is contiguous there. Walks 16 x 16 tiles of those two axes, writing the
   * dense side in contiguous runs, so that every cache line of either side is touched once per
   * tile rather than once per element. Units {@code [u0, u1)} number (outer coordinates, block
   * of unitAxis) pairs.
   */
  private void tiled(Object dense, Object table, long u0, long u1, int blocks) {
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
    boolean f64 = dense instanceof double[];
    for (long u = u0; u < u1; u++) {
      int block = (int) (u % blocks);
      long rest = u / blocks;
      int dBase = 0;
      int tBase = 0;
      for (int a = last - 1; a >= 0; a--) {
        if (a != p) {
          int c = (int) (rest % denseDims[a]);
          rest /= denseDims[a];
          dBase += c * denseStride[a];
          tBase += c * strides[a];
        }
      }
      int q0 = block * TILE;
      int q1 = Math.min(pLen, q0 + TILE);
      for (int e0 = 0; e0 < lastLen; e0 += TILE) {
        int e1 = Math.min(lastLen, e0 + TILE);
        for (int q = q0; q < q1; q++) {
          int d = dBase + q * dP;
          int t = tBase + q;
          if (f64) {
            tile((double[]) dense, (double[]) table, d, t, tLast, e0, e1);
          } else {
            tile((float[]) dense, (float[]) table, d, t, tLast, e0, e1);
          }
        }
      }
    }
  }

  private void tile(double[] dense, double[] table, int d, int t, int tLast, int e0, int e1) {
    if (gather) {
      for (int e = e0; e < e1; e++) {
        dense[d + e] = table[t + e * tLast];
      }
    } else {
      for (int e = e0; e < e1; e++) {
        table[t + e * tLast] += dense[d + e];
      }
    }
  }

  private void tile(float[] dense, float[] table, int d, int t, int tLast, int e0, int e1) {
    if (gather) {
      for (int e = e0; e < e1; e++) {
        dense[d + e] = table[t + e * tLast];
      }
    } else {
      for (int e = e0; e < e1; e++) {
        table[t + e * tLast] += dense[d + e];
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
