package dev.conveinsum;

import dev.conveinsum.exec.CompiledProgram;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.plan.Path;
import dev.conveinsum.plan.PlanInfo;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A plan compiled for execution: immutable, thread-safe, and meant to be reused (layers call the
 * same contraction every forward pass). Get one from {@link ConvEinsum#compile(PlanInfo)}.
 *
 * <p>Forward: every pairwise step of the plan's path runs as one kernel call of the engine plus
 * the data movement it needs. Backward: reverse-mode through the same instructions, reusing every
 * forward intermediate (STORE) or recomputing them (RECOMPUTE), at about twice the forward FLOPs.
 */
public final class CompiledPlan {
  private final PlanInfo plan;
  private final CompiledProgram executable;

  CompiledPlan(PlanInfo plan) {
    this.plan = plan;
    this.executable = CompiledProgram.compile(plan.bound(), plan.path(), plan.trainable());
  }

  /** Returns the plan this was compiled from. */
  public PlanInfo plan() {
    return plan;
  }

  /** Returns the bound expression. */
  public BoundExpression bound() {
    return plan.bound();
  }

  /** Returns the path. */
  public Path path() {
    return plan.path();
  }

  /** Returns, per operand, whether {@link #execute} computes its gradient. */
  public boolean[] trainable() {
    return plan.trainable();
  }

  /**
   * Evaluates the expression; with {@code gradOutput}, also the gradient of
   * {@code <gradOutput, result>} for every trainable operand.
   *
   * @param operands one tensor per operand, of the compiled shapes
   * @param gradOutput null for forward only, else a tensor of the output's shape
   * @param options engine, threads, checkpointing, profiling (null for {@link RunOptions#DEFAULT})
   * @return result, gradients (null for operands that are not trainable) and measured peak memory
   * @throws ConvEinsumException for operands or a gradient of the wrong shape, or a run that does
   *     not fit the heap
   */
  public Execution execute(List<Tensor> operands, Tensor gradOutput, RunOptions options) {
    return executable.execute(operands, gradOutput, options == null ? RunOptions.DEFAULT
        : options);
  }

  /**
   * Evaluates the expression, forward only, with {@link RunOptions#DEFAULT}.
   *
   * @param operands one tensor per operand, of the compiled shapes
   * @return the result
   */
  public Tensor run(Tensor... operands) {
    ConvEinsumException.requireNonNull(operands, "the operands");
    return execute(Arrays.asList(operands), null, RunOptions.DEFAULT).output();
  }

  /**
   * Describes, without running anything, which kernel and algorithm every step runs: one line per
   * kernel instruction in program order, "#index", the step's sizes and layout, then after
   * " :: " what the engine of {@code options} runs for it (GEMM with its layout and transposes,
   * direct, im2col, implicit im2col, FFT or depthwise convolution) at its thread count.
   *
   * @param backward describe the training program (forward, then the backward steps)
   * @param options engine and threads (null for {@link RunOptions#DEFAULT})
   * @return one line per kernel instruction
   */
  public List<String> describe(boolean backward, RunOptions options) {
    return executable.describe(backward, options == null ? RunOptions.DEFAULT : options);
  }

  /**
   * Predicts the peak bytes an execution holds, by running the same schedule without data.
   *
   * @param dtype the element type of the execution
   * @param backward whether the call computes gradients too
   * @param checkpoint what the backward pass keeps
   * @return predicted peak bytes of operands, intermediates and gradients
   */
  public long predictPeakBytes(DType dtype, boolean backward, Checkpoint checkpoint) {
    return executable.predictPeakBytes(dtype, backward,
        checkpoint == null ? Checkpoint.STORE : checkpoint);
  }

  @Override
  public String toString() {
    return "CompiledPlan[" + plan.expression() + ", path " + plan.path() + "]";
  }
}
