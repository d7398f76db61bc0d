package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ConvTiling.ROWS_PER_TASK;

import dev.conveinsum.concurrent.Parallelism;
import java.util.Arrays;

/**
 * The direct float32 convolution: padded input planes and a register-blocked row kernel, with
 * two 1-D forms (short rows read straight from the input; rows of many batch entries fused
 * end to end).
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvDirectFloat {
  private ConvDirectFloat() {}

  /** The general direct form: padded input planes, one row-kernel call per output row and tap block. */
  static void directF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int n = pl.n;
    int[] rowSrc = pl.paddedRowSources();
    int[] rowStarts = pl.rowStarts();
    int[][] outer = pl.outerTaps();
    int lenOut = pl.out[n - 1];
    int sLast = pl.dims[n - 1].stride();
    int dLast = pl.dims[n - 1].dilation();
    int taps2 = pl.k[n - 1];
    int taps1 = n >= 2 ? pl.k[n - 2] : 1;
    int pStep = n >= 2 ? pl.dims[n - 2].dilation() * pl.winStride[n - 2] : 0;
    // Each output row is accumulated in a scratch row rounded up to whole vectors (the extra lanes
    // read up to lanes-1 values past the padded plane, hence the slack, and are discarded), so the
    // row kernel never runs a scalar tail.
    int lanes = kern.floatLanes();
    int lenPad = sLast == 1 ? (lenOut + lanes - 1) / lanes * lanes : lenOut;
    int slack = lenPad - lenOut;
    boolean perT = (long) pl.g * pl.b < par.threads();
    int units = perT ? pl.g * pl.b * pl.t : pl.g * pl.b;
    par.forEach(units, unit -> {
      int gb = perT ? unit / pl.t : unit;
      int t0 = perT ? unit % pl.t : 0;
      int t1 = perT ? t0 + 1 : pl.t;
      int gg = gb / pl.b;
      float[] p = new float[pl.c * pl.winPlane + slack];
      float[] row = new float[lenPad];
      for (int cc = 0; cc < pl.c; cc++) {
        ConvFloat.padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, p, cc * pl.winPlane);
      }
      for (int tt = t0; tt < t1; tt++) {
        int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
        int wT = wtOff + (gg * pl.t + tt) * pl.c * pl.kPlane;
        if (slack == 0 && sLast == 1) {
          // rows are whole vectors: accumulate straight into Y
          if (!accumulate) {
            Arrays.fill(y, yBase, yBase + pl.outPlane, 0f);
          }
          for (int r = 0; r < rowStarts.length; r++) {
            int yRow = yBase + r * lenOut;
            for (int cc = 0; cc < pl.c; cc++) {
              int wBase = wT + cc * pl.kPlane;
              int pBase = cc * pl.winPlane + rowStarts[r];
              for (int q = 0; q < outer[0].length; q++) {
                kern.corrRow(y, yRow, lenOut, p, pBase + outer[0][q], pStep, 1, dLast,
                    wt, wBase + outer[1][q], taps1, taps2);
              }
            }
          }
          continue;
        }
        for (int r = 0; r < rowStarts.length; r++) {
          Arrays.fill(row, 0f);
          for (int cc = 0; cc < pl.c; cc++) {
            int wBase = wT + cc * pl.kPlane;
            int pBase = cc * pl.winPlane + rowStarts[r];
            for (int q = 0; q < outer[0].length; q++) {
              kern.corrRow(row, 0, lenPad, p, pBase + outer[0][q], pStep, sLast, dLast,
                  wt, wBase + outer[1][q], taps1, taps2);
            }
          }
          int yRow = yBase + r * lenOut;
          if (accumulate) {
            for (int o = 0; o < lenOut; o++) {
              y[yRow + o] += row[o];
            }
          } else {
            System.arraycopy(row, 0, y, yRow, lenOut);
          }
        }
      }
    });
  }

  /**
   * 1-D stride-1 convolution without a period, read straight from the unpadded input: one
   * register-blocked call per output row covers all channels and taps, so short rows with few
   * channels (the depthwise and low-rank steps of tensorial layers) pay neither a padding copy
   * nor a call per (channel, tap). Tasks take whole (group, batch) entries, about
   * ROWS_PER_TASK output rows each.
   */
  static void rowsDirectF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      Parallelism par) {
    int lenOut = pl.out[0];
    int taps = pl.k[0];
    int lanes = kern.floatLanes();
    // Scratch rows: input i at lead + i, zeros around it as far as any vector load reaches.
    int first = -pl.dims[0].padLeft();
    int last = (lenOut + lanes - 1) / lanes * lanes - 1 + first + (taps - 1) * pl.dims[0].dilation();
    int lead = Math.max(0, -first);
    int width = lead + Math.max(pl.in[0], last + 1);
    int[] shift = new int[taps];
    for (int j = 0; j < taps; j++) {
      shift[j] = lead + first + j * pl.dims[0].dilation();
    }
    int units = pl.g * pl.b;
    int per = Math.max(1, Math.min(units, ROWS_PER_TASK / Math.max(1, pl.t)));
    int tasks = (units + per - 1) / per;
    par.forEach(tasks, task -> {
      float[] p = new float[pl.c * width];
      float[] tmp = new float[lanes];
      int end = Math.min(units, (task + 1) * per);
      for (int gb = task * per; gb < end; gb++) {
        int gg = gb / pl.b;
        int xBase = xOff + gb * pl.c * pl.inPlane;
        for (int cc = 0; cc < pl.c; cc++) {
          System.arraycopy(x, xBase + cc * pl.inPlane, p, cc * width + lead, pl.in[0]);
        }
        for (int tt = 0; tt < pl.t; tt++) {
          kern.corrTaps(y, yOff + (gb * pl.t + tt) * lenOut, lenOut, p, 0, width, pl.c, shift,
              wt, wtOff + (gg * pl.t + tt) * pl.c * taps, taps, tmp);
        }
      }
    });
  }

  /**
   * 1-D direct convolution with stride 1 over several batch entries at once: their padded rows are
   * laid end to end, one per channel, and the row kernel runs once over the whole run, so that
   * short rows (e.g. 16 outputs of a depthwise layer) do not each pay the per-call overhead. The
   * outputs that straddle two rows are computed and discarded.
   */
  static void fusedDirectF(
      CpuKernels kern, ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int[] rowSrc = pl.paddedRowSources();
    int win = pl.winPlane;
    int lenOut = pl.out[0];
    int k = pl.k[0];
    int dil = pl.dims[0].dilation();
    int lanes = kern.floatLanes();
    int nb = ConvTiling.fusedBatch(pl, par.threads());
    int chunks = (pl.b + nb - 1) / nb;
    par.forEach(pl.g * chunks, task -> {
      int gg = task / chunks;
      int b0 = (task % chunks) * nb;
      int b1 = Math.min(pl.b, b0 + nb);
      int plane = (b1 - b0) * win;
      int lenZ = (plane + lanes - 1) / lanes * lanes;
      float[] p = new float[pl.c * plane + lenZ - plane + (k - 1) * dil];
      float[] z = new float[lenZ];
      for (int cc = 0; cc < pl.c; cc++) {
        for (int bb = b0; bb < b1; bb++) {
          ConvFloat.padF(pl, rowSrc, x, xOff + ((gg * pl.b + bb) * pl.c + cc) * pl.inPlane, p,
              cc * plane + (bb - b0) * win);
        }
      }
      for (int tt = 0; tt < pl.t; tt++) {
        Arrays.fill(z, 0f);
        int wT = wtOff + (gg * pl.t + tt) * pl.c * k;
        for (int cc = 0; cc < pl.c; cc++) {
          kern.corrRow(z, 0, lenZ, p, cc * plane, 0, 1, dil, wt, wT + cc * k, 1, k);
        }
        for (int bb = b0; bb < b1; bb++) {
          int yRow = yOff + ((gg * pl.b + bb) * pl.t + tt) * lenOut;
          int zRow = (bb - b0) * win;
          ConvFloat.storeF(z, zRow, y, yRow, lenOut, accumulate);
        }
      }
    });
  }
}
