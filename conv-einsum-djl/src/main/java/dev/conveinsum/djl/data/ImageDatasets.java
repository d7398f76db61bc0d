package dev.conveinsum.djl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.translate.Pipeline;
import dev.conveinsum.ConvEinsumException;
import java.nio.FloatBuffer;

/**
 * Turns an {@link ImageSet} into a DJL {@link ArrayDataset}: float32 images {@code [N, C, H, W]},
 * normalised per channel, with float32 class labels {@code [N]}, batched and (optionally)
 * shuffled by DJL's samplers and augmented batch by batch with {@link RandomCropFlip}.
 */
public final class ImageDatasets {
  private ImageDatasets() {}

  /**
   * Builds the dataset. The arrays are created on {@code manager} and live as long as it does.
   *
   * @param manager the manager that owns the arrays
   * @param images the images and labels
   * @param norm the per-channel normalisation (as many channels as the images)
   * @param batchSize the batch size, at least 1 (the last batch may be smaller)
   * @param shuffle draw the batches in a random order (DJL's random sampler, seeded by the
   *     engine's random seed)
   * @param augment a batch transform applied to every batch, or null for none
   * @return the dataset
   */
  public static ArrayDataset build(NDManager manager, ImageSet images, Normalization norm,
      int batchSize, boolean shuffle, RandomCropFlip augment) {
    return dataset(toArrays(manager, images, norm), batchSize, shuffle, augment);
  }

  /**
   * Returns the normalised float32 images {@code [N, C, H, W]} and the float32 labels {@code [N]}
   * as arrays of {@code manager}.
   */
  public static NDList toArrays(NDManager manager, ImageSet images, Normalization norm) {
    if (norm.channels() != images.channels()) {
      throw new ConvEinsumException("the normalisation has " + norm.channels() + " channels but "
          + images.name() + " has " + images.channels());
    }
    int n = images.size();
    int c = images.channels();
    int plane = images.height() * images.width();
    byte[] px = images.pixels();
    float[] data = new float[px.length];
    double[] mean = norm.mean();
    double[] std = norm.std();
    for (int i = 0, k = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        float scale = (float) (1 / (255 * std[ch]));
        float shift = (float) (mean[ch] / std[ch]);
        for (int p = 0; p < plane; p++, k++) {
          data[k] = Byte.toUnsignedInt(px[k]) * scale - shift;
        }
      }
    }
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = images.label(i);
    }
    NDArray x = manager.create(FloatBuffer.wrap(data),
        new Shape(n, c, images.height(), images.width()), DataType.FLOAT32);
    return new NDList(x, manager.create(labels));
  }

  /**
   * Wraps arrays from {@link #toArrays} in a DJL dataset (the arrays are shared, not copied).
   *
   * @param arrays the images and the labels
   * @param batchSize the batch size, at least 1 (the last batch may be smaller)
   * @param shuffle draw the batches in a random order (DJL's random sampler)
   * @param augment a batch transform applied to every batch, or null for none
   */
  public static ArrayDataset dataset(NDList arrays, int batchSize, boolean shuffle,
      RandomCropFlip augment) {
    if (batchSize < 1) {
      throw new ConvEinsumException("the batch size must be >= 1, got " + batchSize);
    }
    ArrayDataset.Builder b = new ArrayDataset.Builder().setData(arrays.get(0))
        .optLabels(arrays.get(1)).setSampling(batchSize, shuffle);
    if (augment != null) {
      b.optPipeline(new Pipeline(augment));
    }
    return b.build();
  }
}
