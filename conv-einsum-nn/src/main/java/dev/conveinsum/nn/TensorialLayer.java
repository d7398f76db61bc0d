package dev.conveinsum.nn;

import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.RunOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tensorial convolution layer: a {@link LayerSpec} and its factor tensors, evaluated as one
 * conv_einsum with the input first (for CP, {@code bshw,rt,rs,rh,rw->bthw|hw}).
 *
 * <p>A layer is an immutable value: training code builds a new layer from updated factors with
 * {@link #withFactors(List)}. Forward and backward go through a {@link LayerEvaluator}
 * ({@link LayerEvaluator#defaultEvaluator()} unless {@link #withEvaluator} says otherwise).
 */
public final class TensorialLayer {
  private final LayerSpec spec;
  private final List<Tensor> factors;
  private final LayerEvaluator evaluator;

  private TensorialLayer(LayerSpec spec, List<Tensor> factors, LayerEvaluator evaluator) {
    this.spec = spec;
    this.factors = List.copyOf(factors);
    this.evaluator = evaluator;
    List<long[]> shapes = spec.factorShapes();
    if (factors.size() != shapes.size()) {
      throw new ConvEinsumException("layer " + spec.decomposition() + " has " + shapes.size()
          + " factors, got " + factors.size());
    }
    for (int i = 0; i < shapes.size(); i++) {
      if (!Arrays.equals(shapes.get(i), factors.get(i).shape())) {
        throw new ConvEinsumException("factor " + i + " of " + spec.decomposition()
            + " must have shape " + Arrays.toString(shapes.get(i)) + ", got "
            + Arrays.toString(factors.get(i).shape()));
      }
    }
  }

  /**
   * Returns a layer with the given factors.
   *
   * @param spec the layer's spec
   * @param factors one tensor per factor, of the shapes {@link LayerSpec#factorShapes()} lists
   * @throws ConvEinsumException when a count or shape does not match
   */
  public static TensorialLayer of(LayerSpec spec, List<Tensor> factors) {
    return new TensorialLayer(spec, factors, LayerEvaluator.defaultEvaluator());
  }

  /**
   * Returns a randomly initialised float64 layer whose kernel entries have the variance of a
   * He-initialised dense convolution, {@code 2 / (S k k)} (He et al., ICCV 2015).
   *
   * <p>Every factor entry is drawn from N(0, sigma^2) with one sigma for all factors. An entry of
   * the rebuilt kernel is a sum of {@code P} products of F independent zero-mean factor entries,
   * where P is the product of all ranks (every rank index is summed once) and F the number of
   * factors; distinct products are uncorrelated, so the entry's variance is
   * {@code P * sigma^(2F)}, and distinct entries are uncorrelated too. Choosing
   * {@code sigma = (2 / (S k k P))^(1 / (2F))} gives He's variance, hence the output variance of
   * the He-initialised dense layer for any input.
   *
   * @param spec the layer's spec
   * @param seed seed of the generator
   * @return the layer
   */
  public static TensorialLayer random(LayerSpec spec, long seed) {
    List<long[]> shapes = spec.factorShapes();
    double p = 1;
    for (int r : spec.ranks()) {
      p *= r;
    }
    int f = shapes.size();
    double target = 2.0 / ((double) spec.inChannels() * spec.kernelSize() * spec.kernelSize());
    double sigma = Math.pow(target / p, 1.0 / (2 * f));
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Tensor> factors = new ArrayList<>();
    for (long[] shape : shapes) {
      double[] d = new double[(int) Tensor.elementCount(shape)];
      for (int i = 0; i < d.length; i++) {
        d[i] = sigma * rnd.nextGaussian();
      }
      factors.add(Tensor.wrap(d, shape));
    }
    return of(spec, factors);
  }

  /**
   * Decomposes a dense kernel into the spec's factors with {@link DecomposeOptions#DEFAULT}.
   *
   * @param spec the layer's spec (its ranks are used as given)
   * @param kernel the dense kernel {@code W[t, s, h, w]}, shape {@code [T, S, k, k]}
   * @return the layer, float64
   * @see #fromDense(LayerSpec, Tensor, DecomposeOptions)
   */
  public static TensorialLayer fromDense(LayerSpec spec, Tensor kernel) {
    return fromDense(spec, kernel, DecomposeOptions.DEFAULT);
  }

  /**
   * Decomposes a dense kernel into the spec's factors: CP and RCP by alternating least squares
   * (exact by construction once the rank reaches the product of all but the largest mode), TK
   * and RTK by truncated HOSVD, TT and RTT by TT-SVD, TR and RTR by TR-SVD (or a tensor train in
   * one slice of the ring rank, whichever fits better). The reshaped variants decompose
   * {@code W} regrouped as {@code [(t1 s1), ..., (tM sM), (h w)]}. Ranks larger than an
   * unfolding's rank are padded with zeros, so the result is exact at full rank. Memory stays
   * within a few copies of the kernel plus factor-sized products: singular vectors come from thin
   * SVDs of unfoldings (EJML; a seeded randomized range finder for unfoldings above 2^20
   * entries when the rank is small), never from Gram matrices of the long side. Time: the SVD
   * families take seconds for a 512x512x3x3 kernel; one CP/RCP ALS sweep costs about
   * (modes x kernel size x R) multiply-adds (about 2 minutes for 5 sweeps of RCP at 512 channels,
   * R = 1173), so lower {@link DecomposeOptions#maxIterations()} for large layers.
   *
   * @param spec the layer's spec (its ranks are used as given)
   * @param kernel the dense kernel, shape {@code [T, S, k, k]}
   * @param options ALS iterations, tolerance and seed
   * @return the layer, float64
   * @throws ConvEinsumException when the kernel's shape does not match the spec
   */
  public static TensorialLayer fromDense(LayerSpec spec, Tensor kernel,
      DecomposeOptions options) {
    return of(spec, Decomposer.decompose(spec, kernel, options));
  }

  /** Returns this layer evaluated by another engine. */
  public TensorialLayer withEvaluator(LayerEvaluator e) {
    return new TensorialLayer(spec, factors, e);
  }

  /**
   * Returns this layer evaluated through {@link ConvEinsum} with the given run options, e.g.
   * {@code RunOptions.DEFAULT.withCheckpoint(Checkpoint.RECOMPUTE)} to trade compute for memory
   * in the backward pass.
   *
   * @param run engine, threads, checkpoint mode
   * @return the layer
   */
  public TensorialLayer withRunOptions(RunOptions run) {
    return withEvaluator(LayerEvaluator.of(run));
  }

  /**
   * Returns the plan the layer's training pass runs for an input of this size: the expression
   * planned for training with every operand (input first, then the factors) trainable, as
   * {@link LayerEvaluator#of(RunOptions)} compiles it; for peak-memory predictions.
   *
   * @param batch the batch size
   * @param height the input height
   * @param width the input width
   * @return the compiled plan (cached by the facade)
   */
  public CompiledPlan trainingPlan(long batch, long height, long width) {
    List<long[]> shapes = new ArrayList<>();
    shapes.add(spec.inputShape(batch, height, width));
    shapes.addAll(spec.factorShapes());
    boolean[] all = new boolean[shapes.size()];
    Arrays.fill(all, true);
    return ConvEinsum.compile(spec.expression(), spec.options(), shapes, all);
  }

  /** Returns a layer of the same spec and evaluator with other factors (same shapes). */
  public TensorialLayer withFactors(List<Tensor> newFactors) {
    return new TensorialLayer(spec, newFactors, evaluator);
  }

  /** Returns the spec. */
  public LayerSpec spec() {
    return spec;
  }

  /** Returns the factors, in the order of the expression's factor terms. */
  public List<Tensor> factors() {
    return factors;
  }

  /** Returns the evaluator. */
  public LayerEvaluator evaluator() {
    return evaluator;
  }

  /**
   * Rebuilds the dense kernel {@code W[t, s, h, w]} (shape {@code [T, S, k, k]}, float64) by
   * contracting the factors ({@link LayerSpec#kernelExpression()}), pairwise, smallest
   * intermediate first. Reshaped decompositions' channel factors are merged row-major,
   * {@code t = (t1 ... tM)}, as reshaping the input {@code [B, S, H, W]} to
   * {@code [B, s1, ..., sM, H, W]} splits them.
   */
  public Tensor reconstruct() {
    Network n = spec.network();
    List<Dense.Op> ops = new ArrayList<>();
    for (int i = 0; i < factors.size(); i++) {
      ops.add(new Dense.Op(factors.get(i).to(DType.FLOAT64), n.factorLabels.get(i)));
    }
    return Dense.einsum(ops, n.kernelLabels()).reshape(spec.kernelShape());
  }

  /**
   * Returns the relative Frobenius error {@code ||reconstruct() - kernel|| / ||kernel||}.
   *
   * @param kernel a dense kernel of shape {@code [T, S, k, k]}
   */
  public double relativeError(Tensor kernel) {
    return Dense.relativeError(reconstruct(), kernel);
  }

  /**
   * Applies the layer to an input.
   *
   * @param input shape {@code [B, S, H, W]}
   * @return the output, shape {@code [B, T, H', W']}
   */
  public Tensor forward(Tensor input) {
    long[] in = checkInput(input);
    Tensor y = evaluator.evaluate(spec.expression(), spec.options(), operands(input, in));
    long[] ys = y.shape();
    return y.reshape(ys[0], spec.outChannels(), ys[ys.length - 2], ys[ys.length - 1]);
  }

  /**
   * Computes the gradients of {@code <gradOutput, forward(input)>}.
   *
   * @param input shape {@code [B, S, H, W]}
   * @param gradOutput shape {@code [B, T, H', W']}, as {@link #forward} returns
   * @return the gradient for the input and for every factor
   */
  public LayerGradients backward(Tensor input, Tensor gradOutput) {
    long[] in = checkInput(input);
    long[] gs = gradOutput.shape();
    long[] expectOut = spec.outputShape(in[0], in[2], in[3]);
    if (!Arrays.equals(gs, expectOut)) {
      throw new ConvEinsumException("the output gradient has shape " + Arrays.toString(gs)
          + " but the layer's output has shape " + Arrays.toString(expectOut));
    }
    long[] exprOut = new long[spec.outFactors().size() + 3];
    exprOut[0] = gs[0];
    for (int i = 0; i < spec.outFactors().size(); i++) {
      exprOut[i + 1] = spec.outFactors().get(i);
    }
    exprOut[exprOut.length - 2] = gs[2];
    exprOut[exprOut.length - 1] = gs[3];
    List<Tensor> g = evaluator.vjp(spec.expression(), spec.options(), operands(input, in),
        gradOutput.reshape(exprOut));
    return new LayerGradients(g.get(0).reshape(in), g.subList(1, g.size()));
  }

  private long[] checkInput(Tensor input) {
    long[] s = input.shape();
    if (s.length != 4 || s[1] != spec.inChannels()) {
      throw new ConvEinsumException("the layer's input must have shape [B, " + spec.inChannels()
          + ", H, W], got " + Arrays.toString(s));
    }
    return s;
  }

  private List<Tensor> operands(Tensor input, long[] in) {
    List<Tensor> ops = new ArrayList<>();
    ops.add(input.reshape(spec.inputShape(in[0], in[2], in[3])));
    ops.addAll(factors);
    return ops;
  }

  /** Returns the spec's one-line description. */
  @Override
  public String toString() {
    return "TensorialLayer[" + spec + "]";
  }
}
