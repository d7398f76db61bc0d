package dev.conveinsum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.model.ResNetArch;
import dev.conveinsum.djl.train.EpochResult;
import dev.conveinsum.djl.train.TrainConfig;
import dev.conveinsum.djl.train.Training;
import dev.conveinsum.djl.train.TrainingSummary;
import dev.conveinsum.nn.Decomposition;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conv-einsum train}: trains a tensorial ResNet with DJL (PyTorch engine). */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a tensorial ResNet on Fashion-MNIST or CIFAR-10 with DJL's trainer"
        + " (PyTorch engine): every 3x3 convolution after the stem is a tensorial convolution"
        + " evaluated as one conv_einsum on its optimal (or naive) path.",
        "Prints train loss, train accuracy, test accuracy (whole test set) and seconds per"
        + " epoch; the progress bar goes to stderr."})
final class TrainCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "NAME",
      description = "fashion-mnist or cifar10")
  String dataset;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "directory of the data set's files (IDX files, .gz or plain, for"
          + " Fashion-MNIST; data_batch_1..5.bin and test_batch.bin for CIFAR-10)")
  Path data;

  @Option(names = "--model", defaultValue = "resnet20", paramLabel = "NAME",
      description = "resnet20, resnet32, resnet18 or resnet34 (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--decomposition", defaultValue = "cp", paramLabel = "NAME",
      description = "dense, cp, rcp, tk, rtk, tt, rtt, tr or rtr (default: ${DEFAULT-VALUE})")
  String decomposition;

  @Option(names = "--cr", defaultValue = "0.1", paramLabel = "RATE",
      description = "compression rate in (0, 1] of every tensorial convolution"
          + " (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--epochs", defaultValue = "5", description = "epochs (default: 5)")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "batch size (default: 128)")
  int batch;

  @Option(names = "--path", defaultValue = "optimal", paramLabel = "optimal|naive",
      description = "contraction path of the tensorial convolutions (default: optimal)")
  String path;

  @Option(names = "--limit", paramLabel = "N",
      description = "train on the first N training images (default: all)")
  Integer limit;

  @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd",
      description = "Adam, or SGD with momentum 0.9 (default: adam)")
  String optimizer;

  @Option(names = "--lr", paramLabel = "X",
      description = "learning rate (default: 0.001 for adam, 0.1 for sgd)")
  Double lr;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
      description = "seed of initialisation, shuffling and augmentation (default: 0)")
  long seed;

  @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
      description = "PyTorch intra-op threads; 0 lets PyTorch choose (one per core). Default 1:"
          + " on a busy machine PyTorch's spinning OpenMP threads ran 5-10x slower with 2")
  int threads;

  @Option(names = "--save", paramLabel = "DIR",
      description = "write a checkpoint to DIR after every epoch")
  Path save;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "continue from the checkpoint in DIR (and keep saving there unless --save)")
  Path resume;

  @Option(names = "--augment",
      description = "random crop (zero padding 2 for 28x28, 4 for 32x32) and left-right flip")
  boolean augment;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
      description = "device (gpu needs the CUDA PyTorch natives; default: cpu)")
  String device;

  @Option(names = "--json", description = "print one JSON object on stdout at the end")
  boolean json;

  @Override
  public Integer call() {
    Decomposition d;
    try {
      d = Decomposition.valueOf(decomposition.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConvEinsumException("unknown decomposition '" + decomposition + "'; use one of"
          + " dense, cp, rcp, tk, rtk, tt, rtt, tr, rtr");
    }
    TrainConfig config = new TrainConfig(dataset, data, ResNetArch.parse(model), d, rate,
        epochs, batch, path, limit == null ? Integer.MAX_VALUE : limit, optimizer,
        lr != null ? lr : TrainConfig.defaultLearningRate(optimizer), seed, threads, augment,
        device);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter epochLines = json ? err : out;
    // DJL's progress bar prints on System.out: send it to stderr so stdout holds the results
    PrintStream stdout = System.out;
    TrainingSummary summary;
    System.setOut(System.err);
    try {
      summary = Training.run(config, save, resume, r -> {
        epochLines.println(line(r, config.epochs()));
        epochLines.flush();
      });
    } finally {
      System.out.flush();
      System.setOut(stdout);
    }
    if (json) {
      ObjectNode o = Inputs.JSON.createObjectNode();
      o.put("model", summary.model());
      o.put("decomposition", summary.decomposition());
      o.put("cr", summary.cr());
      o.put("parameters", summary.parameters());
      o.put("dense_parameters", summary.denseParameters());
      o.put("path", summary.path());
      ArrayNode eps = o.putArray("epochs");
      for (EpochResult r : summary.epochs()) {
        eps.addObject().put("epoch", r.epoch()).put("train_loss", r.trainLoss())
            .put("train_accuracy", r.trainAccuracy()).put("test_accuracy", r.testAccuracy())
            .put("seconds", r.seconds());
      }
      o.put("device", summary.device());
      out.println(o);
    } else {
      out.printf(Locale.ROOT, "%s %s cr %s, %s path: %d parameters (dense %d, %.1f%%)%n",
          summary.model(), summary.decomposition(), summary.cr(), summary.path(),
          summary.parameters(), summary.denseParameters(),
          100.0 * summary.parameters() / summary.denseParameters());
    }
    out.flush();
    return 0;
  }

  static String line(EpochResult r, int epochs) {
    return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train acc %.2f%%  test acc"
        + " %.2f%%  %.1f s (%d steps, %.3f s/step)", r.epoch(), epochs, r.trainLoss(),
        100 * r.trainAccuracy(), 100 * r.testAccuracy(), r.seconds(), r.steps(),
        r.trainSeconds() / Math.max(1, r.steps()));
  }
}
