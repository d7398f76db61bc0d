package dev.conveinsum.djl.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX and CIFAR-10 files for the tests. */
public final class TestFiles {
  private TestFiles() {}

  /** Returns an IDX file's bytes: magic, dimensions, data. */
  public static byte[] idx(int rank, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * rank + data.length);
    b.putInt(0x0800 | rank);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  /** Writes bytes, gzip-compressed when {@code gzip}. */
  public static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
    if (gzip) {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      try (OutputStream o = new GZIPOutputStream(bo)) {
        o.write(bytes);
      }
      bytes = bo.toByteArray();
    }
    Files.write(file, bytes);
  }

  /** Random bytes. */
  public static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** Random labels in 0..9. */
  public static byte[] labels(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(10);
    }
    return b;
  }

  /**
   * Writes a Fashion-MNIST directory with {@code train} and {@code test} images of h x w pixels;
   * returns {pixels, labels} of train then test.
   */
  public static byte[][] fashionMnist(Path dir, int train, int test, int h, int w, boolean gzip,
      long seed) throws IOException {
    byte[][] out = new byte[4][];
    String sfx = gzip ? ".gz" : "";
    out[0] = bytes(train * h * w, seed);
    out[1] = labels(train, seed + 1);
    out[2] = bytes(test * h * w, seed + 2);
    out[3] = labels(test, seed + 3);
    write(dir.resolve("train-images-idx3-ubyte" + sfx), idx(3, new int[] {train, h, w}, out[0]),
        gzip);
    write(dir.resolve("train-labels-idx1-ubyte" + sfx), idx(1, new int[] {train}, out[1]), gzip);
    write(dir.resolve("t10k-images-idx3-ubyte" + sfx), idx(3, new int[] {test, h, w}, out[2]),
        gzip);
    write(dir.resolve("t10k-labels-idx1-ubyte" + sfx), idx(1, new int[] {test}, out[3]), gzip);
    return out;
  }

  /**
   * Writes a Fashion-MNIST directory whose labels are learnable: class {@code l} images are noise
   * plus a bright {@code l}-th horizontal band.
   */
  public static void learnableFashionMnist(Path dir, int train, int test, int size, long seed)
      throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    for (String split : new String[] {"train", "t10k"}) {
      int n = split.equals("train") ? train : test;
      byte[] px = new byte[n * size * size];
      byte[] lb = new byte[n];
      for (int i = 0; i < n; i++) {
        int l = r.nextInt(10);
        lb[i] = (byte) l;
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            boolean band = y * 10 / size == l;
            px[i * size * size + y * size + x] = (byte) (band ? 200 + r.nextInt(56)
                : r.nextInt(60));
          }
        }
      }
      write(dir.resolve(split + "-images-idx3-ubyte"), idx(3, new int[] {n, size, size}, px),
          false);
      write(dir.resolve(split + "-labels-idx1-ubyte"), idx(1, new int[] {n}, lb), false);
    }
  }

  /** Returns CIFAR-10 records: per record a label byte then 3072 pixels. */
  public static byte[] cifar(int n, long seed) {
    byte[] px = bytes(n * 3072, seed);
    byte[] lb = labels(n, seed + 1);
    byte[] out = new byte[n * 3073];
    for (int i = 0; i < n; i++) {
      out[i * 3073] = lb[i];
      System.arraycopy(px, i * 3072, out, i * 3073 + 1, 3072);
    }
    return out;
  }
}
