package dev.conveinsum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveinsum.Checkpoint;
import dev.conveinsum.CompiledPlan;
import dev.conveinsum.ConvEinsum;
import dev.conveinsum.Execution;
import dev.conveinsum.RunOptions;
import dev.conveinsum.engine.Engine;
import dev.conveinsum.engine.Engines;
import dev.conveinsum.expr.BoundExpression;
import dev.conveinsum.expr.ConvOptions;
import dev.conveinsum.plan.PlanOptions;
import dev.conveinsum.tensor.DType;
import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole tensorial layers of {@code tnn_layers.json} (batch {@code batch}, float32) through a
 * compiled plan on the CPU engine: forward, or forward + backward with gradients of every
 * operand. The {@code DENSE} layer (a 3x3 convolution of the same channels, one GEMM-lowered
 * convolution) is the baseline in the same run.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar conv-einsum-benchmarks/target/benchmarks.jar \
 *     LayerBenchmark -f 1 -wi 3 -i 5 -p layer=CP-stage2-cr010,DENSE-stage2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class LayerBenchmark {
  @Param({"DENSE-stage2", "CP-stage2-cr010", "TK-stage2-cr010", "TT-stage2-cr010",
      "RCP-stage2-cr010", "TR-stage1-cr010"})
  public String layer;

  @Param({"32"})
  public int batch;

  @Param({"2"})
  public int threads;

  private CompiledPlan plan;
  private List<Tensor> operands;
  private Tensor grad;
  private RunOptions options;

  /** Plans and compiles the layer, and draws its inputs. */
  @Setup(Level.Trial)
  public void setUp() {
    BenchLayers.Layer entry = null;
    for (BenchLayers.Layer l : BenchLayers.load()) {
      String stage = l.entry().get("stage").asText();
      if (l.name().equals(layer) || layer.equals("DENSE-" + stage) && entry == null) {
        entry = l;
      }
    }
    if (entry == null) {
      throw new IllegalArgumentException("no layer " + layer);
    }
    String expr = entry.expression();
    List<long[]> shapes = entry.shapes(batch);
    ConvOptions options = entry.options();
    if (layer.startsWith("DENSE")) {
      JsonNode e = entry.entry();
      long s = e.get("in_channels").asLong();
      long t = e.get("out_channels").asLong();
      long k = e.get("kernel").asLong();
      expr = "bshw,tshw->bthw|hw";
      shapes = List.of(new long[] {batch, s, e.get("height").asLong(),
          e.get("width").asLong()}, new long[] {t, s, k, k});
    }
    BoundExpression bound = ConvEinsum.bind(expr, options, shapes);
    plan = ConvEinsum.compile(ConvEinsum.plan(bound, PlanOptions.DEFAULT.withTrain(null)));
    operands = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      operands.add(Tensor.random(DType.FLOAT32, i, shapes.get(i)));
    }
    grad = Tensor.random(DType.FLOAT32, 99, bound.outputShape());
    Engine engine = Engines.best();
    this.options = new RunOptions(engine, threads, Checkpoint.STORE);
  }

  /** The forward pass. */
  @Benchmark
  public Tensor forward() {
    return plan.execute(operands, null, options).output();
  }

  /** Forward and backward, gradients of every operand. */
  @Benchmark
  public Execution forwardBackward() {
    return plan.execute(operands, grad, options);
  }
}
