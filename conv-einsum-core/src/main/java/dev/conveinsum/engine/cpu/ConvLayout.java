package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.EXPLICIT_IM2COL;
import static dev.conveinsum.engine.cpu.ConvTiling.IM2COL_CHUNK;
import static dev.conveinsum.engine.cpu.ConvTiling.SEGMENT_SLACK;
import static dev.conveinsum.engine.cpu.ConvTiling.SHIFT_MAX_OUT;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Type-independent precomputation of one convolution, shared by every algorithm and both
 * precisions: sizes, strides, padded-index maps, the flip of the filter, row and tap offsets in
 * padded planes, and which in-place form of im2col applies. Also the loop oracle of {@link
 * ConvKernel#reference}. (Named a layout, not a plan: plans are what the planner makes.)
 */
final class ConvLayout {

  /** Groups, batch entries, output and input channels, convolved dimensions. */
  final int g;
  final int b;
  final int t;
  final int c;
  final int n;
  final ConvDim[] dims;
  final int[] in;
  final int[] k;
  final int[] out;
  final int[] win;
  final int[] inStride;
  final int[] kStride;
  final int[] outStride;
  final int[] winStride;
  final int inPlane;
  final int kPlane;
  final int outPlane;
  final int winPlane;
  /** map[i][u]: input index for padded position u of dim i, or -1. */
  final int[][] map;
  /** For each tap-space index j (row-major over k), the stored filter index k (flip applied). */
  final int[] tapToStored;
  final boolean anyFlip;
  /**
   * When the last dimension has no period, padded positions [lastLo, lastHi) read consecutive
   * inputs and the rest are zero; lastLo = -1 when the last dimension is periodic.
   */
  final int lastLo;
  final int lastHi;

  /** Precomputes the layout of a problem. */
  ConvLayout(ConvProblem s) {
    g = s.groups();
    b = s.batch();
    t = s.outChannels();
    c = s.inChannels();
    List<ConvDim> ds = s.dims();
    n = ds.size();
    dims = ds.toArray(new ConvDim[0]);
    in = new int[n];
    k = new int[n];
    out = new int[n];
    win = new int[n];
    map = new int[n][];
    boolean flip = false;
    for (int i = 0; i < n; i++) {
      ConvDim d = dims[i];
      in[i] = d.inLength();
      k[i] = d.kernelLength();
      out[i] = d.outLength();
      win[i] = d.window();
      flip |= d.flip();
      map[i] = new int[win[i]];
      for (int u = 0; u < win[i]; u++) {
        int x = u - d.padLeft();
        if (d.period() > 0) {
          x = Math.floorMod(x, d.period());
        }
        map[i][u] = x >= 0 && x < d.inLength() ? x : -1;
      }
    }
    anyFlip = flip;
    ConvDim last = dims[n - 1];
    if (last.period() == 0) {
      int lo = Math.min(Math.max(last.padLeft(), 0), win[n - 1]);
      int hi = Math.max(Math.min(last.padLeft() + last.inLength(), win[n - 1]), lo);
      lastLo = lo;
      lastHi = hi;
    } else {
      lastLo = -1;
      lastHi = -1;
    }
    inStride = strides(in);
    kStride = strides(k);
    outStride = strides(out);
    winStride = strides(win);
    inPlane = Math.toIntExact(prod(in));
    kPlane = Math.toIntExact(prod(k));
    outPlane = Math.toIntExact(prod(out));
    winPlane = Math.toIntExact(prod(win));
    tapToStored = new int[kPlane];
    int[] idx = new int[n];
    for (int j = 0; j < kPlane; j++) {
      int src = 0;
      for (int i = 0; i < n; i++) {
        int kk = dims[i].flip() ? k[i] - 1 - idx[i] : idx[i];
        src += kk * kStride[i];
      }
      tapToStored[j] = src;
      increment(idx, k);
    }
  }

  /** Row-major strides of the lengths. */
  static int[] strides(int[] dims) {
    int[] s = new int[dims.length];
    long acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = Math.toIntExact(acc);
      acc *= dims[i];
    }
    return s;
  }

  /** The product of the lengths. */
  static long prod(int[] a) {
    long p = 1;
    for (int v : a) {
      p *= v;
    }
    return p;
  }

  /** Odometer increment of a row-major multi-index; returns false after the last index. */
  static boolean increment(int[] idx, int[] bounds) {
    for (int i = idx.length - 1; i >= 0; i--) {
      if (++idx[i] < bounds[i]) {
        return true;
      }
      idx[i] = 0;
    }
    return false;
  }

  /** Checks that X, W and Y fit in their arrays from their offsets. */
  void check(int xLen, int xOff, int wLen, int wOff, int yLen, int yOff) {
    Objects.checkFromIndexSize(xOff, Math.toIntExact((long) g * b * c * inPlane), xLen);
    Objects.checkFromIndexSize(wOff, Math.toIntExact((long) g * t * c * kPlane), wLen);
    Objects.checkFromIndexSize(yOff, Math.toIntExact((long) g * b * t * outPlane), yLen);
  }

  /**
   * Whether im2col runs as shifted dot products ({@code shiftedF}): 1-D, no period, a filter
   * longer than the output and few outputs per batch entry, so that the per-entry GEMM is a
   * handful of long dot products.
   */
  boolean shiftedGemm() {
    return n == 1 && dims[0].period() == 0 && k[0] > out[0] && (long) out[0] * t <= SHIFT_MAX_OUT
        && (long) win[0] * 2 <= (long) k[0] * 3;
  }

  /**
   * Columns of one plane in the implicit im2col ({@code implicitF}): output o sits at column
   * {@code sum_i o_i * winStride_i} of the padded plane, so a plane spans this many columns,
   * the unused ones (between output rows) computed and dropped.
   */
  long implicitSpan() {
    long span = 1;
    for (int i = 0; i < n; i++) {
      span += (long) (out[i] - 1) * winStride[i];
    }
    return span;
  }

  /**
   * Whether im2col runs implicitly: every stride 1 (outputs then sit on the padded grid),
   * filters no longer than the output rows, and at most a quarter more lanes computed than
   * outputs ({@link #implicitLanes}).
   */
  boolean implicitGemm() {
    if (EXPLICIT_IM2COL) {
      return false;
    }
    for (ConvDim d : dims) {
      if (d.stride() != 1) {
        return false;
      }
    }
    return outPlane > 0 && b > 0 && k[n - 1] <= out[n - 1] && (long) c * winPlane <= IM2COL_CHUNK
        && implicitLanes() * 4 <= (long) b * outPlane * 5;
  }

  /**
   * Lanes the implicit im2col computes over the whole batch, with vectors of {@link
   * ConvTiling#IMPLICIT_LANES} and the single-thread split of {@link ConvTiling.Implicit}: each
   * output row covered exactly by whole vectors, or the padded span of all rows, whichever is
   * fewer (see {@link ConvTiling.RowVectors}).
   */
  long implicitLanes() {
    int entries = ConvTiling.Implicit.of(this, 1).entries();
    int lanes = ConvTiling.IMPLICIT_LANES;
    long full = Math.min(exactLanes(this, entries, lanes), spanLanes(this, entries, lanes));
    int rest = b % entries;
    long tail = rest == 0 ? 0 : Math.min(exactLanes(this, rest, lanes), spanLanes(this, rest, lanes));
    return (b / entries) * full + tail;
  }

  /** Lanes of a task of {@code entries} entries whose vectors cover each output row exactly. */
  static long exactLanes(ConvLayout pl, int entries, int lanes) {
    int w = pl.out[pl.n - 1];
    return (long) entries * (pl.outPlane / w) * ((w + lanes - 1) / lanes) * lanes;
  }

  /** Lanes of a task of {@code entries} entries whose vectors cover the padded span of its rows. */
  static long spanLanes(ConvLayout pl, int entries, int lanes) {
    long total = (long) (entries - 1) * pl.winPlane + pl.implicitSpan();
    return (total + lanes - 1) / lanes * lanes;
  }

  /**
   * Whether im2col runs as segment dot products ({@code segmentDotsF}): the filter is longer
   * than the output rows (weight gradients), stride and dilation 1 in the last dimension, so
   * that each filter row and the input it meets are contiguous runs of at least 16.
   */
  boolean segmentDots() {
    ConvDim last = dims[n - 1];
    return !EXPLICIT_IM2COL && last.stride() == 1 && last.dilation() == 1 && k[n - 1] > out[n - 1]
        && k[n - 1] >= 16 && (long) b * winPlane + SEGMENT_SLACK <= IM2COL_CHUNK;
  }

  /**
   * GEMM row offsets of the implicit im2col for {@code entries} batch entries laid out {@code
   * [c][entry][padded plane]}: row (c, tap j) starts at {@code c*entries*winPlane +
   * tapOffset(j)}.
   */
  int[] implicitRows(int entries, int[] taps) {
    int[] rows = new int[c * kPlane];
    for (int cc = 0; cc < c; cc++) {
      for (int j = 0; j < kPlane; j++) {
        rows[cc * kPlane + j] = cc * entries * winPlane + taps[j];
      }
    }
    return rows;
  }

  /**
   * Whether the Winograd F(2x2, 3x3) form applies ({@link ConvWinogradFloat}): two convolved
   * dimensions, 3x3 filter, stride and dilation 1, no period.
   */
  boolean winograd() {
    if (n != 2 || b == 0 || c == 0 || outPlane == 0) {
      return false;
    }
    for (ConvDim d : dims) {
      if (d.kernelLength() != 3 || d.stride() != 1 || d.dilation() != 1 || d.period() != 0) {
        return false;
      }
    }
    // the tasks' blocks (at most a few hundred tiles of 16 x (C + T) values) are indexed in int
    long tiles = (long) b * ((out[0] + 1) / 2) * ((out[1] + 3) / 2);
    return tiles * 16 * Math.max(c, t) < Integer.MAX_VALUE
        && (long) (c + t) * 16 * 1024 < Integer.MAX_VALUE;
  }

  /** Whether Y has no element. */
  boolean emptyOutput() {
    return g == 0 || b == 0 || t == 0 || outPlane == 0;
  }

  /** The oracle: the defining sum with plain loops, accumulated in double precision. */
  void reference(IndexReader x, IndexReader w, IndexWriter y) {
    if (emptyOutput()) {
      return;
    }
    int[] yi = new int[n];
    int[] ki = new int[n];
    for (int gg = 0; gg < g; gg++) {
      for (int bb = 0; bb < b; bb++) {
        for (int tt = 0; tt < t; tt++) {
          Arrays.fill(yi, 0);
          for (int o = 0; o < outPlane; o++) {
            double s = 0;
            for (int cc = 0; cc < c; cc++) {
              int xBase = ((gg * b + bb) * c + cc) * inPlane;
              int wBase = ((gg * t + tt) * c + cc) * kPlane;
              Arrays.fill(ki, 0);
              for (int q = 0; q < kPlane; q++) {
                int xo = 0;
                int wo = 0;
                boolean ok = true;
                for (int i = 0; i < n && ok; i++) {
                  ConvDim d = dims[i];
                  int j = d.flip() ? d.kernelLength() - 1 - ki[i] : ki[i];
                  int xx = yi[i] * d.stride() - d.padLeft() + d.dilation() * j;
                  if (d.period() > 0) {
                    xx = Math.floorMod(xx, d.period());
                  }
                  ok = xx >= 0 && xx < d.inLength();
                  xo += xx * inStride[i];
                  wo += ki[i] * kStride[i];
                }
                if (ok) {
                  s += x.get(xBase + xo) * w.get(wBase + wo);
                }
                increment(ki, k);
              }
            }
            y.put(((gg * b + bb) * t + tt) * outPlane + o, s);
            increment(yi, out);
          }
        }
      }
    }
  }

  /** Offset, in a padded plane, of the start of output row {@code rowIdx} (all dims but last) with tap offsets. */
  int[] rowStarts() {
    // start of each output row in padded-plane coordinates (tap 0), for rows over dims 0..n-2
    int rows = outPlane / out[n - 1];
    int[] starts = new int[rows];
    int[] yi = new int[n - 1];
    int[] bounds = Arrays.copyOf(out, n - 1);
    for (int r = 0; r < rows; r++) {
      int off = 0;
      for (int i = 0; i < n - 1; i++) {
        off += yi[i] * dims[i].stride() * winStride[i];
      }
      starts[r] = off;
      increment(yi, bounds);
    }
    return starts;
  }

  /**
   * Offsets, in a padded plane, of the taps over dims 0..n-3 (the last two are handled by the
   * row kernel), paired with the tap-space filter offsets.
   */
  int[][] outerTaps() {
    int m = Math.max(n - 2, 0);
    int cnt = 1;
    for (int i = 0; i < m; i++) {
      cnt *= k[i];
    }
    int[] pOff = new int[cnt];
    int[] wOff = new int[cnt];
    int[] ji = new int[m];
    int[] bounds = Arrays.copyOf(k, m);
    for (int q = 0; q < cnt; q++) {
      int po = 0;
      int wo = 0;
      for (int i = 0; i < m; i++) {
        po += ji[i] * dims[i].dilation() * winStride[i];
        wo += ji[i] * kStride[i];
      }
      pOff[q] = po;
      wOff[q] = wo;
      increment(ji, bounds);
    }
    return new int[][] {pOff, wOff};
  }

  /** Offsets, in a padded plane, of every tap (tap-space row-major order). */
  int[] tapOffsets() {
    int[] offs = new int[kPlane];
    int[] ji = new int[n];
    for (int q = 0; q < kPlane; q++) {
      int po = 0;
      for (int i = 0; i < n; i++) {
        po += ji[i] * dims[i].dilation() * winStride[i];
      }
      offs[q] = po;
      increment(ji, k);
    }
    return offs;
  }

  /** For each padded row (dims 0..n-2), the input row offset, or -1 if the row is all padding. */
  int[] paddedRowSources() {
    int rows = winPlane / Math.max(win[n - 1], 1);
    if (win[n - 1] == 0) {
      return new int[0];
    }
    int[] src = new int[rows];
    int[] ui = new int[n - 1];
    int[] bounds = Arrays.copyOf(win, n - 1);
    for (int r = 0; r < rows; r++) {
      int off = 0;
      for (int i = 0; i < n - 1 && off >= 0; i++) {
        int xx = map[i][ui[i]];
        off = xx < 0 ? -1 : off + xx * inStride[i];
      }
      src[r] = off;
      increment(ui, bounds);
    }
    return src;
  }

  /** Reads element i of an input (the oracle reads float32 and float64 arrays alike). */
  interface IndexReader {
    /** Element i. */
    double get(int i);
  }

  /** Writes element i of the output. */
  interface IndexWriter {
    /** Stores v as element i. */
    void put(int i, double v);
  }
}
