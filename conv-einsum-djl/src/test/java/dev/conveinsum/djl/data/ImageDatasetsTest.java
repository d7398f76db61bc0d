package dev.conveinsum.djl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetsTest {
  @TempDir
  Path dir;

  @Test
  void batchesHoldTheNormalisedImagesAndLabels() throws Exception {
    byte[][] raw = TestFiles.fashionMnist(dir, 7, 2, 3, 4, false, 11);
    ImageSet set = FashionMnist.load(dir, true, 100);
    try (NDManager m = NDManager.newBaseManager()) {
      ArrayDataset ds = ImageDatasets.build(m, set, Normalization.FASHION_MNIST, 3, false, null);
      int seen = 0;
      for (Batch b : ds.getData(m)) {
        NDArray x = b.getData().singletonOrThrow();
        NDArray y = b.getLabels().singletonOrThrow();
        int n = (int) x.getShape().get(0);
        assertEquals(3, x.getShape().get(2));
        assertEquals(4, x.getShape().get(3));
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        for (int i = 0; i < n; i++) {
          assertEquals(Byte.toUnsignedInt(raw[1][seen + i]), ys[i]);
          for (int p = 0; p < 12; p++) {
            double want = (Byte.toUnsignedInt(raw[0][(seen + i) * 12 + p]) / 255.0 - 0.2860)
                / 0.3530;
            assertEquals(want, xs[i * 12 + p], 1e-5);
          }
        }
        seen += n;
        b.close();
      }
      assertEquals(7, seen);
    }
  }

  @Test
  void cropFlipGivesACropOfThePaddedImageOrItsMirror() {
    int h = 5;
    int w = 6;
    int pad = 2;
    float[] data = new float[4 * 2 * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = i + 1;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(data, new ai.djl.ndarray.types.Shape(4, 2, h, w));
      RandomCropFlip t = new RandomCropFlip(pad, 3);
      Set<String> kinds = new HashSet<>();
      for (int rep = 0; rep < 5; rep++) {
        float[] out = t.transform(x).toFloatArray();
        for (int b = 0; b < 4; b++) {
          String k = matchingCrop(data, out, b, h, w, pad);
          assertTrue(k != null, "image " + b + " is no crop or mirrored crop of its padded input");
          kinds.add(k);
        }
      }
      assertTrue(kinds.size() > 3, "the offsets and flips vary: " + kinds);
    }
  }

  /** Brute force over every offset and flip; returns "dy,dx,flip" of one that matches. */
  private static String matchingCrop(float[] in, float[] out, int b, int h, int w, int pad) {
    for (int dy = 0; dy <= 2 * pad; dy++) {
      for (int dx = 0; dx <= 2 * pad; dx++) {
        for (int flip = 0; flip < 2; flip++) {
          boolean ok = true;
          for (int c = 0; c < 2 && ok; c++) {
            for (int y = 0; y < h && ok; y++) {
              for (int xx = 0; xx < w && ok; xx++) {
                int sx = (flip == 1 ? w - 1 - xx : xx) + dx - pad;
                int sy = y + dy - pad;
                float want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0
                    : in[((b * 2 + c) * h + sy) * w + sx];
                ok = out[((b * 2 + c) * h + y) * w + xx] == want;
              }
            }
          }
          if (ok) {
            return dy + "," + dx + "," + flip;
          }
        }
      }
    }
    return null;
  }

  @Test
  void loadsTheInstalledFashionMnistWhenPresent() throws IOException {
    Path real = Path.of("/usr/share/datasets/fashion-mnist");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(real));
    ImageSet test = FashionMnist.load(real, false, Integer.MAX_VALUE);
    assertEquals(10000, test.size());
    assertEquals(28, test.height());
    int[] counts = new int[10];
    for (int i = 0; i < test.size(); i++) {
      counts[test.label(i)]++;
    }
    // the test split is balanced: 1000 images per class
    for (int c : counts) {
      assertEquals(1000, c);
    }
  }
}
