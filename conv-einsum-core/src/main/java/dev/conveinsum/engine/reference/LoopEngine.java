package dev.conveinsum.engine.reference;

import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import dev.conveinsum.engine.DepthwiseProblem;
import dev.conveinsum.engine.Engine;

/**
 * The oracle engine: {@link ConvProblem} by the plain loops of its definition, single-threaded.
 * Every fast engine is tested against it.
 */
public final class LoopEngine implements Engine {

  /** Creates the engine (public for {@link java.util.ServiceLoader}). */
  public LoopEngine() {}

  @Override
  public String name() {
    return "loops";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public String describe(ConvProblem p, int threads) {
    return "loop (the defining sum, single-threaded)";
  }

  @Override
  public String describe(DepthwiseProblem p, int threads) {
    return "loop (every output and tap, single-threaded)";
  }

  @Override
  public void conv(ConvProblem p, double[] x, double[] f, double[] y, int threads) {
    run(p, new Access() {
      public double x(int i) {
        return x[i];
      }

      public double f(int i) {
        return f[i];
      }

      public void y(int i, double v) {
        y[i] = v;
      }
    });
  }

  @Override
  public void conv(ConvProblem p, float[] x, float[] f, float[] y, int threads) {
    run(p, new Access() {
      public double x(int i) {
        return x[i];
      }

      public double f(int i) {
        return f[i];
      }

      public void y(int i, double v) {
        y[i] = (float) v;
      }
    });
  }

  private interface Access {
    double x(int i);

    double f(int i);

    void y(int i, double v);
  }

  private static void run(ConvProblem p, Access a) {
    int n = p.dims().size();
    int in = (int) p.inputSpatial();
    int ks = (int) p.kernelSpatial();
    int out = (int) p.outputSpatial();
    int[] outLen = new int[n];
    int[] kLen = new int[n];
    int[] inLen = new int[n];
    for (int d = 0; d < n; d++) {
      outLen[d] = p.dims().get(d).outLength();
      kLen[d] = p.dims().get(d).kernelLength();
      inLen[d] = p.dims().get(d).inLength();
    }
    int[] yc = new int[n];
    int[] kc = new int[n];
    for (int g = 0; g < p.groups(); g++) {
      for (int b = 0; b < p.batch(); b++) {
        for (int t = 0; t < p.outChannels(); t++) {
          for (int yo = 0; yo < out; yo++) {
            unflatten(yo, outLen, yc);
            double sum = 0;
            for (int c = 0; c < p.inChannels(); c++) {
              for (int ko = 0; ko < ks; ko++) {
                unflatten(ko, kLen, kc);
                int xo = 0;
                boolean inside = true;
                for (int d = 0; d < n && inside; d++) {
                  ConvDim dim = p.dims().get(d);
                  int xp = dim.inputIndex(yc[d], kc[d]);
                  inside = xp >= 0;
                  xo = xo * inLen[d] + xp;
                }
                if (inside) {
                  sum += a.x(xIndex(p, g, b, c) * in + xo) * a.f(fIndex(p, g, t, c) * ks + ko);
                }
              }
            }
            int yi = p.yTransposed() ? (g * p.outChannels() + t) * p.batch() + b
                : (g * p.batch() + b) * p.outChannels() + t;
            a.y(yi * out + yo, sum);
          }
        }
      }
    }
  }

  private static int xIndex(ConvProblem p, int g, int b, int c) {
    return p.xTransposed() ? (g * p.inChannels() + c) * p.batch() + b
        : (g * p.batch() + b) * p.inChannels() + c;
  }

  private static int fIndex(ConvProblem p, int g, int t, int c) {
    int gg = p.fShared() ? 0 : g;
    return p.fTransposed() ? (gg * p.inChannels() + c) * p.outChannels() + t
        : (gg * p.outChannels() + t) * p.inChannels() + c;
  }

  private static void unflatten(int flat, int[] lengths, int[] coords) {
    for (int d = lengths.length - 1; d >= 0; d--) {
      coords[d] = flat % lengths[d];
      flat /= lengths[d];
    }
  }
}
