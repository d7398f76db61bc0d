package dev.conveinsum.djl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.djl.data.FashionMnist;
import dev.conveinsum.djl.data.ImageDatasets;
import dev.conveinsum.djl.data.ImageSet;
import dev.conveinsum.djl.data.Normalization;
import dev.conveinsum.djl.data.TestFiles;
import dev.conveinsum.djl.model.ResNetArch;
import dev.conveinsum.djl.model.ResNets;
import dev.conveinsum.djl.model.TensorialResNet;
import dev.conveinsum.nn.Decomposition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two-step training runs on a tiny generated Fashion-MNIST-format data set. */
class TrainingTest {
  @TempDir
  Path tmp;

  private TrainConfig config(Path data, int epochs, String optimizer) {
    return new TrainConfig("fashion-mnist", data, ResNetArch.RESNET20, Decomposition.CP, 0.1,
        epochs, 32, "optimal", 64, optimizer, TrainConfig.defaultLearningRate(optimizer), 1, 0,
        false, "cpu");
  }

  @Test
  void trainsTwoStepsAndResumesFromTheSavedEpoch() throws IOException {
    Path data = Files.createDirectory(tmp.resolve("data"));
    TestFiles.learnableFashionMnist(data, 64, 32, 12, 5);
    Path save = tmp.resolve("ckpt");
    List<EpochResult> seen = new ArrayList<>();
    TrainingSummary first = Training.run(config(data, 1, "adam"), save, null, seen::add);
    assertEquals(1, seen.size());
    EpochResult e1 = first.epochs().get(0);
    assertEquals(2, e1.steps(), "64 images in batches of 32");
    assertTrue(Double.isFinite(e1.trainLoss()) && e1.trainLoss() > 0, "loss " + e1.trainLoss());
    // 32 test images: the accuracy is a whole number of them
    double hits = e1.testAccuracy() * 32;
    assertEquals(Math.rint(hits), hits, 1e-4);
    assertEquals("resnet20", first.model());
    assertEquals("cp", first.decomposition());
    assertEquals(269_722 - 2 * 16 * 9, first.denseParameters());
    assertTrue(first.parameters() < first.denseParameters() / 5);
    assertTrue(Files.isRegularFile(save.resolve("epoch-0001.params")));

    // the saved parameters reproduce the recorded test accuracy
    Checkpoint ck = Checkpoint.read(save);
    assertEquals(1, ck.epoch());
    assertEquals(e1, ck.results().get(0));
    TensorialResNet net = ResNets.builder().setArch(ResNetArch.RESNET20).setInChannels(1)
        .optDecomposition(Decomposition.CP).optCompressionRate(0.1).optSeed(99).build();
    try (NDManager m = NDManager.newBaseManager()) {
      ck.loadInto(net.block(), m);
      net.block().initialize(m, DataType.FLOAT32, new Shape(1, 1, 12, 12));
      ImageSet test = FashionMnist.load(data, false, 1000);
      NDList arrays = ImageDatasets.toArrays(m, test, Normalization.FASHION_MNIST);
      NDArray logits = net.block().forward(new ParameterStore(m, false),
          new NDList(arrays.get(0)), false).singletonOrThrow();
      float[] pred = logits.argMax(1).toType(DataType.FLOAT32, false).toFloatArray();
      int right = 0;
      for (int i = 0; i < pred.length; i++) {
        right += pred[i] == test.label(i) ? 1 : 0;
      }
      assertEquals(e1.testAccuracy(), right / 32.0, 1e-6);
    }

    // resuming to epoch 2 trains epoch 2 only and keeps epoch 1's record
    seen.clear();
    TrainingSummary second = Training.run(config(data, 2, "adam"), null, save, seen::add);
    assertEquals(1, seen.size());
    assertEquals(2, seen.get(0).epoch());
    assertEquals(List.of(e1, seen.get(0)), second.epochs());
    assertEquals(2, Checkpoint.read(save).epoch());
    assertTrue(Files.isRegularFile(save.resolve("epoch-0002.params")));
    assertTrue(!Files.exists(save.resolve("epoch-0001.params")));

    // a mismatching configuration is refused before training
    ConvEinsumException e = assertThrows(ConvEinsumException.class,
        () -> Training.run(config(data, 3, "sgd"), null, save, seen::add));
    assertTrue(e.getMessage().contains("another configuration: optimizer adam (saved) vs sgd"),
        e.getMessage());
    e = assertThrows(ConvEinsumException.class,
        () -> Training.run(config(data, 3, "adam"), save, null, seen::add));
    assertTrue(e.getMessage().contains("already holds a checkpoint"), e.getMessage());
    assertEquals(1, seen.size());
  }
}
