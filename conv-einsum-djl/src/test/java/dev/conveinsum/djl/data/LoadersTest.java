package dev.conveinsum.djl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveinsum.ConvEinsumException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadersTest {
  @TempDir
  Path dir;

  private String error(Runnable r) {
    ConvEinsumException e = assertThrows(ConvEinsumException.class, r::run);
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void fashionMnistReadsWhatWasWritten(boolean gzip) throws IOException {
    byte[][] want = TestFiles.fashionMnist(dir, 5, 3, 4, 6, gzip, 7);
    ImageSet train = FashionMnist.load(dir, true, Integer.MAX_VALUE);
    assertEquals(5, train.size());
    assertEquals(1, train.channels());
    assertEquals(4, train.height());
    assertEquals(6, train.width());
    assertArrayEquals(want[0], train.pixels());
    assertArrayEquals(want[1], train.labels());
    ImageSet test = FashionMnist.load(dir, false, Integer.MAX_VALUE);
    assertArrayEquals(want[2], test.pixels());
    assertArrayEquals(want[3], test.labels());
    ImageSet first = FashionMnist.load(dir, true, 2);
    assertEquals(2, first.size());
    assertArrayEquals(Arrays.copyOf(want[0], 2 * 24), first.pixels());
    assertArrayEquals(Arrays.copyOf(want[1], 2), first.labels());
  }

  @Test
  void truncatedImagesAreOneClearError() throws IOException {
    byte[][] want = TestFiles.fashionMnist(dir, 5, 3, 4, 6, false, 7);
    byte[] full = TestFiles.idx(3, new int[] {5, 4, 6}, want[0]);
    Files.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 10));
    String m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("train-images-idx3-ubyte: truncated IDX file"), m);
    assertTrue(m.contains("110 follow"), m);
    // a limit that needs fewer images still reads the rest to its end
    m = error(() -> FashionMnist.load(dir, true, 2));
    assertTrue(m.contains("truncated IDX file"), m);
  }

  @Test
  void truncatedGzipIsOneClearError() throws IOException {
    TestFiles.fashionMnist(dir, 50, 3, 8, 8, true, 7);
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    byte[] gz = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(gz, gz.length / 2));
    String m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("train-images-idx3-ubyte.gz"), m);
    assertTrue(m.contains("truncated") || m.contains("corrupt gzip"), m);
  }

  @Test
  void badMagicIsOneClearError() throws IOException {
    TestFiles.fashionMnist(dir, 5, 3, 4, 6, false, 7);
    // a label file where the images should be
    Files.copy(dir.resolve("train-labels-idx1-ubyte"), dir.resolve("train-images-idx3-ubyte"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("not an IDX file of unsigned bytes with 3 dimensions (magic number"
        + " 0x00000801, expected 0x00000803)"), m);
  }

  @Test
  void labelImageCountMismatchIsOneClearError() throws IOException {
    TestFiles.fashionMnist(dir, 5, 3, 4, 6, false, 7);
    TestFiles.write(dir.resolve("train-labels-idx1-ubyte"),
        TestFiles.idx(1, new int[] {4}, TestFiles.labels(4, 1)), false);
    String m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("holds 5 images") && m.contains("holds 4 labels"), m);
  }

  @Test
  void labelOutOfRangeAndTrailingBytesAreErrors() throws IOException {
    TestFiles.fashionMnist(dir, 5, 3, 4, 6, false, 7);
    TestFiles.write(dir.resolve("train-labels-idx1-ubyte"),
        TestFiles.idx(1, new int[] {5}, new byte[] {1, 2, 12, 3, 4}), false);
    String m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("label 12 of image 2 is outside 0..9"), m);
    TestFiles.write(dir.resolve("train-labels-idx1-ubyte"),
        TestFiles.idx(1, new int[] {5}, new byte[] {1, 2, 3, 3, 4, 5}), false);
    m = error(() -> FashionMnist.load(dir, true, Integer.MAX_VALUE));
    assertTrue(m.contains("has bytes after the 5"), m);
  }

  @Test
  void missingDirectoryAndFilesAreOneClearError() throws IOException {
    String m = error(() -> FashionMnist.load(dir.resolve("nope"), true, 10));
    assertTrue(m.contains("does not exist"), m);
    m = error(() -> FashionMnist.load(dir, false, 10));
    assertTrue(m.contains("test images not found in " + dir), m);
    assertTrue(m.contains("t10k-images-idx3-ubyte.gz"), m);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cifarReadsWhatWasWritten(boolean nested) throws IOException {
    Path base = nested ? Files.createDirectory(dir.resolve("cifar-10-batches-bin")) : dir;
    byte[][] batches = new byte[5][];
    for (int i = 0; i < 5; i++) {
      batches[i] = TestFiles.cifar(2, 100 + i);
      Files.write(base.resolve("data_batch_" + (i + 1) + ".bin"), batches[i]);
    }
    byte[] testRecords = TestFiles.cifar(3, 200);
    TestFiles.write(base.resolve("test_batch.bin.gz"), testRecords, true);
    ImageSet train = Cifar10.load(dir, true, Integer.MAX_VALUE);
    assertEquals(10, train.size());
    assertEquals(3, train.channels());
    assertEquals(32, train.height());
    for (int i = 0; i < 10; i++) {
      byte[] rec = batches[i / 2];
      int off = (i % 2) * 3073;
      assertEquals(Byte.toUnsignedInt(rec[off]), train.label(i));
      assertArrayEquals(Arrays.copyOfRange(rec, off + 1, off + 3073),
          Arrays.copyOfRange(train.pixels(), i * 3072, (i + 1) * 3072));
    }
    ImageSet test = Cifar10.load(dir, false, 2);
    assertEquals(2, test.size());
    assertEquals(Byte.toUnsignedInt(testRecords[3073]), test.label(1));
  }

  @Test
  void cifarCorruptFilesAreOneClearError() throws IOException {
    for (int i = 1; i <= 5; i++) {
      Files.write(dir.resolve("data_batch_" + i + ".bin"), TestFiles.cifar(2, i));
    }
    byte[] rec = TestFiles.cifar(2, 9);
    Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(rec, rec.length - 1));
    String m = error(() -> Cifar10.load(dir, false, 100));
    assertTrue(m.contains("6145 bytes is not a whole number of CIFAR-10 records"), m);
    rec[3073] = 10;
    Files.write(dir.resolve("test_batch.bin"), rec);
    m = error(() -> Cifar10.load(dir, false, 100));
    assertTrue(m.contains("record 1 has label 10, outside 0..9"), m);
    Files.delete(dir.resolve("data_batch_4.bin"));
    m = error(() -> Cifar10.load(dir, true, 100));
    assertTrue(m.contains("CIFAR-10 training batch 4 not found"), m);
    TestFiles.write(dir.resolve("data_batch_4.bin.gz"), Arrays.copyOf(rec, 3000), true);
    m = error(() -> Cifar10.load(dir, true, 100));
    assertTrue(m.contains("data_batch_4.bin.gz: truncated CIFAR-10 file: record 0 has 3000 of"
        + " 3073 bytes"), m);
  }
}
