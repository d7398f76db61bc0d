package dev.conveinsum.djl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Transform;
import dev.conveinsum.ConvEinsumException;
import java.util.SplittableRandom;

/**
 * The standard CIFAR augmentation, applied to a whole batch {@code [B, C, H, W]}: every image is
 * padded by {@code pad} pixels of zeros (the mean colour, since the images are normalised) on each
 * side, cropped back to H x W at a random offset, and mirrored left-right with probability 1/2.
 *
 * <p>It runs on batches (DJL's {@code ArrayDataset} applies its pipeline to each batch it
 * gathers), with its own seeded generator so that a run is repeatable.
 */
public final class RandomCropFlip implements Transform {
  private final int pad;
  private final SplittableRandom random;

  /**
   * Creates the transform.
   *
   * @param pad the padding before the crop, at least 0
   * @param seed seed of the crop offsets and flips
   */
  public RandomCropFlip(int pad, long seed) {
    if (pad < 0) {
      throw new ConvEinsumException("the crop padding must be >= 0, got " + pad);
    }
    this.pad = pad;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public NDArray transform(NDArray batch) {
    Shape s = batch.getShape();
    if (s.dimension() != 4) {
      throw new ConvEinsumException("random crop and flip expects a batch [B, C, H, W], got "
          + s);
    }
    long h = s.get(2);
    long w = s.get(3);
    NDArray padded = pad == 0 ? batch : batch.pad(new Shape(pad, pad, pad, pad), 0);
    NDList crops = new NDList();
    for (long i = 0; i < s.get(0); i++) {
      int dy;
      int dx;
      boolean flip;
      synchronized (random) {
        dy = random.nextInt(2 * pad + 1);
        dx = random.nextInt(2 * pad + 1);
        flip = random.nextBoolean();
      }
      NDArray crop = padded.get(new NDIndex("{}, :, {}:{}, {}:{}", i, dy, dy + h, dx, dx + w));
      crops.add(flip ? crop.flip(2) : crop);
    }
    return NDArrays.stack(crops);
  }
}
