package dev.conveinsum.benchmarks;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.RandomUtils;
import dev.conveinsum.djl.data.FashionMnist;
import dev.conveinsum.djl.data.ImageDatasets;
import dev.conveinsum.djl.data.ImageSet;
import dev.conveinsum.djl.data.Normalization;
import dev.conveinsum.djl.model.ResNetArch;
import dev.conveinsum.djl.model.ResNets;
import dev.conveinsum.djl.model.TensorialResNet;
import dev.conveinsum.nn.Decomposition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The paper's training table on this CPU: seconds per training step and per epoch of a tensorial
 * ResNet on a fixed Fashion-MNIST subset, every decomposition at one compression rate, on the
 * optimal path and on the naive path, against the dense network, and the test accuracy (whole
 * test set) after the same number of epochs.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dai.djl.offline=true \
 *     -cp conv-einsum-benchmarks/target/benchmarks.jar \
 *     dev.conveinsum.benchmarks.TrainingBenchmark [--data /usr/share/datasets/fashion-mnist]
 *     [--model resnet20] [--cr 0.1] [--limit 5000] [--batch 128] [--epochs 1] [--seed 1]
 *     [--threads 1] [--decompositions dense,cp,rcp,tk,rtk,tt,rtt,tr,rtr] [--paths optimal,naive]
 *     [--naive-steps 1] [--naive-batch 8]
 *     [--test-limit N]
 * </pre>
 *
 * <p>Every configuration starts from the same seed and trains with Adam at 1e-3 (DJL's Trainer,
 * PyTorch engine). The optimal path and the dense network train {@code --epochs} epochs over the
 * first {@code --limit} training images; the table gives the mean seconds per step (the first
 * step, which plans every layer, excluded), the training seconds per epoch and the accuracy on
 * the test set (the whole of it unless {@code --test-limit} keeps only its first N images). The
 * naive path costs orders of magnitude more, so it is timed over
 * {@code --naive-steps} steps after one warm-up step at the small batch {@code --naive-batch},
 * next to the optimal path timed the same way; its accuracy is not measured (the arithmetic is
 * the same as the optimal path's; {@code conv-einsum train --path naive} shows the same losses).
 * Markdown rows go to standard output, progress to standard error.
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  private record Row(String decomposition, String path, long parameters, int batch, int steps,
      double secondsPerStep, double secondsPerEpoch, boolean estimated, double testAccuracy) {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Path data = Path.of(arg(args, "--data", "/usr/share/datasets/fashion-mnist"));
    ResNetArch arch = ResNetArch.parse(arg(args, "--model", "resnet20"));
    double cr = Double.parseDouble(arg(args, "--cr", "0.1"));
    int limit = Integer.parseInt(arg(args, "--limit", "5000"));
    int batch = Integer.parseInt(arg(args, "--batch", "128"));
    int epochs = Integer.parseInt(arg(args, "--epochs", "1"));
    long seed = Long.parseLong(arg(args, "--seed", "1"));
    int threads = Integer.parseInt(arg(args, "--threads", "1"));
    int naiveSteps = Integer.parseInt(arg(args, "--naive-steps", "1"));
    int naiveBatch = Integer.parseInt(arg(args, "--naive-batch", "8"));
    List<String> decompositions = Arrays.asList(arg(args, "--decompositions",
        "dense,cp,rcp,tk,rtk,tt,rtt,tr,rtr").split(","));
    List<String> paths = Arrays.asList(arg(args, "--paths", "optimal,naive").split(","));

    ImageSet train = FashionMnist.load(data, true, limit);
    int testLimit = Integer.parseInt(arg(args, "--test-limit",
        String.valueOf(Integer.MAX_VALUE)));
    ImageSet test = FashionMnist.load(data, false, testLimit);
    Engine engine = Engine.getEngine("PyTorch");
    ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    System.out.printf(Locale.ROOT, "%s on %d Fashion-MNIST images (test: %d), batch %d, %d"
        + " epoch(s), CR %s, Adam 1e-3, seed %d, %d PyTorch thread(s), %s %s; JDK %s, %d CPUs%n%n",
        arch.id(), train.size(), test.size(), batch, epochs, cr, seed, threads,
        engine.getEngineName(),
        engine.getVersion(), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.println("| decomposition | parameters | s/step | s/epoch (train) | test accuracy"
        + " | naive s/step (batch " + naiveBatch + ") | optimal s/step (batch " + naiveBatch
        + ") | naive / optimal |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    int stepsPerEpoch = (train.size() + batch - 1) / batch;
    for (String dn : decompositions) {
      Decomposition d = Decomposition.valueOf(dn.trim().toUpperCase(Locale.ROOT));
      Row r = run(arch, d, cr, "optimal", train, test, batch, epochs, seed, -1, stepsPerEpoch);
      String naiveCols = "- | - | -";
      if (d != Decomposition.DENSE && paths.contains("naive")) {
        Row n = run(arch, d, cr, "naive", train, test, naiveBatch, 1, seed, naiveSteps,
            stepsPerEpoch);
        Row o = run(arch, d, cr, "optimal", train, test, naiveBatch, 1, seed, naiveSteps,
            stepsPerEpoch);
        naiveCols = String.format(Locale.ROOT, "%.3f | %.3f | %.0fx", n.secondsPerStep(),
            o.secondsPerStep(), n.secondsPerStep() / o.secondsPerStep());
      }
      System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.1f | %.2f %% | %s |%n",
          r.decomposition(), r.parameters(), r.secondsPerStep(), r.secondsPerEpoch(),
          100 * r.testAccuracy(), naiveCols);
      System.out.flush();
    }
  }

  private static Row run(ResNetArch arch, Decomposition d, double cr, String path,
      ImageSet trainImages, ImageSet testImages, int batch, int epochs, long seed,
      int onlySteps, int stepsPerEpoch) throws Exception {
    System.err.printf("%s %s%n", d, path);
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    TensorialResNet net = ResNets.builder().setArch(arch).setInChannels(1)
        .optDecomposition(d).optCompressionRate(d == Decomposition.DENSE ? 1 : cr).optPath(path)
        .optSeed(seed).build();
    try (Model model = Model.newInstance("bench", Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
          .addEvaluator(new Accuracy()).addTrainingListeners(TrainingListener.Defaults.basic());
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.setMetrics(new Metrics());
        trainer.initialize(new Shape(1, 1, trainImages.height(), trainImages.width()));
        NDManager m = model.getNDManager();
        Normalization norm = Normalization.FASHION_MNIST;
        NDList trainArrays = ImageDatasets.toArrays(m, trainImages, norm);
        List<Double> stepSeconds = new ArrayList<>();
        double epochSeconds = 0;
        for (int epoch = 1; epoch <= (onlySteps > 0 ? 1 : epochs); epoch++) {
          RandomUtils.RANDOM.setSeed(seed * 1_000_003L + epoch);
          ArrayDataset train = ImageDatasets.dataset(trainArrays, batch, true, null);
          long e0 = System.nanoTime();
          int step = 0;
          for (Batch b : trainer.iterateDataset(train)) {
            long t0 = System.nanoTime();
            EasyTrain.trainBatch(trainer, b);
            trainer.step();
            b.close();
            double s = (System.nanoTime() - t0) / 1e9;
            if (step > 0 || epoch > 1) {
              stepSeconds.add(s);
            }
            step++;
            if (onlySteps > 0 && step > onlySteps) {
              break;
            }
          }
          epochSeconds += (System.nanoTime() - e0) / 1e9;
          if (onlySteps < 0 && epoch == epochs) {
            ArrayDataset test = ImageDatasets.dataset(
                ImageDatasets.toArrays(m, testImages, norm), batch, false, null);
            EasyTrain.evaluateDataset(trainer, test);
          }
          trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        }
        double perStep = stepSeconds.stream().mapToDouble(Double::doubleValue).average()
            .orElse(Double.NaN);
        double acc = Double.NaN;
        if (onlySteps < 0) {
          Accuracy a = (Accuracy) trainer.getEvaluators().stream()
              .filter(e -> e instanceof Accuracy).findFirst().orElseThrow();
          acc = trainer.getMetrics().latestMetric(EvaluatorTrainingListener.metricName(a,
              EvaluatorTrainingListener.VALIDATE_EPOCH)).getValue().doubleValue();
        }
        return new Row(d.name(), path, net.parameters(), batch, stepsPerEpoch, perStep,
            onlySteps > 0 ? perStep * stepsPerEpoch : epochSeconds / epochs, onlySteps > 0,
            acc);
      }
    }
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
