package dev.conveinsum.djl.block;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.DjlPlan;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.expr.Expression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A DJL block computing one conv_einsum whose first operands are the block's inputs and whose
 * remaining operands are trainable parameters, for example a CP convolution
 * {@code "bshw,rt,rs,rh,rw->bthw|hw"} with one input and four parameters.
 *
 * <p>The contraction is planned once per input shape, minimising the training FLOPs (forward
 * plus every operand's gradient), cached, and executed by the DJL backend ({@link DjlPlan}), so
 * DJL's autograd differentiates it. {@link Builder#optPath(String)} selects another optimizer,
 * e.g. {@code naive} (left to right, the paper's baseline).
 */
public final class ConvEinsumBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final String expression;
  private final ConvOptions options;
  private final int inputCount;
  private final List<Parameter> params;
  private final PlanCache plans;

  private ConvEinsumBlock(Builder b) {
    super(VERSION);
    this.expression = b.expression;
    this.options = b.options;
    this.inputCount = b.inputCount;
    this.plans = new PlanCache(expression, options, b.path);
    List<Parameter> ps = new ArrayList<>();
    for (int i = 0; i < b.names.size(); i++) {
      ps.add(addParameter(Parameter.builder().setName(b.names.get(i))
          .setType(Parameter.Type.WEIGHT).optShape(new Shape(b.shapes.get(i)))
          .optInitializer(b.initializers.get(i)).build()));
    }
    this.params = List.copyOf(ps);
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the expression. */
  public String expression() {
    return expression;
  }

  /** Returns the optimizer that plans the contraction ({@code optimal}, {@code naive}, ...). */
  public String path() {
    return plans.path();
  }

  /** Returns the parameters, in the order of the expression's operands after the inputs. */
  public List<Parameter> parameters() {
    return params;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> args) {
    if (inputs.size() != inputCount) {
      throw new ConvEinsumException("the block for '" + expression + "' takes " + inputCount
          + " input" + (inputCount == 1 ? "" : "s") + ", got " + inputs.size());
    }
    NDArray[] ops = new NDArray[inputCount + params.size()];
    for (int i = 0; i < inputCount; i++) {
      ops[i] = inputs.get(i);
    }
    for (int i = 0; i < params.size(); i++) {
      ops[inputCount + i] = store.getValue(params.get(i), inputs.get(0).getDevice(), training);
    }
    return new NDList(plans.plan(ops).apply(ops));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    List<long[]> shapes = new ArrayList<>();
    for (Shape s : inputShapes) {
      shapes.add(PlanCache.longs(s));
    }
    for (Parameter p : params) {
      shapes.add(PlanCache.longs(p.getShape()));
    }
    return new Shape[] {new Shape(plans.outputShape(shapes))};
  }

  @Override
  public String toString() {
    return "ConvEinsumBlock[" + expression + ", path " + path() + "]";
  }

  /** Builds a {@link ConvEinsumBlock}. */
  public static final class Builder {
    private String expression;
    private ConvOptions options = ConvOptions.DEFAULT;
    private int inputCount = 1;
    private String path = "optimal";
    private final List<String> names = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();

    private Builder() {}

    /** Sets the expression (required); its first terms are the inputs, the rest parameters. */
    public Builder setExpression(String e) {
      this.expression = e;
      return this;
    }

    /** Sets the convolution options (default {@link ConvOptions#DEFAULT}). */
    public Builder optOptions(ConvOptions o) {
      this.options = o;
      return this;
    }

    /** Sets how many leading operands are inputs (default 1). */
    public Builder optInputCount(int n) {
      this.inputCount = n;
      return this;
    }

    /** Sets the path optimizer: {@code optimal} (default), {@code naive}, or another name. */
    public Builder optPath(String p) {
      this.path = p;
      return this;
    }

    /**
     * Adds the next parameter operand.
     *
     * @param name the parameter's name, unique within the block
     * @param shape its shape
     * @param init its initializer
     */
    public Builder addParameter(String name, long[] shape, Initializer init) {
      names.add(name);
      shapes.add(shape.clone());
      initializers.add(init);
      return this;
    }

    /**
     * Validates the expression against the operand counts and parameter shapes, and builds.
     *
     * @throws ConvEinsumException when the expression is missing or malformed, the operand count
     *     is wrong, or the parameter shapes do not fit it
     */
    public ConvEinsumBlock build() {
      if (expression == null) {
        throw new ConvEinsumException("conv_einsum block: the expression is not set");
      }
      if (inputCount < 1) {
        throw new ConvEinsumException("conv_einsum block: needs at least one input, got "
            + inputCount);
      }
      int terms = Expression.parse(expression).operandCount();
      if (terms != inputCount + names.size()) {
        throw new ConvEinsumException("conv_einsum block: '" + expression + "' has " + terms
            + " operands but the block has " + inputCount + " input(s) and " + names.size()
            + " parameter(s)");
      }
      if (names.stream().distinct().count() != names.size()) {
        throw new ConvEinsumException("conv_einsum block: parameter names must be unique, got "
            + names);
      }
      for (int i = 0; i < shapes.size(); i++) {
        for (long d : shapes.get(i)) {
          if (d < 1) {
            throw new ConvEinsumException("conv_einsum block: parameter '" + names.get(i)
                + "' has shape " + Arrays.toString(shapes.get(i)));
          }
        }
      }
      return new ConvEinsumBlock(this);
    }
  }
}
