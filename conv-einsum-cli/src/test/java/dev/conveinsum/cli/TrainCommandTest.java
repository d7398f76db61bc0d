package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir
  Path tmp;

  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  private static void idx(Path file, int[] dims, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(0x0800 | dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    Files.write(file, b.array());
  }

  /** A Fashion-MNIST-format directory of {@code n} training and test images of 8x8 noise. */
  private Path data(int n) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    SplittableRandom r = new SplittableRandom(3);
    for (String split : new String[] {"train", "t10k"}) {
      byte[] px = new byte[n * 64];
      byte[] lb = new byte[n];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) r.nextInt(256);
      }
      for (int i = 0; i < n; i++) {
        lb[i] = (byte) r.nextInt(10);
      }
      idx(dir.resolve(split + "-images-idx3-ubyte"), new int[] {n, 8, 8}, px);
      idx(dir.resolve(split + "-labels-idx1-ubyte"), new int[] {n}, lb);
    }
    return dir;
  }

  private static void assertOneLineError(Result r, String expected) {
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertEquals("", r.out());
  }

  @Test
  void badInputIsOneLineBeforeTraining() throws IOException {
    Path d = data(32);
    String dir = d.toString();
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir + "/none"),
        "does not exist");
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir, "--model",
        "resnet50"), "unknown model 'resnet50'; use one of resnet20, resnet32, resnet18,"
        + " resnet34");
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir, "--cr", "1.5"),
        "--cr must be in (0, 1], got 1.5");
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir, "--cr", "0"),
        "--cr must be in (0, 1], got 0.0");
    assertOneLineError(run("train", "--dataset", "mnist2", "--data", dir),
        "unknown dataset 'mnist2'; use fashion-mnist or cifar10");
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir,
        "--decomposition", "xyz"), "unknown decomposition 'xyz'");
    assertOneLineError(run("train", "--dataset", "cifar10", "--data", dir),
        "CIFAR-10 training batch 1 not found in " + dir);
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir, "--resume",
        tmp.resolve("nothing").toString()), "no checkpoint there");
    byte[] labels = Files.readAllBytes(d.resolve("t10k-labels-idx1-ubyte"));
    Files.write(d.resolve("t10k-labels-idx1-ubyte"), java.util.Arrays.copyOf(labels, 20));
    assertOneLineError(run("train", "--dataset", "fashion-mnist", "--data", dir),
        "t10k-labels-idx1-ubyte: truncated IDX file");
    Result r = run("train", "--dataset", "fashion-mnist");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("Missing required option: '--data=DIR'"), r.err());
  }

  @Test
  void jsonIsOneObjectOfTheDocumentedSchema() throws IOException {
    Path d = data(32);
    Result r = run("train", "--dataset", "fashion-mnist", "--data", d.toString(), "--model",
        "resnet20", "--decomposition", "tk", "--cr", "0.2", "--epochs", "1", "--batch", "16",
        "--seed", "4", "--json");
    assertEquals(0, r.status(), r.err());
    assertEquals(1, r.out().strip().lines().count(), r.out());
    JsonNode o = new ObjectMapper().readTree(r.out());
    List<String> keys = new ArrayList<>();
    o.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("model", "decomposition", "cr", "parameters", "dense_parameters",
        "path", "epochs", "device"), keys);
    assertEquals("resnet20", o.get("model").asText());
    assertEquals("tk", o.get("decomposition").asText());
    assertEquals(0.2, o.get("cr").asDouble());
    assertEquals("optimal", o.get("path").asText());
    assertEquals("cpu", o.get("device").asText());
    assertEquals(269_722 - 2 * 16 * 9, o.get("dense_parameters").asLong());
    assertTrue(o.get("parameters").asLong() < o.get("dense_parameters").asLong() / 3);
    assertEquals(1, o.get("epochs").size());
    JsonNode e = o.get("epochs").get(0);
    List<String> ek = new ArrayList<>();
    e.fieldNames().forEachRemaining(ek::add);
    assertEquals(List.of("epoch", "train_loss", "train_accuracy", "test_accuracy", "seconds"),
        ek);
    assertEquals(1, e.get("epoch").asInt());
    for (Iterator<String> it = List.of("train_accuracy", "test_accuracy").iterator();
        it.hasNext(); ) {
      double a = e.get(it.next()).asDouble();
      assertTrue(a >= 0 && a <= 1, "accuracy " + a);
    }
    assertTrue(e.get("train_loss").asDouble() > 0 && e.get("seconds").asDouble() > 0);
    // the per-epoch line went to stderr, not stdout
    assertTrue(r.err().contains("epoch 1/1  train loss"), r.err());
  }
}
