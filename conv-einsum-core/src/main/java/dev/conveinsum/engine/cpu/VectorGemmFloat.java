package dev.conveinsum.engine.cpu;

import static dev.conveinsum.engine.cpu.VectorShapes.FL;
import static dev.conveinsum.engine.cpu.VectorShapes.FS;
import static dev.conveinsum.engine.cpu.VectorShapes.INPLACE_B_MAX_N;
import static dev.conveinsum.engine.cpu.VectorShapes.KC;
import static dev.conveinsum.engine.cpu.VectorShapes.MR;
import static dev.conveinsum.engine.cpu.VectorShapes.NCF;
import static dev.conveinsum.engine.cpu.VectorShapes.NRF;
import static dev.conveinsum.engine.cpu.VectorShapes.PACK_B_MIN_M;
import static dev.conveinsum.engine.cpu.VectorShapes.roundUp;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The packed, register-blocked float32 GEMM on the Vector API: BLIS-style loops (NC columns of
 * B, KC depth, MR-row panels of A) around the micro-kernels of {@link VectorMicroFloat}, and the
 * packing of A and B into micro-panels. See {@link VectorShapes} for the block sizes.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class VectorGemmFloat {
  private static final ThreadLocal<float[]> F_PA = ThreadLocal.withInitial(() -> new float[KC * MR]);
  private static final ThreadLocal<float[]> F_PB = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> F_TILE = ThreadLocal.withInitial(() -> new float[MR * NRF]);

  private VectorGemmFloat() {}

  /**
   * The packed, register-blocked product of a strided B. A is packed here, or was packed whole
   * beforehand ({@code packedA} from {@link #packAll}, one array per panel, then {@code a} is
   * unused).
   */
  static void blockedF(
      int m, int n, int k,
      float[] a, int aOff, int aRs, int aCs, float[][] packedA,
      float[] b, int bOff, int bRs, int bCs,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    boolean packB = m > PACK_B_MIN_M && n > INPLACE_B_MAX_N || bCs != 1;
    float[] pa = F_PA.get();
    float[] tile = F_TILE.get();
    int pbSize = packB ? KC * (Math.min(NCF, roundUp(n, NRF))) : KC * NRF;
    float[] pb = F_PB.get();
    if (pb.length < pbSize) {
      pb = new float[pbSize];
      F_PB.set(pb);
    }
    for (int jc = 0; jc < n; jc += NCF) {
      int nc = Math.min(NCF, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean load = accumulate || pc > 0;
        int bBase = bOff + pc * bRs + jc * bCs;
        int tailStart = nc / NRF * NRF;
        if (packB) {
          for (int jr = 0; jr < nc; jr += NRF) {
            packPanel(b, bBase + jr * bCs, bRs, bCs, kc, Math.min(NRF, nc - jr), pb, (jr / NRF) * kc * NRF);
          }
        } else if (tailStart < nc) {
          packPanel(b, bBase + tailStart * bCs, bRs, bCs, kc, nc - tailStart, pb, 0);
        }
        for (int ir = 0; ir < m; ir += MR) {
          int mr = Math.min(MR, m - ir);
          // a panel packed beforehand is its own array: the micro-kernels read A from index 0
          float[] ap = pa;
          if (packedA == null) {
            packA(a, aOff + ir * aRs + pc * aCs, aRs, aCs, mr, kc, pa);
          } else {
            ap = packedA[pc / KC * ((m + MR - 1) / MR) + ir / MR];
          }
          // a last panel of at most 4 rows runs the 4-row tile: no FMAs on its zero-padded rows
          boolean four = mr <= 4 && MR > 4;
          int tileRows = four ? 4 : MR;
          for (int jr = 0; jr < nc; jr += NRF) {
            int nr = Math.min(NRF, nc - jr);
            float[] bs;
            int bsOff;
            int bsStride;
            if (packB) {
              bs = pb;
              bsOff = (jr / NRF) * kc * NRF;
              bsStride = NRF;
            } else if (nr == NRF) {
              bs = b;
              bsOff = bBase + jr;
              bsStride = bRs;
            } else {
              bs = pb;
              bsOff = 0;
              bsStride = NRF;
            }
            int ci = cOff + ir * ldc + jc + jr;
            boolean direct = mr == tileRows && nr == NRF;
            float[] out = direct ? c : tile;
            int outOff = direct ? ci : 0;
            int outLd = direct ? ldc : NRF;
            boolean acc = direct && load;
            if (four) {
              if (acc) {
                VectorMicroFloat.kernelAcc4F(kc, ap, bs, bsOff, bsStride, out, outOff, outLd);
              } else {
                VectorMicroFloat.kernel4F(kc, ap, bs, bsOff, bsStride, out, outOff, outLd);
              }
            } else if (acc) {
              VectorMicroFloat.kernelAccF(kc, ap, bs, bsOff, bsStride, out, outOff, outLd);
            } else {
              VectorMicroFloat.kernelF(kc, ap, bs, bsOff, bsStride, out, outOff, outLd);
            }
            if (!direct) {
              for (int i = 0; i < mr; i++) {
                int row = ci + i * ldc;
                int t = i * NRF;
                if (load) {
                  for (int j = 0; j < nr; j++) {
                    c[row + j] += tile[t + j];
                  }
                } else {
                  System.arraycopy(tile, t, c, row, nr);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * Packs all of A, m x k, the way {@link #blockedF} reads it: one array per MR-row panel of
   * each depth block of KC, the panel of rows from ir in block pc at index {@code pc / KC *
   * ceil(m / MR) + ir / MR}. Products that share one A (a weight shared by many batch entries)
   * pack it once instead of once per product.
   */
  static float[][] packAll(int m, int k, float[] a, int aOff, int aRs, int aCs) {
    int panels = (m + MR - 1) / MR;
    float[][] packed = new float[((k + KC - 1) / KC) * panels][];
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      for (int ir = 0; ir < m; ir += MR) {
        float[] panel = new float[kc * MR];
        packA(a, aOff + ir * aRs + pc * aCs, aRs, aCs, Math.min(MR, m - ir), kc, panel);
        packed[pc / KC * panels + ir / MR] = panel;
      }
    }
    return packed;
  }

  /** Packs rows [0,mr) x depth [0,kc) of A into pa[p*MR + i], zero-padding rows mr..MR-1. */
  private static void packA(float[] a, int base, int aRs, int aCs, int mr, int kc, float[] pa) {
    if (mr < MR) {
      Arrays.fill(pa, 0, kc * MR, 0f);
    }
    if (aCs == 1) {
      for (int i = 0; i < mr; i++) {
        int src = base + i * aRs;
        for (int p = 0; p < kc; p++) {
          pa[p * MR + i] = a[src + p];
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int src = base + p * aCs;
        int to = p * MR;
        for (int i = 0; i < mr; i++) {
          pa[to + i] = a[src + i * aRs];
        }
      }
    }
  }

  /** Packs depth [0,kc) x columns [0,nr) of B into pb[dst + p*NR + j], zero-padding to NR columns. */
  private static void packPanel(float[] b, int base, int bRs, int bCs, int kc, int nr, float[] pb, int dst) {
    if (nr < NRF) {
      Arrays.fill(pb, dst, dst + kc * NRF, 0f);
    }
    if (bCs == 1) {
      for (int p = 0; p < kc; p++) {
        System.arraycopy(b, base + p * bRs, pb, dst + p * NRF, nr);
      }
    } else {
      for (int j = 0; j < nr; j++) {
        int src = base + j * bCs;
        for (int p = 0; p < kc; p++) {
          pb[dst + p * NRF + j] = b[src + p * bRs];
        }
      }
    }
  }

}
