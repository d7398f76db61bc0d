package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;

/**
 * Labelled images as read from disk: 8-bit pixels in {@code [N, C, H, W]} order and one class
 * label per image.
 *
 * <p>Held as bytes (a quarter of the float32 size) until {@link ImageDatasets} turns them into a
 * DJL dataset. The arrays are owned by this value; the accessors return them without copying, so
 * callers must not modify them.
 */
public final class ImageSet {
  private final String name;
  private final byte[] pixels;
  private final byte[] labels;
  private final int channels;
  private final int height;
  private final int width;
  private final int classes;

  /**
   * Wraps pixels and labels.
   *
   * @param name where the images came from (for messages)
   * @param pixels {@code N * C * H * W} bytes, image after image, each channel-major
   * @param labels N labels, each in {@code [0, classes)}
   * @param channels C
   * @param height H
   * @param width W
   * @param classes the number of classes
   * @throws ConvEinsumException when the sizes do not agree or a label is out of range
   */
  public ImageSet(String name, byte[] pixels, byte[] labels, int channels, int height, int width,
      int classes) {
    this.name = name;
    this.pixels = pixels;
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.classes = classes;
    if (channels < 1 || height < 1 || width < 1 || classes < 1) {
      throw new ConvEinsumException(name + ": image dimensions and class count must be >= 1");
    }
    if ((long) labels.length * channels * height * width != pixels.length) {
      throw new ConvEinsumException(name + ": " + labels.length + " labels but "
          + pixels.length + " pixel bytes (" + channels + "x" + height + "x" + width
          + " per image)");
    }
    for (int i = 0; i < labels.length; i++) {
      int l = Byte.toUnsignedInt(labels[i]);
      if (l >= classes) {
        throw new ConvEinsumException(name + ": label " + l + " of image " + i
            + " is outside 0.." + (classes - 1));
      }
    }
  }

  /** Returns where the images came from. */
  public String name() {
    return name;
  }

  /** Returns the number of images. */
  public int size() {
    return labels.length;
  }

  /** Returns C, the channels per image. */
  public int channels() {
    return channels;
  }

  /** Returns H. */
  public int height() {
    return height;
  }

  /** Returns W. */
  public int width() {
    return width;
  }

  /** Returns the number of classes. */
  public int classes() {
    return classes;
  }

  /** Returns the pixels, {@code [N, C, H, W]} unsigned bytes (not a copy). */
  public byte[] pixels() {
    return pixels;
  }

  /** Returns the labels, unsigned bytes (not a copy). */
  public byte[] labels() {
    return labels;
  }

  /** Returns the label of image {@code i}. */
  public int label(int i) {
    return Byte.toUnsignedInt(labels[i]);
  }
}
