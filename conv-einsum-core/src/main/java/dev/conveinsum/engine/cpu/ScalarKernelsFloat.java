package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.ScalarKernels.KC;
import static dev.conveinsum.engine.cpu.ScalarKernels.NC;

import java.util.Arrays;

/**
 * The float32 kernels of {@link ScalarKernels} in plain Java.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
abstract class ScalarKernelsFloat implements CpuKernels {
  private static final ThreadLocal<float[]> F_BUF = ThreadLocal.withInitial(() -> new float[0]);

  @Override
  public int floatLanes() {
    return 1;
  }

  private static float[] fbuf(int size) {
    float[] buf = F_BUF.get();
    if (buf.length < size) {
      buf = new float[size];
      F_BUF.set(buf);
    }
    return buf;
  }

  @Override
  public void sgemm(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (!accumulate) {
      for (int i = 0; i < m; i++) {
        Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      }
    }
    if (k <= 0) {
      return;
    }
    if (n < 4 && aCs == 1 && bRs == 1) {
      // a few contiguous columns of B (e.g. a matrix-vector product): plain dot products
      for (int i = 0; i < m; i++) {
        int ai = aOff + i * aRs;
        for (int j = 0; j < n; j++) {
          int bj = bOff + j * bCs;
          float s = 0f;
          for (int p = 0; p < k; p++) {
            s += a[ai + p] * b[bj + p];
          }
          c[cOff + i * ldc + j] += s;
        }
      }
      return;
    }
    float[] bp = bCs == 1 ? null : fbuf(Math.min(KC, k) * Math.min(NC, n));
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        float[] bb;
        int bbOff;
        int bbRs;
        if (bCs == 1) {
          bb = b;
          bbOff = bOff + pc * bRs + jc;
          bbRs = bRs;
        } else {
          for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * bRs + jc * bCs;
            int dst = p * nc;
            for (int j = 0; j < nc; j++) {
              bp[dst + j] = b[src + j * bCs];
            }
          }
          bb = bp;
          bbOff = 0;
          bbRs = nc;
        }
        for (int i = 0; i < m; i++) {
          int ci = cOff + i * ldc + jc;
          int ai = aOff + i * aRs + pc * aCs;
          for (int p = 0; p < kc; p++) {
            float av = a[ai + p * aCs];
            int bi = bbOff + p * bbRs;
            for (int j = 0; j < nc; j++) {
              c[ci + j] += av * bb[bi + j];
            }
          }
        }
      }
    }
  }

  @Override
  public void corrRow(
      float[] y, int yOff, int len,
      float[] p, int pOff, int pStep, int stride, int dilation,
      float[] w, int wOff, int taps1, int taps2) {
    for (int i = 0; i < taps1; i++) {
      for (int j = 0; j < taps2; j++) {
        float wv = w[wOff + i * taps2 + j];
        int base = pOff + i * pStep + j * dilation;
        if (stride == 1) {
          for (int o = 0; o < len; o++) {
            y[yOff + o] += wv * p[base + o];
          }
        } else {
          for (int o = 0; o < len; o++) {
            y[yOff + o] += wv * p[base + o * stride];
          }
        }
      }
    }
  }

  @Override
  public void corrTaps(
      float[] y, int yOff, int len,
      float[] p, int pOff, int cStride, int channels, int[] shift,
      float[] w, int wOff, int taps, float[] tmp) {
    for (int o = 0; o < len; o++) {
      float sum = 0f;
      for (int c = 0; c < channels; c++) {
        for (int j = 0; j < taps; j++) {
          sum += w[wOff + c * taps + j] * p[pOff + c * cStride + o + shift[j]];
        }
      }
      y[yOff + o] = sum;
    }
  }

  @Override
  public void convTiles(
      int m, int k, float[] at, int aOff, float[] p, int pOff, int[] rows, int lanes,
      int[] vecP, int[] vecY, int[] laneY, int v0, int v1,
      float[] y, int yOff, int ldy, boolean accumulate) {
    float[] acc = fbuf(lanes);
    for (int v = v0; v < v1; v++) {
      int src = pOff + vecP[v];
      for (int i = 0; i < m; i++) {
        Arrays.fill(acc, 0, lanes, 0f);
        int ai = aOff + i / ConvTiling.PANEL * k * ConvTiling.PANEL + i % ConvTiling.PANEL;
        for (int q = 0; q < k; q++) {
          float av = at[ai + q * ConvTiling.PANEL];
          int b = src + rows[q];
          for (int l = 0; l < lanes; l++) {
            acc[l] += av * p[b + l];
          }
        }
        int row = yOff + i * ldy;
        for (int l = 0; l < lanes; l++) {
          int d = vecY[v] >= 0 ? vecY[v] + l : laneY[(-1 - vecY[v]) * lanes + l];
          if (d >= 0) {
            y[row + d] = accumulate ? y[row + d] + acc[l] : acc[l];
          }
        }
      }
    }
  }

  @Override
  public void sdotSegments(
      int m, int n, int len,
      float[] a, int[] aRows, int[] aSeg,
      float[] b, int[] bRows, int bShift, int[] bSeg,
      int s0, int s1,
      float[] acc, int accOff, int ldAcc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int s = s0; s < s1; s++) {
          int ao = aRows[i] + aSeg[s];
          int bo = bRows[j] + bShift + bSeg[s];
          for (int q = 0; q < len; q++) {
            sum += a[ao + q] * b[bo + q];
          }
        }
        acc[accOff + i * ldAcc + j] += sum;
      }
    }
  }
}
