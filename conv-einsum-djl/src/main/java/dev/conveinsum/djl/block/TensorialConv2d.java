package dev.conveinsum.djl.block;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import ai.djl.util.RandomUtils;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.DjlPlan;
import dev.conveinsum.nn.Decomposition;
import dev.conveinsum.nn.LayerSpec;
import dev.conveinsum.nn.TensorialLayer;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution whose kernel is a tensor decomposition (CP, RCP, TK, RTK, TT, RTT, TR, RTR) or
 * dense, as a DJL block: input {@code [B, S, H, W]}, output {@code [B, T, H', W']}, like DJL's
 * {@code Conv2d} (cross-correlation, stride, padding and an optional bias).
 *
 * <p>The layer's shape comes from a {@link LayerSpec} (channels, kernel size, stride, padding,
 * decomposition, ranks — e.g. chosen from a compression rate). The factors are DJL parameters;
 * the forward pass is the spec's conv_einsum (for CP {@code bshw,rt,rs,rh,rw->bthw|hw}), planned
 * once per input shape with the training cost and executed by the DJL backend, so the factors
 * train through DJL's autograd without ever rebuilding the dense kernel. Reshaped decompositions
 * view the input as {@code [B, s1, ..., sM, H, W]}.
 *
 * <p>The factors start from {@link TensorialLayer#random(LayerSpec, long)} (He's variance for
 * the rebuilt kernel) or from given values, e.g. {@link TensorialLayer#fromDense} of a trained
 * dense kernel ({@link Builder#optInitialFactors(List)}).
 */
public final class TensorialConv2d extends AbstractBlock {
  private static final byte VERSION = 1;

  private final LayerSpec spec;
  private final List<Parameter> factors;
  private final Parameter bias;
  private final PlanCache plans;

  private TensorialConv2d(Builder b) {
    super(VERSION);
    this.spec = b.spec;
    this.plans = new PlanCache(spec.expression(), spec.options(), b.path);
    List<Tensor> init = b.initial != null ? b.initial
        : TensorialLayer.random(spec, b.seed != null ? b.seed : RandomUtils.RANDOM.nextLong())
            .factors();
    List<long[]> shapes = spec.factorShapes();
    List<Parameter> ps = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      double[] values = init.get(i).toDoubleArray();
      Initializer from = (NDManager m, Shape s, DataType t) -> m.create(values, s).toType(t, false);
      ps.add(addParameter(Parameter.builder().setName("factor" + i)
          .setType(Parameter.Type.WEIGHT).optShape(new Shape(shapes.get(i)))
          .optInitializer(from).build()));
    }
    this.factors = List.copyOf(ps);
    this.bias = b.bias ? addParameter(Parameter.builder().setName("bias")
        .setType(Parameter.Type.BIAS).optShape(new Shape(spec.outChannels())).build()) : null;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the layer's spec. */
  public LayerSpec spec() {
    return spec;
  }

  /** Returns the path optimizer ({@code optimal}, {@code naive}, ...). */
  public String path() {
    return plans.path();
  }

  /** Returns the factor parameters, in the order of the expression's factor terms. */
  public List<Parameter> factors() {
    return factors;
  }

  /** Returns the bias parameter, or null when the layer has none. */
  public Parameter bias() {
    return bias;
  }

  /** Returns how many input shapes have been planned so far. */
  public int plannedShapes() {
    return plans.size();
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> args) {
    NDArray x = inputs.singletonOrThrow();
    long[] s = checkInput(x.getShape());
    NDArray[] ops = new NDArray[1 + factors.size()];
    ops[0] = x.reshape(spec.inputShape(s[0], s[2], s[3]));
    for (int i = 0; i < factors.size(); i++) {
      ops[i + 1] = store.getValue(factors.get(i), x.getDevice(), training);
    }
    DjlPlan plan = plans.plan(ops);
    long[] out = plan.outputShape();
    NDArray y = plan.apply(ops).reshape(s[0], spec.outChannels(), out[out.length - 2],
        out[out.length - 1]);
    if (bias != null) {
      NDArray b = store.getValue(bias, x.getDevice(), training);
      y = y.add(b.reshape(1, spec.outChannels(), 1, 1));
    }
    return new NDList(y);
  }

  private long[] checkInput(Shape shape) {
    if (shape.dimension() != 4 || shape.get(1) != spec.inChannels()) {
      throw new ConvEinsumException("the " + spec.decomposition() + " convolution takes input"
          + " [B, " + spec.inChannels() + ", H, W], got " + shape);
    }
    return shape.getShape();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long[] s = checkInput(inputShapes[0]);
    return new Shape[] {new Shape(spec.outputShape(s[0], s[2], s[3]))};
  }

  @Override
  public String toString() {
    return "TensorialConv2d[" + spec + ", path " + path() + (bias != null ? ", bias" : "")
        + "]";
  }

  /** Builds a {@link TensorialConv2d}. */
  public static final class Builder {
    private LayerSpec spec;
    private boolean bias = true;
    private String path = "optimal";
    private List<Tensor> initial;
    private Long seed;

    private Builder() {}

    /** Sets the layer's spec (required): channels, kernel, stride, padding, decomposition. */
    public Builder setSpec(LayerSpec s) {
      this.spec = s;
      return this;
    }

    /** Sets whether the layer adds a bias per output channel (default true, as DJL's Conv2d). */
    public Builder optBias(boolean b) {
      this.bias = b;
      return this;
    }

    /** Sets the path optimizer: {@code optimal} (default) or {@code naive} (the baseline). */
    public Builder optPath(String p) {
      this.path = p;
      return this;
    }

    /** Sets the seed of the random initial factors (default: from DJL's seeded generator). */
    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * Sets the initial factor values (e.g. {@code TensorialLayer.fromDense(spec, kernel)
     * .factors()}), in the order and shapes of {@link LayerSpec#factorShapes()}.
     */
    public Builder optInitialFactors(List<Tensor> f) {
      this.initial = List.copyOf(f);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConvEinsumException when the spec or the path is missing, or the initial factors
     *     do not fit the spec
     */
    public TensorialConv2d build() {
      if (spec == null) {
        throw new ConvEinsumException("tensorial conv: the layer spec is not set");
      }
      if (path == null || path.isBlank()) {
        throw new ConvEinsumException("tensorial conv: the path must be optimal, naive or"
            + " another optimizer's name");
      }
      if (initial != null) {
        // TensorialLayer.of checks the count and every shape
        TensorialLayer.of(spec, initial);
      }
      return new TensorialConv2d(this);
    }
  }

  /**
   * Returns a spec for a k x k convolution as PyTorch's {@code Conv2d(S, T, k, stride, padding)}
   * defines it (cross-correlation, symmetric zero padding), with the given decomposition and
   * compression rate (ignored for DENSE).
   *
   * @param in S, input channels
   * @param out T, output channels
   * @param kernel k
   * @param stride the stride
   * @param padding zero padding on every side
   * @param decomposition the decomposition
   * @param rate the compression rate in (0, 1]
   * @return the spec
   */
  public static LayerSpec spec(int in, int out, int kernel, int stride, int padding,
      Decomposition decomposition, double rate) {
    LayerSpec.Builder b = LayerSpec.builder().setInChannels(in).setOutChannels(out)
        .setKernelSize(kernel).setDecomposition(decomposition).optStride(stride)
        .optPadding(dev.conveinsum.expr.Padding.explicit(padding, padding))
        .optKind(dev.conveinsum.expr.ConvKind.CROSS_CORRELATION);
    if (decomposition != Decomposition.DENSE) {
      b.optCompressionRate(rate);
    }
    return b.build();
  }
}
