package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads Fashion-MNIST (or MNIST) from its four IDX files, gzip-compressed or plain: {@code
 * train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each optionally ending in {@code .gz} (Debian's {@code
 * dataset-fashion-mnist} installs them in {@code /usr/share/datasets/fashion-mnist}).
 */
public final class FashionMnist {
  /** The number of classes. */
  public static final int CLASSES = 10;

  private FashionMnist() {}

  /**
   * Reads the training or the test split.
   *
   * @param dir the directory holding the IDX files
   * @param train the training split (60,000 images) or the test split (10,000)
   * @param limit keep only the first {@code limit} images (at least 1)
   * @return the images, {@code [N, 1, 28, 28]}, and their labels
   * @throws ConvEinsumException for a missing, truncated or malformed file, or image and label
   *     files that disagree, with a message naming the file
   */
  public static ImageSet load(Path dir, boolean train, int limit) {
    if (limit < 1) {
      throw new ConvEinsumException("the image limit must be >= 1, got " + limit);
    }
    String prefix = train ? "train" : "t10k";
    Path imagesFile = DataFiles.find(dir, (train ? "training" : "test") + " images",
        names(prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte"));
    Path labelsFile = DataFiles.find(dir, (train ? "training" : "test") + " labels",
        names(prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte"));
    Idx.Array images = Idx.read(imagesFile, 3, limit);
    Idx.Array labels = Idx.read(labelsFile, 1, limit);
    long declaredImages = images.dims()[0];
    long declaredLabels = labels.dims()[0];
    if (declaredImages != declaredLabels) {
      throw new ConvEinsumException(imagesFile + " holds " + declaredImages + " images (of the"
          + " first " + limit + " read) but " + labelsFile + " holds " + declaredLabels
          + " labels");
    }
    return new ImageSet(imagesFile.toString(), images.data(), labels.data(), 1,
        (int) images.dims()[1], (int) images.dims()[2], CLASSES);
  }

  private static List<String> names(String a, String b) {
    return List.of(a + ".gz", a, b + ".gz", b);
  }
}
