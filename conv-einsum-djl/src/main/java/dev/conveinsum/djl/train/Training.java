package dev.conveinsum.djl.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.RandomUtils;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.data.Cifar10;
import dev.conveinsum.djl.data.FashionMnist;
import dev.conveinsum.djl.data.ImageDatasets;
import dev.conveinsum.djl.data.ImageSet;
import dev.conveinsum.djl.data.Normalization;
import dev.conveinsum.djl.data.RandomCropFlip;
import dev.conveinsum.djl.model.ResNets;
import dev.conveinsum.djl.model.TensorialResNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Trains a tensorial ResNet on Fashion-MNIST or CIFAR-10 with DJL's trainer (PyTorch engine):
 * softmax cross-entropy, accuracy, Adam or SGD, DJL's training listeners (a progress bar per
 * epoch, printed by DJL on {@code System.out}), the whole test set evaluated after every epoch,
 * and optionally a checkpoint after every epoch that a later run resumes.
 *
 * <p>Everything that can be wrong with the input (files, configuration, a checkpoint that does
 * not match) is checked before the first step.
 */
public final class Training {
  private Training() {}

  /**
   * Runs the training.
   *
   * @param config what to train
   * @param save the directory to write a checkpoint to after every epoch, or null
   * @param resume the directory of a checkpoint to continue from, or null
   * @param onEpoch called after every epoch with its result
   * @return the summary, with the epochs of the resumed checkpoint included
   * @throws ConvEinsumException for bad input, before training starts
   */
  public static TrainingSummary run(TrainConfig config, Path save, Path resume,
      Consumer<EpochResult> onEpoch) {
    if (System.getProperty("ai.djl.offline") == null) {
      // the natives come with the pytorch-native-cpu jar; never download
      System.setProperty("ai.djl.offline", "true");
    }
    boolean fashion = TrainConfig.FASHION_MNIST.equals(config.dataset());
    ImageSet trainImages = fashion ? FashionMnist.load(config.data(), true, config.limit())
        : Cifar10.load(config.data(), true, config.limit());
    ImageSet testImages = fashion ? FashionMnist.load(config.data(), false, Integer.MAX_VALUE)
        : Cifar10.load(config.data(), false, Integer.MAX_VALUE);
    if (trainImages.height() != testImages.height() || trainImages.width()
        != testImages.width()) {
      throw new ConvEinsumException("the training images are " + trainImages.height() + "x"
          + trainImages.width() + " but the test images " + testImages.height() + "x"
          + testImages.width());
    }
    Checkpoint from = null;
    if (resume != null) {
      from = Checkpoint.read(resume);
      from.checkMatches(config.identity(), resume);
    }
    Path saveDir = save != null ? save : resume;
    if (save != null && Checkpoint.exists(save) && (resume == null
        || !save.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize()))) {
      throw new ConvEinsumException("--save " + save + " already holds a checkpoint; continue it"
          + " with --resume " + save + " or choose another directory");
    }
    Engine engine = Engine.getEngine("PyTorch");
    Device device = Device.cpu();
    if ("gpu".equals(config.device())) {
      if (engine.getGpuCount() == 0) {
        throw new ConvEinsumException("--device gpu: PyTorch sees no GPU (the CPU natives are"
            + " installed, or no CUDA device is present); see the README for the GPU natives");
      }
      device = Device.gpu();
    }
    if (config.threads() > 0) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(config.threads());
    }
    engine.setRandomSeed((int) config.seed());
    TensorialResNet net = ResNets.builder().setArch(config.arch())
        .setInChannels(trainImages.channels()).optClasses(trainImages.classes())
        .optDecomposition(config.decomposition()).optCompressionRate(config.effectiveRate())
        .optPath(config.path()).optSeed(config.seed()).build();
    Normalization norm = fashion ? Normalization.FASHION_MNIST : Normalization.CIFAR10;
    try (Model model = Model.newInstance("tensorial-" + config.arch().id(), device,
        "PyTorch")) {
      model.setBlock(net.block());
      if (from != null) {
        from.loadInto(net.block(), model.getNDManager());
      }
      DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(optimizer(config)).addEvaluator(new Accuracy())
          .optDevices(new Device[] {device})
          .addTrainingListeners(TrainingListener.Defaults.logging());
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.setMetrics(new Metrics());
        trainer.initialize(new Shape(1, trainImages.channels(), trainImages.height(),
            trainImages.width()));
        NDManager m = model.getNDManager();
        NDList trainArrays = ImageDatasets.toArrays(m, trainImages, norm);
        ArrayDataset test = ImageDatasets.dataset(ImageDatasets.toArrays(m, testImages, norm),
            config.batch(), false, null);
        List<EpochResult> results = new ArrayList<>(from == null ? List.of() : from.results());
        for (int epoch = results.size() + 1; epoch <= config.epochs(); epoch++) {
          // shuffling and augmentation depend on the seed and the epoch only, so a resumed run
          // draws the batches an uninterrupted one would
          RandomUtils.RANDOM.setSeed(config.seed() * 1_000_003L + epoch);
          RandomCropFlip augment = config.augment()
              ? new RandomCropFlip(trainImages.height() <= 28 ? 2 : 4, config.seed() + epoch)
              : null;
          ArrayDataset train = ImageDatasets.dataset(trainArrays, config.batch(), true, augment);
          EpochResult r = epoch(trainer, train, test, epoch);
          results.add(r);
          if (saveDir != null) {
            Checkpoint.save(saveDir, epoch, config.identity(), results, net.block());
          }
          onEpoch.accept(r);
        }
        return new TrainingSummary(config.arch().id(),
            config.decomposition().name().toLowerCase(Locale.ROOT), config.effectiveRate(),
            net.parameters(), net.denseParameters(), config.path(), results, config.device());
      }
    }
  }

  private static Optimizer optimizer(TrainConfig c) {
    Tracker lr = Tracker.fixed((float) c.learningRate());
    return "sgd".equals(c.optimizer())
        ? Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).build()
        : Optimizer.adam().optLearningRateTracker(lr).build();
  }

  /** One epoch as DJL's {@code EasyTrain.fit} runs it, timed in its two parts. */
  private static EpochResult epoch(Trainer trainer, ArrayDataset train, ArrayDataset test,
      int epoch) {
    try {
      long t0 = System.nanoTime();
      int steps = 0;
      for (Batch batch : trainer.iterateDataset(train)) {
        EasyTrain.trainBatch(trainer, batch);
        trainer.step();
        batch.close();
        steps++;
      }
      long t1 = System.nanoTime();
      EasyTrain.evaluateDataset(trainer, test);
      long t2 = System.nanoTime();
      trainer.notifyListeners(listener -> listener.onEpoch(trainer));
      Metrics metrics = trainer.getMetrics();
      Evaluator acc = trainer.getEvaluators().stream().filter(e -> e instanceof Accuracy)
          .findFirst().orElseThrow();
      double loss = metrics.latestMetric(EvaluatorTrainingListener.metricName(trainer.getLoss(),
          EvaluatorTrainingListener.TRAIN_EPOCH)).getValue().doubleValue();
      double trainAcc = metrics.latestMetric(EvaluatorTrainingListener.metricName(acc,
          EvaluatorTrainingListener.TRAIN_EPOCH)).getValue().doubleValue();
      double testAcc = metrics.latestMetric(EvaluatorTrainingListener.metricName(acc,
          EvaluatorTrainingListener.VALIDATE_EPOCH)).getValue().doubleValue();
      return new EpochResult(epoch, loss, trainAcc, testAcc, (t2 - t0) / 1e9, (t1 - t0) / 1e9,
          steps);
    } catch (IOException | TranslateException e) {
      throw new ConvEinsumException("training failed in epoch " + epoch + ": " + e.getMessage());
    }
  }
}
