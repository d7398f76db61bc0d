package dev.conveinsum.djl.train;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.model.ResNetArch;
import dev.conveinsum.nn.Decomposition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What to train and how: the data set, the network, the optimizer and the schedule.
 *
 * @param dataset {@code fashion-mnist} or {@code cifar10}
 * @param data the directory holding the data set's files
 * @param arch the network
 * @param decomposition the decomposition of its 3x3 convolutions after the stem
 * @param rate their compression rate, in (0, 1] (ignored for DENSE)
 * @param epochs the number of epochs to reach, at least 1
 * @param batch the batch size, at least 1
 * @param path the path optimizer of the tensorial convolutions: {@code optimal} or {@code naive}
 * @param limit train on the first {@code limit} training images (at least 1); the test set is
 *     always used whole
 * @param optimizer {@code adam} or {@code sgd} (SGD with momentum 0.9)
 * @param learningRate the learning rate, positive
 * @param seed the seed of the initialisation, the shuffling and the augmentation
 * @param threads PyTorch's intra-op threads, or 0 for its default
 * @param augment random crop (padding 4, or 2 for 28x28 images) and left-right flip of the
 *     training images
 * @param device {@code cpu} or {@code gpu}
 */
public record TrainConfig(String dataset, Path data, ResNetArch arch, Decomposition decomposition,
    double rate, int epochs, int batch, String path, int limit, String optimizer,
    double learningRate, long seed, int threads, boolean augment, String device) {

  /** The data sets {@link Training} reads. */
  public static final String FASHION_MNIST = "fashion-mnist";
  /** CIFAR-10 in its binary format. */
  public static final String CIFAR10 = "cifar10";

  /** Validates every value; messages name the command-line option. */
  public TrainConfig {
    dataset = lower(dataset);
    if (!FASHION_MNIST.equals(dataset) && !CIFAR10.equals(dataset)) {
      throw new ConvEinsumException("unknown dataset '" + dataset + "'; use fashion-mnist or"
          + " cifar10");
    }
    if (data == null) {
      throw new ConvEinsumException("--data DIR is required");
    }
    if (arch == null || decomposition == null) {
      throw new ConvEinsumException("the model and the decomposition are required");
    }
    if (!(rate > 0 && rate <= 1)) {
      throw new ConvEinsumException("--cr must be in (0, 1], got " + rate);
    }
    if (epochs < 1) {
      throw new ConvEinsumException("--epochs must be >= 1, got " + epochs);
    }
    if (batch < 1) {
      throw new ConvEinsumException("--batch must be >= 1, got " + batch);
    }
    path = lower(path);
    if (!"optimal".equals(path) && !"naive".equals(path)) {
      throw new ConvEinsumException("--path must be optimal or naive, got '" + path + "'");
    }
    if (limit < 1) {
      throw new ConvEinsumException("--limit must be >= 1, got " + limit);
    }
    optimizer = lower(optimizer);
    if (!"adam".equals(optimizer) && !"sgd".equals(optimizer)) {
      throw new ConvEinsumException("--optimizer must be adam or sgd, got '" + optimizer + "'");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new ConvEinsumException("--lr must be a positive number, got " + learningRate);
    }
    if (threads < 0) {
      throw new ConvEinsumException("--threads must be >= 0, got " + threads);
    }
    device = lower(device);
    if (!"cpu".equals(device) && !"gpu".equals(device)) {
      throw new ConvEinsumException("--device must be cpu or gpu, got '" + device + "'");
    }
  }

  private static String lower(String s) {
    return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
  }

  /** Returns the default learning rate of an optimizer: 1e-3 for Adam, 0.1 for SGD. */
  public static double defaultLearningRate(String optimizer) {
    return "sgd".equalsIgnoreCase(optimizer == null ? "" : optimizer.trim()) ? 0.1 : 1e-3;
  }

  /** Returns the compression rate the network is built with: 1 for DENSE. */
  public double effectiveRate() {
    return decomposition == Decomposition.DENSE ? 1 : rate;
  }

  /**
   * Returns the values that define the trained network and its data, which a resumed run must
   * share with the saved one (not the epoch count, path, threads or device, which do not change
   * what is learnt).
   */
  public Map<String, String> identity() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("dataset", dataset);
    m.put("model", arch.id());
    m.put("decomposition", decomposition.name().toLowerCase(Locale.ROOT));
    m.put("cr", Double.toString(effectiveRate()));
    m.put("batch", Integer.toString(batch));
    m.put("limit", Integer.toString(limit));
    m.put("optimizer", optimizer);
    m.put("lr", Double.toString(learningRate));
    m.put("seed", Long.toString(seed));
    m.put("augment", Boolean.toString(augment));
    return m;
  }
}
