package dev.conveinsum.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.conveinsum.engine.ConvDim;
import dev.conveinsum.engine.ConvProblem;
import java.util.List;
import java.util.Locale;

/**
 * Decides, once per JVM, how float32 convolutions on the CPU are run, because libtorch's own
 * CPU convolution (oneDNN) cannot be trusted everywhere: libtorch 2.7.1's oneDNN 3.7.1 was
 * measured computing float32 3x3 and 1x3 convolutions with 24 or 28 input channels wrongly on
 * AMD Zen 5 (relative error 0.18-0.45, NaN in gradients).
 *
 * <p>The probe runs exactly those convolutions (dense and depthwise, forward and, when no
 * gradient collector is already recording, backward) in float32 and compares them with the
 * same convolutions in float64, which libtorch computes without oneDNN. If they agree, float32
 * convolutions go to DJL's {@code conv1d/2d/3d} ({@link Route#DIRECT}). If not, they are
 * lowered to im2col and a matrix product ({@link Route#IM2COL}, no oneDNN convolution
 * involved), provided the probe finds that route right on the same data; failing that, they
 * run in float64 and are rounded back ({@link Route#FLOAT64}).
 *
 * <p>The system property {@code conveinsum.djl.onednn} overrides the probe: {@code trust}
 * (always DIRECT), {@code im2col}, {@code float64}, or {@code auto} (the default).
 */
final class OneDnnCheck {
  private OneDnnCheck() {}

  /** How a float32 CPU convolution step is computed. */
  enum Route {
    /** DJL's convolution (libtorch, oneDNN on the CPU). */
    DIRECT,
    /** im2col and a batched matrix product. */
    IM2COL,
    /** The step in float64, the result rounded to float32. */
    FLOAT64
  }

  /**
   * What the probe found.
   *
   * @param route the route chosen for float32 CPU convolutions
   * @param directError the worst relative error of the direct float32 convolution (NaN counts
   *     as infinite)
   * @param worstCase the probe case with that error
   * @param withGradients whether the backward pass was probed too
   * @param source "probe" or the property value that decided
   */
  record Verdict(Route route, double directError, String worstCase, boolean withGradients,
      String source) {}

  /** A probe is wrong beyond this relative error (float32 rounding stays near 1e-6). */
  static final double WRONG = 1e-3;

  private static volatile Verdict verdict;

  /** Returns the route for a convolution step of this element type on this device. */
  static Route route(DataType type, Device device) {
    if (type != DataType.FLOAT32 || !Device.Type.CPU.equals(device.getDeviceType())) {
      return Route.DIRECT;
    }
    return verdict().route();
  }

  /** Returns the verdict, probing on first use. */
  static Verdict verdict() {
    Verdict v = verdict;
    if (v == null) {
      synchronized (OneDnnCheck.class) {
        v = verdict;
        if (v == null) {
          v = decide(System.getProperty("conveinsum.djl.onednn", "auto"));
          verdict = v;
        }
      }
    }
    return v;
  }

  static Verdict decide(String setting) {
    String s = setting.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "trust" -> new Verdict(Route.DIRECT, Double.NaN, "not probed", false, s);
      case "im2col" -> new Verdict(Route.IM2COL, Double.NaN, "not probed", false, s);
      case "float64" -> new Verdict(Route.FLOAT64, Double.NaN, "not probed", false, s);
      case "auto" -> probe();
      default -> throw new dev.conveinsum.ConvEinsumException("system property"
          + " conveinsum.djl.onednn is '" + setting + "'; expected auto, trust, im2col or"
          + " float64");
    };
  }

  /** The convolutions reported wrong: 3x3 and 1x3, 24 and 28 input channels. */
  static List<ConvProblem> probeProblems() {
    ConvDim k3 = new ConvDim(12, 3, 12, 1, 1, 1, false, 0);
    ConvDim k1 = new ConvDim(12, 1, 12, 1, 1, 0, false, 0);
    return List.of(
        ConvProblem.of(1, 4, 16, 24, k3, k3), ConvProblem.of(1, 4, 16, 28, k3, k3),
        ConvProblem.of(1, 4, 16, 24, k1, k3), ConvProblem.of(1, 4, 16, 28, k1, k3),
        ConvProblem.of(24, 4, 1, 1, k3, k3), ConvProblem.of(28, 4, 1, 1, k3, k3),
        ConvProblem.of(24, 4, 1, 1, k1, k3), ConvProblem.of(28, 4, 1, 1, k1, k3));
  }

  /**
   * Runs the probe problems on the CPU by a route in float32 against the direct float64
   * result; returns the worst relative error and its case.
   */
  static Object[] worstError(NDManager m, Route route, boolean gradients) {
    double worst = 0;
    String where = "none";
    long seed = 1;
    for (ConvProblem p : probeProblems()) {
      NDArray x = random(m, seed++, p.inputSize());
      NDArray f = random(m, seed++, p.filterSize());
      NDArray gy = random(m, seed++, p.outputSize());
      NDArray[] want = run(p, x.toType(DataType.FLOAT64, false),
          f.toType(DataType.FLOAT64, false), gy.toType(DataType.FLOAT64, false), Route.DIRECT,
          gradients);
      NDArray[] got = run(p, x, f, gy, route, gradients);
      String[] names = {"output", "input gradient", "filter gradient"};
      for (int i = 0; i < got.length; i++) {
        double e = relativeError(got[i], want[i]);
        if (!(e <= worst)) {
          worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
          where = describe(p) + " " + names[i];
        }
      }
    }
    return new Object[] {worst, where};
  }

  private static Verdict probe() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      boolean gradients = canCollect();
      Object[] direct = worstError(m, Route.DIRECT, gradients);
      double e = (Double) direct[0];
      if (e <= WRONG) {
        return new Verdict(Route.DIRECT, e, (String) direct[1], gradients, "probe");
      }
      double im2col = (Double) worstError(m, Route.IM2COL, gradients)[0];
      return new Verdict(im2col <= WRONG ? Route.IM2COL : Route.FLOAT64, e, (String) direct[1],
          gradients, "probe");
    }
  }

  /** Whether a gradient collector can be opened now (DJL allows one at a time). */
  private static boolean canCollect() {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      return gc != null;
    } catch (IllegalStateException alreadyCollecting) {
      return false;
    }
  }

  /** Output and, with gradients, the gradients of x and f for output gradient gy. */
  private static NDArray[] run(ConvProblem p, NDArray x, NDArray f, NDArray gy, Route route,
      boolean gradients) {
    Shape yShape = new Shape(p.outputSize());
    if (!gradients) {
      return new NDArray[] {NdKernels.kernel(x, f, p, yShape, route)};
    }
    NDArray xs = x.duplicate();
    NDArray fs = f.duplicate();
    xs.setRequiresGradient(true);
    fs.setRequiresGradient(true);
    NDArray y;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      y = NdKernels.kernel(xs, fs, p, yShape, route);
      gc.backward(y.mul(gy).sum());
    }
    return new NDArray[] {y, xs.getGradient(), fs.getGradient()};
  }

  private static NDArray random(NDManager m, long seed, long size) {
    // A fixed pattern in [-1, 1): the probe must not disturb the engine's random state.
    float[] v = new float[Math.toIntExact(size)];
    long s = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < v.length; i++) {
      s = s * 6364136223846793005L + 1442695040888963407L;
      v[i] = (float) ((s >>> 40) / (double) (1L << 24) * 2 - 1);
    }
    return m.create(v, new Shape(size));
  }

  private static double relativeError(NDArray got, NDArray want) {
    NDArray g = got.toType(DataType.FLOAT64, false);
    NDArray w = want.toType(DataType.FLOAT64, false);
    double scale = w.abs().max().getDouble();
    return g.sub(w).abs().max().getDouble() / Math.max(scale, 1e-30);
  }

  private static String describe(ConvProblem p) {
    StringBuilder k = new StringBuilder();
    for (ConvDim d : p.dims()) {
      k.append(k.length() == 0 ? "" : "x").append(d.kernelLength());
    }
    return p.groups() > 1 ? k + " depthwise, " + p.groups() + " channels"
        : k + " dense, " + p.inChannels() + " input channels";
  }
}
