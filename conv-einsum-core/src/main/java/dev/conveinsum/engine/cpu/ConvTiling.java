package dev.conveinsum.engine.cpu;

/**
 * How the convolution algorithms cut their work: buffer and chunk sizes, which direct form
 * applies, and how many batch entries or output rows one task (and one GEMM) takes.
 */
final class ConvTiling {

  /** Most outputs (positions times channels) per batch entry for the shifted-GEMM im2col. */
  static final long SHIFT_MAX_OUT = 32;
  /** Longest output row of the short-row direct kernel (4 float32 vectors of 512 bits). */
  static final int SHORT_ROW = 64;
  /** Output rows per task of the short-row direct kernel. */
  static final int ROWS_PER_TASK = 256;

  /** Largest im2col patch matrix built at once, in elements (16 MiB of float32). */
  static final long IM2COL_CHUNK = 1L << 22;
  /** Padded input elements per task of the fused 1-D direct kernel (64 KiB of float32). */
  static final long FUSED_ELEMS = 1L << 14;
  /** Preferred im2col chunk, in elements (1 MiB of float32, about one L2 cache). */
  static final long IM2COL_TARGET = 1L << 18;
  /**
   * Whether IM2COL always builds the patch matrix ({@code -Dconveinsum.explicitIm2col=true}), for
   * benchmarks that compare it with the implicit form.
   */
  static final boolean EXPLICIT_IM2COL = Boolean.getBoolean("conveinsum.explicitIm2col");
  /** Filter-row elements of all output channels per segment-dot chunk (512 KiB of float32). */
  static final long SEGMENT_CHUNK = 1L << 17;
  /** Zeros after the padded planes of the segment dots, for whole-vector reads past a row. */
  static final int SEGMENT_SLACK = 64;
  /** Columns the implicit im2col aims at per product, batch entries fused to get there. */
  static final long IMPLICIT_COLS = 512;
  /** Rows of the filter panels the implicit im2col's tiles read ({@link CpuKernels#convTiles}). */
  static final int PANEL = 4;
  /** Output vectors per tile of the implicit im2col (parts of a task split at whole tiles). */
  static final int TILE_VECTORS = 4;
  /**
   * Most filter taps per channel block of the implicit im2col (its tiles then sum over the whole
   * depth of most filters in one pass: measured on Zen 4, one pass over 576 or 1152 taps beat
   * blocks of 128-384 by 3-15 %, the extra passes over Y costing more than the taps' L1 misses).
   */
  static final int IMPLICIT_DEPTH = 1152;
  /** Lanes of the vectors the implicit im2col is priced and chosen for (512-bit float32). */
  static final int IMPLICIT_LANES = 16;
  /** Fewest columns per im2col chunk when the patch matrix allows. */
  static final long IM2COL_MIN_COLS = 128;

  /**
   * Floats of the transformed input and output blocks of one Winograd task (16 x (C + T) x
   * tiles; 1.5 MiB of float32: measured single-threaded on Zen 4, 128 or 64 channels, 3 << 17
   * beat 3 << 15 and 3 << 16 by 5-10 %, the GEMMs reusing each filter panel over more columns).
   */
  static final long WINOGRAD_BLOCK = 3L << 17;
  /** Fewest tile columns per Winograd GEMM where the problem has them. */
  static final int WINOGRAD_MIN_COLS = 32;
  /** Elements per loop of the Winograd transforms: channels of a block taken together. */
  static final long WINOGRAD_CHUNK = 2048;

  private ConvTiling() {}

  /**
   * Tile rows (of s tiles each, over the batch entries laid end to end) per task of the Winograd
   * form: V and M of the block near {@link #WINOGRAD_BLOCK} (at least {@link #WINOGRAD_MIN_COLS}
   * tiles), the count of tiles that wastes the fewest columns of the GEMM's {@code nr}-wide
   * tiles, and at most an even share of the rows per thread.
   */
  static int winogradRows(ConvLayout pl, int s, int nr, int threads) {
    long units = (long) pl.b * ((pl.out[0] + 1) / 2);
    long cols = Math.max(WINOGRAD_MIN_COLS, WINOGRAD_BLOCK / (16L * (pl.c + pl.t)));
    long share = Math.max(1, (units * pl.g + threads - 1) / Math.max(threads, 1) / pl.g);
    long most = Math.max(1, Math.min(Math.min(units, share), (cols * 3 / 2 + s - 1) / s));
    long least = Math.max(1, Math.min(most, cols / 2 / s));
    long best = most;
    double bestWaste = Double.MAX_VALUE;
    for (long r = most; r >= least; r--) {
      long n = r * s;
      double waste = (double) ((n + nr - 1) / nr * nr) / n;
      if (waste < bestWaste - 1e-9) {
        bestWaste = waste;
        best = r;
      }
    }
    return (int) best;
  }

  /** Whether {@code rowsDirectF} applies: 1-D, stride 1, no period, rows of at most SHORT_ROW. */
  static boolean shortRows(ConvLayout pl) {
    return pl.n == 1 && pl.dims[0].stride() == 1 && pl.dims[0].period() == 0
        && pl.out[0] <= SHORT_ROW;
  }

  /**
   * Channels per block of the implicit im2col: blocks of at most IMPLICIT_DEPTH filter taps (at
   * least one channel), as even as whole channels allow.
   */
  static int implicitChannelBlock(ConvLayout pl) {
    int most = Math.max(1, IMPLICIT_DEPTH / Math.max(pl.kPlane, 1));
    int blocks = (pl.c + most - 1) / most;
    return Math.max(1, (pl.c + blocks - 1) / blocks);
  }

  /** Batch entries per task of the fused 1-D direct kernel: about FUSED_ELEMS padded inputs. */
  static int fusedBatch(ConvLayout pl, int threads) {
    long per = (long) Math.max(pl.c, 1) * Math.max(pl.winPlane, 1);
    int nb = (int) Math.max(1, Math.min(pl.b, FUSED_ELEMS / per));
    long units = (long) pl.g * ((pl.b + nb - 1) / nb);
    if (units < threads) {
      int want = (int) Math.min(pl.b, (threads + pl.g - 1) / pl.g);
      nb = Math.max(1, (pl.b + want - 1) / want);
    }
    return nb;
  }

  /** How im2col cuts the output rows of one group, {@code B * rowsPerPlane}, into chunks. */
  record Im2colChunks(int rowsPerChunk, int chunks) {
    /** The chunks for a patch matrix of the given depth and output rows. */
    static Im2colChunks of(ConvLayout pl, int depth, int rowsPP, int lenOut, int threads) {
      long rowsTotal = (long) pl.b * rowsPP;
      // aim at about IM2COL_TARGET patch elements per chunk, but at least IM2COL_MIN_COLS columns
      // (so that the GEMM runs at full width) and at most IM2COL_CHUNK elements
      long target = Math.max(IM2COL_TARGET, (long) depth * IM2COL_MIN_COLS);
      target = Math.min(target, IM2COL_CHUNK);
      long per = Math.max(1, Math.min(rowsTotal, target / ((long) depth * lenOut)));
      if ((long) rowsPP * lenOut >= IM2COL_MIN_COLS && (long) depth * rowsPP * lenOut <= IM2COL_CHUNK) {
        // one plane is wide enough for the GEMM on its own: one chunk per batch entry, which
        // multiplies straight into Y without a scratch copy
        per = rowsPP;
      }
      long chunks = (rowsTotal + per - 1) / per;
      if ((long) pl.g * chunks < threads) {
        long want = Math.min(rowsTotal, (threads + pl.g - 1) / pl.g);
        per = Math.max(1, (rowsTotal + want - 1) / want);
        chunks = (rowsTotal + per - 1) / per;
      }
      return new Im2colChunks((int) per, (int) chunks);
    }
  }

  /**
   * How the implicit im2col splits the work: {@code entries} batch entries per task (enough for
   * about IMPLICIT_COLS padded columns, so that small planes share their vectors' tails),
   * {@code chunks} such groups per convolution group, and each task's output vectors cut into
   * {@code parts} ranges when there are fewer tasks than threads.
   */
  record Implicit(int entries, int chunks, int parts) {
    /** The split for a layout and thread count. */
    static Implicit of(ConvLayout pl, int threads) {
      long span = pl.implicitSpan();
      long byCols = span >= IMPLICIT_COLS ? 1 : 1 + (IMPLICIT_COLS - span + pl.winPlane - 1) / pl.winPlane;
      long byScratch = Math.max(1, IM2COL_CHUNK / ((long) Math.max(pl.c, 1) * pl.winPlane));
      int entries = (int) Math.max(1, Math.min(pl.b, Math.min(byCols, byScratch)));
      int chunks = (pl.b + entries - 1) / entries;
      if ((long) pl.g * chunks < threads && entries > 1) {
        long want = Math.min(pl.b, (threads + pl.g - 1) / pl.g);
        entries = (int) Math.max(1, (pl.b + want - 1) / want);
        chunks = (pl.b + entries - 1) / entries;
      }
      long tasks = (long) pl.g * chunks;
      int parts = tasks >= threads ? 1 : (int) ((threads + tasks - 1) / tasks);
      return new Implicit(entries, chunks, parts);
    }
  }

  /**
   * The output vectors of one implicit-im2col task of {@code entries} batch entries, padded
   * planes laid out {@code [c][entry][padded plane]}, Y {@code [entry][t][out plane]}: vector v
   * reads its taps from {@code vecP[v]} on (tap 0, channel 0) and holds the consecutive outputs
   * from Y offset {@code vecY[v]} on (output channel 0), or, where {@code vecY[v] < 0}, lane l
   * holds the output at {@code laneY[(-1 - vecY[v]) * lanes + l]} (none where negative). The
   * vectors cover each output row exactly (rows that are not a whole number of vectors end in a
   * part-filled one) or, where that computes fewer lanes, the padded span of all rows (the
   * columns between rows computed and dropped, as in {@link ConvLayout#implicitLanes}).
   */
  record RowVectors(int[] vecP, int[] vecY, int[] laneY) {
    /** The vectors of a task of {@code entries} entries with vectors of {@code lanes} lanes. */
    static RowVectors of(ConvLayout pl, int entries, int lanes) {
      int w = pl.out[pl.n - 1];
      int[] rs = pl.rowStarts();
      long planeY = (long) pl.t * pl.outPlane;
      int perRow = (w + lanes - 1) / lanes;
      long total = (long) (entries - 1) * pl.winPlane + pl.implicitSpan();
      boolean exact = ConvLayout.exactLanes(pl, entries, lanes) <= ConvLayout.spanLanes(pl, entries, lanes);
      int count = Math.toIntExact(exact ? (long) entries * rs.length * perRow : (total + lanes - 1) / lanes);
      int[] vecP = new int[count];
      int[] vecY = new int[count];
      int[] laneY = new int[count * lanes];
      int odd = 0;
      if (exact) {
        int v = 0;
        for (int e = 0; e < entries; e++) {
          for (int r = 0; r < rs.length; r++) {
            for (int x = 0; x < w; x += lanes, v++) {
              vecP[v] = e * pl.winPlane + rs[r] + x;
              int y0 = Math.toIntExact(e * planeY + (long) r * w + x);
              if (x + lanes <= w) {
                vecY[v] = y0;
              } else {
                vecY[v] = -1 - odd;
                for (int l = 0; l < lanes; l++) {
                  laneY[odd * lanes + l] = x + l < w ? y0 + l : -1;
                }
                odd++;
              }
            }
          }
        }
      } else {
        // the Y offset of every padded position of the span, -1 between rows
        int[] posY = new int[count * lanes];
        java.util.Arrays.fill(posY, -1);
        for (int e = 0; e < entries; e++) {
          for (int r = 0; r < rs.length; r++) {
            for (int x = 0; x < w; x++) {
              posY[e * pl.winPlane + rs[r] + x] = Math.toIntExact(e * planeY + (long) r * w + x);
            }
          }
        }
        for (int v = 0; v < count; v++) {
          int q = v * lanes;
          vecP[v] = q;
          boolean whole = posY[q] >= 0;
          for (int l = 1; l < lanes && whole; l++) {
            whole = posY[q + l] == posY[q] + l;
          }
          if (whole) {
            vecY[v] = posY[q];
          } else {
            vecY[v] = -1 - odd;
            System.arraycopy(posY, q, laneY, odd * lanes, lanes);
            odd++;
          }
        }
      }
      return new RowVectors(vecP, vecY, java.util.Arrays.copyOf(laneY, odd * lanes));
    }

    /** The number of vectors. */
    int count() {
      return vecP.length;
    }
  }

  /**
   * Index tables of the segment dot products for one task of {@code entries} batch entries and
   * passes of {@code channels} channels: row (entry e, output o) of the padded input starts at
   * {@code aRows}, the filter rows of output channel t at {@code bRows}; segment (channel cl of
   * the pass, filter row r) lies {@code aSeg} / {@code bSeg} further on.
   */
  record Segments(int[] aRows, int[] bRows, int[] aSeg, int[] bSeg) {
    /** The tables for one task of {@code entries} batch entries, passes of {@code channels}. */
    static Segments of(ConvLayout pl, int[] rowStarts, int[] taps, int wtOff, int entries, int channels) {
      int n = pl.n;
      int lenOut = pl.out[n - 1];
      int kLast = pl.k[n - 1];
      int filterRows = pl.kPlane / kLast;
      // stride 1 in the last dimension: output o of a row sits lenOut-wise after its row start
      int[] aRows = new int[entries * pl.outPlane];
      for (int e = 0; e < entries; e++) {
        for (int o = 0; o < pl.outPlane; o++) {
          aRows[e * pl.outPlane + o] = e * pl.winPlane + rowStarts[o / lenOut] + o % lenOut;
        }
      }
      int[] bRows = new int[pl.t];
      for (int tt = 0; tt < pl.t; tt++) {
        bRows[tt] = wtOff + tt * pl.c * pl.kPlane;
      }
      // dilation 1 in the last dimension: filter row r starts at tap r * kLast
      int[] aSeg = new int[channels * filterRows];
      int[] bSeg = new int[channels * filterRows];
      for (int cl = 0; cl < channels; cl++) {
        for (int r = 0; r < filterRows; r++) {
          aSeg[cl * filterRows + r] = cl * entries * pl.winPlane + taps[r * kLast];
          bSeg[cl * filterRows + r] = cl * pl.kPlane + r * kLast;
        }
      }
      return new Segments(aRows, bRows, aSeg, bSeg);
    }
  }
}
