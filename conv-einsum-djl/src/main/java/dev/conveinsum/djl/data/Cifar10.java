package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CIFAR-10 in its binary format: {@code data_batch_1.bin} ... {@code data_batch_5.bin}
 * (training) and {@code test_batch.bin} (test), each a sequence of 3073-byte records, one label
 * byte then 1024 red, 1024 green and 1024 blue bytes of a 32x32 image. The files may sit in the
 * given directory or in its {@code cifar-10-batches-bin} subdirectory (as the archive unpacks),
 * plain or gzip-compressed.
 */
public final class Cifar10 {
  /** The number of classes. */
  public static final int CLASSES = 10;
  /** Pixels per image: 3 x 32 x 32. */
  static final int IMAGE_BYTES = 3 * 32 * 32;
  /** Bytes per record: the label and the image. */
  static final int RECORD_BYTES = 1 + IMAGE_BYTES;

  private Cifar10() {}

  /** A plain (not gzip) file must hold whole records; checked before anything is read. */
  private static void checkPlainSize(Path f) {
    try (InputStream in = Files.newInputStream(f)) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 == 0x1f && b1 == 0x8b) {
        return;
      }
      long size = Files.size(f);
      if (size == 0 || size % RECORD_BYTES != 0) {
        throw new ConvEinsumException(f + ": " + size + " bytes is not a whole number of"
            + " CIFAR-10 records (" + RECORD_BYTES + " bytes each): truncated or not a CIFAR-10"
            + " binary file");
      }
    } catch (java.io.IOException e) {
      throw new ConvEinsumException(f + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads the training split (all five batches) or the test split.
   *
   * @param dir the directory holding the batch files
   * @param train the training split or the test split
   * @param limit keep only the first {@code limit} images (at least 1)
   * @return the images, {@code [N, 3, 32, 32]}, and their labels
   * @throws ConvEinsumException for a missing or truncated file, or a label outside 0..9, naming
   *     the file
   */
  public static ImageSet load(Path dir, boolean train, int limit) {
    if (limit < 1) {
      throw new ConvEinsumException("the image limit must be >= 1, got " + limit);
    }
    if (!Files.isDirectory(dir)) {
      throw new ConvEinsumException("data directory " + dir + " does not exist or is not a"
          + " directory");
    }
    Path base = Files.isDirectory(dir.resolve("cifar-10-batches-bin"))
        ? dir.resolve("cifar-10-batches-bin") : dir;
    List<Path> files = new ArrayList<>();
    if (train) {
      for (int i = 1; i <= 5; i++) {
        files.add(DataFiles.find(base, "CIFAR-10 training batch " + i,
            List.of("data_batch_" + i + ".bin", "data_batch_" + i + ".bin.gz")));
      }
    } else {
      files.add(DataFiles.find(base, "CIFAR-10 test batch",
          List.of("test_batch.bin", "test_batch.bin.gz")));
    }
    for (Path f : files) {
      checkPlainSize(f);
    }
    ByteArrayOutputStream pixels = new ByteArrayOutputStream();
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    byte[] record = new byte[RECORD_BYTES];
    int count = 0;
    for (Path f : files) {
      if (count >= limit) {
        break;
      }
      InputStream in = DataFiles.open(f);
      try {
        long index = 0;
        while (count < limit) {
          int got = DataFiles.readFully(in, record, 0, RECORD_BYTES, f);
          if (got == 0) {
            break;
          }
          if (got < RECORD_BYTES) {
            throw new ConvEinsumException(f + ": truncated CIFAR-10 file: record " + index
                + " has " + got + " of " + RECORD_BYTES + " bytes (a label byte and 3x32x32"
                + " pixels)");
          }
          int label = Byte.toUnsignedInt(record[0]);
          if (label >= CLASSES) {
            throw new ConvEinsumException(f + ": record " + index + " has label " + label
                + ", outside 0..9: not a CIFAR-10 binary file");
          }
          labels.write(label);
          pixels.write(record, 1, IMAGE_BYTES);
          count++;
          index++;
        }
        if (index == 0) {
          throw new ConvEinsumException(f + ": empty CIFAR-10 file");
        }
      } finally {
        DataFiles.close(in);
      }
    }
    return new ImageSet(base.toString(), pixels.toByteArray(), labels.toByteArray(), 3, 32, 32,
        CLASSES);
  }
}
