package dev.conveinsum.engine.cpu;

import dev.conveinsum.concurrent.Parallelism;
import java.util.Arrays;
import org.jtransforms.fft.FloatFFT_1D;
import org.jtransforms.fft.FloatFFT_2D;
import org.jtransforms.fft.FloatFFT_3D;

/**
 * The float32 FFT convolution (N &lt;= 3) through JTransforms: transforms of the padded input
 * and the dilated filter, products of spectra summed over channels, strided outputs gathered.
 *
 * <p>float32; the float64 twin is generated from this file by {@code gen_double.py}.
 */
final class ConvFftFloat {
  private ConvFftFloat() {}

  /** The FFT convolution, one group at a time, the planes of a group in parallel. */
  static void fftF(
      ConvLayout pl, float[] x, int xOff, float[] wt, int wtOff, float[] y, int yOff,
      boolean accumulate, Parallelism par) {
    int n = pl.n;
    int[] f = new int[n];
    for (int i = 0; i < n; i++) {
      f[i] = ConvChooser.fftLength(pl.win[i]);
    }
    int[] fStride = ConvLayout.strides(f);
    int fPlane = Math.toIntExact(ConvLayout.prod(f));
    int[] rowSrc = pl.paddedRowSources();
    int[] taps = pl.tapOffsets();
    // tap offsets in the FFT grid
    int[] tapF = new int[pl.kPlane];
    int[] outF = new int[pl.outPlane];
    {
      int[] ji = new int[n];
      for (int q = 0; q < pl.kPlane; q++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += ji[i] * pl.dims[i].dilation() * fStride[i];
        }
        tapF[q] = off;
        ConvLayout.increment(ji, pl.k);
      }
      int[] yi = new int[n];
      for (int o = 0; o < pl.outPlane; o++) {
        int off = 0;
        for (int i = 0; i < n; i++) {
          off += yi[i] * pl.dims[i].stride() * fStride[i];
        }
        outF[o] = off;
        ConvLayout.increment(yi, pl.out);
      }
    }
    // padded-plane row r (dims 0..n-2) -> start in the FFT grid
    int winLast = pl.win[n - 1];
    int[] rowF = new int[rowSrc.length];
    {
      int[] ui = new int[n - 1];
      int[] bounds = Arrays.copyOf(pl.win, n - 1);
      for (int r = 0; r < rowF.length; r++) {
        int off = 0;
        for (int i = 0; i < n - 1; i++) {
          off += ui[i] * fStride[i];
        }
        rowF[r] = off;
        ConvLayout.increment(ui, bounds);
      }
    }
    ThreadLocal<Object> fftHolder = ThreadLocal.withInitial(() -> newFftF(f));
    int tc = pl.t * pl.c;
    float[] h = new float[tc * 2 * fPlane];
    float[] xs = new float[pl.c * 2 * fPlane];
    for (int gg = 0; gg < pl.g; gg++) {
      int g0 = gg;
      par.forEach(tc, q -> {
        int dst = q * 2 * fPlane;
        Arrays.fill(h, dst, dst + 2 * fPlane, 0f);
        int src = wtOff + (g0 * tc + q) * pl.kPlane;
        for (int j = 0; j < pl.kPlane; j++) {
          h[dst + 2 * tapF[j]] = wt[src + j];
        }
        forwardF(fftHolder.get(), h, dst, 2 * fPlane);
      });
      for (int bb = 0; bb < pl.b; bb++) {
        int gb = g0 * pl.b + bb;
        par.forEach(pl.c, cc -> {
          int dst = cc * 2 * fPlane;
          float[] buf = new float[pl.winPlane];
          ConvFloat.padF(pl, rowSrc, x, xOff + (gb * pl.c + cc) * pl.inPlane, buf, 0);
          Arrays.fill(xs, dst, dst + 2 * fPlane, 0f);
          for (int r = 0; r < rowF.length; r++) {
            int s = r * winLast;
            int d = dst + 2 * rowF[r];
            for (int u = 0; u < winLast; u++) {
              xs[d + 2 * u] = buf[s + u];
            }
          }
          forwardF(fftHolder.get(), xs, dst, 2 * fPlane);
        });
        par.forEach(pl.t, tt -> {
          float[] acc = new float[2 * fPlane];
          for (int cc = 0; cc < pl.c; cc++) {
            int xb = cc * 2 * fPlane;
            int hb = (tt * pl.c + cc) * 2 * fPlane;
            for (int i = 0; i < 2 * fPlane; i += 2) {
              float xr = xs[xb + i];
              float xi = xs[xb + i + 1];
              float hr = h[hb + i];
              float hi = h[hb + i + 1];
              acc[i] += xr * hr + xi * hi;
              acc[i + 1] += xi * hr - xr * hi;
            }
          }
          inverseF(fftHolder.get(), acc);
          int yBase = yOff + (gb * pl.t + tt) * pl.outPlane;
          for (int o = 0; o < pl.outPlane; o++) {
            float v = acc[2 * outF[o]];
            y[yBase + o] = accumulate ? y[yBase + o] + v : v;
          }
        });
      }
    }
  }

  /** A JTransforms plan over the axes longer than 1 (it rejects length-1 axes), or null if none. */
  private static Object newFftF(int[] full) {
    int[] f = Arrays.stream(full).filter(v -> v > 1).toArray();
    return switch (f.length) {
      case 0 -> null;
      case 1 -> new FloatFFT_1D(f[0]);
      case 2 -> new FloatFFT_2D(f[0], f[1]);
      case 3 -> new FloatFFT_3D(f[0], f[1], f[2]);
      default -> throw new IllegalArgumentException("FFT rank " + f.length);
    };
  }

  /** In-place forward complex transform of a[off, off + len). */
  private static void forwardF(Object fft, float[] a, int off, int len) {
    if (fft == null) {
      return;
    }
    if (fft instanceof FloatFFT_1D f1) {
      f1.complexForward(a, off);
      return;
    }
    float[] tmp = off == 0 && a.length == len ? a : Arrays.copyOfRange(a, off, off + len);
    if (fft instanceof FloatFFT_2D f2) {
      f2.complexForward(tmp);
    } else {
      ((FloatFFT_3D) fft).complexForward(tmp);
    }
    if (tmp != a) {
      System.arraycopy(tmp, 0, a, off, len);
    }
  }

  /** In-place inverse complex transform of a, scaled. */
  private static void inverseF(Object fft, float[] a) {
    if (fft == null) {
      return;
    }
    if (fft instanceof FloatFFT_1D f1) {
      f1.complexInverse(a, true);
    } else if (fft instanceof FloatFFT_2D f2) {
      f2.complexInverse(a, true);
    } else {
      ((FloatFFT_3D) fft).complexInverse(a, true);
    }
  }
}
