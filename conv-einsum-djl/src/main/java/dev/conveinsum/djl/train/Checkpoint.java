package dev.conveinsum.djl.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.conveinsum.ConvEinsumException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A saved training state in a directory: the network's parameters after an epoch ({@code
 * epoch-NNNN.params}, DJL's parameter format) and {@code state.properties} naming that file, the
 * epoch, the configuration that defines the network and the results of every epoch so far.
 *
 * <p>Both files are written to a temporary file and renamed into place, and the state is renamed
 * last, so a run killed at any moment leaves the previous epoch's checkpoint intact. The
 * optimizer's moments (Adam) are not saved: a resumed run restarts them.
 *
 * @param epoch the last completed epoch
 * @param identity the configuration values that define the network and its data
 * @param results the results of epochs 1 to {@code epoch}
 * @param parameters the parameter file
 */
public record Checkpoint(int epoch, Map<String, String> identity, List<EpochResult> results,
    Path parameters) {
  static final String STATE = "state.properties";
  private static final String FORMAT = "conv-einsum-train 1";

  /** Copies. */
  public Checkpoint {
    identity = Map.copyOf(identity);
    results = List.copyOf(results);
  }

  /** Returns whether {@code dir} holds a checkpoint. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(STATE));
  }

  /**
   * Writes the parameters and the state after an epoch, atomically, and removes older parameter
   * files.
   */
  static void save(Path dir, int epoch, Map<String, String> identity, List<EpochResult> results,
      Block block) {
    try {
      Files.createDirectories(dir);
      String name = String.format(Locale.ROOT, "epoch-%04d.params", epoch);
      Path tmp = Files.createTempFile(dir, ".epoch-", ".tmp");
      try (OutputStream o = Files.newOutputStream(tmp);
          DataOutputStream d = new DataOutputStream(new BufferedOutputStream(o))) {
        block.saveParameters(d);
      }
      move(tmp, dir.resolve(name));
      Properties p = new Properties();
      p.setProperty("format", FORMAT);
      p.setProperty("epoch", Integer.toString(epoch));
      p.setProperty("parameters", name);
      identity.forEach((k, v) -> p.setProperty("config." + k, v));
      for (EpochResult r : results) {
        p.setProperty("result." + r.epoch(), r.trainLoss() + "," + r.trainAccuracy() + ","
            + r.testAccuracy() + "," + r.seconds() + "," + r.trainSeconds() + "," + r.steps());
      }
      Path stmp = Files.createTempFile(dir, ".state-", ".tmp");
      try (Writer w = Files.newBufferedWriter(stmp, StandardCharsets.UTF_8)) {
        p.store(w, "conv-einsum train checkpoint");
      }
      move(stmp, dir.resolve(STATE));
      try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "epoch-*.params")) {
        for (Path f : old) {
          if (!f.getFileName().toString().equals(name)) {
            Files.deleteIfExists(f);
          }
        }
      }
    } catch (IOException e) {
      throw new ConvEinsumException("cannot save the checkpoint in " + dir + ": " + e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Reads the checkpoint in {@code dir}.
   *
   * @throws ConvEinsumException when there is none or it is malformed
   */
  public static Checkpoint read(Path dir) {
    Path state = dir.resolve(STATE);
    if (!Files.isRegularFile(state)) {
      throw new ConvEinsumException("--resume " + dir + ": no checkpoint there (" + STATE
          + " is missing)");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConvEinsumException("--resume " + dir + ": cannot read " + STATE + " (" + e
          + ")");
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new ConvEinsumException("--resume " + dir + ": " + STATE + " is not a conv-einsum"
          + " training checkpoint");
    }
    try {
      int epoch = Integer.parseInt(p.getProperty("epoch", ""));
      Path params = dir.resolve(p.getProperty("parameters", ""));
      if (epoch < 1 || !Files.isRegularFile(params)) {
        throw new ConvEinsumException("--resume " + dir + ": the checkpoint of epoch " + epoch
            + " lacks its parameter file " + params.getFileName());
      }
      Map<String, String> identity = new java.util.LinkedHashMap<>();
      for (String k : p.stringPropertyNames()) {
        if (k.startsWith("config.")) {
          identity.put(k.substring(7), p.getProperty(k));
        }
      }
      List<EpochResult> results = new ArrayList<>();
      for (int e = 1; e <= epoch; e++) {
        String v = p.getProperty("result." + e);
        if (v == null) {
          throw new ConvEinsumException("--resume " + dir + ": " + STATE + " lacks the result"
              + " of epoch " + e);
        }
        String[] f = v.split(",");
        results.add(new EpochResult(e, Double.parseDouble(f[0]), Double.parseDouble(f[1]),
            Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
            Integer.parseInt(f[5])));
      }
      return new Checkpoint(epoch, identity, results, params);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new ConvEinsumException("--resume " + dir + ": " + STATE + " is malformed (" + e
          .getMessage() + ")");
    }
  }

  /**
   * Fails unless the checkpoint was made with the same network and data configuration.
   *
   * @throws ConvEinsumException naming every value that differs
   */
  void checkMatches(Map<String, String> current, Path dir) {
    List<String> diffs = new ArrayList<>();
    current.forEach((k, v) -> {
      String saved = identity.get(k);
      if (!v.equals(saved)) {
        diffs.add(k + " " + saved + " (saved) vs " + v);
      }
    });
    if (!diffs.isEmpty()) {
      throw new ConvEinsumException("--resume " + dir + ": the checkpoint was trained with"
          + " another configuration: " + String.join(", ", diffs));
    }
  }

  /** Loads the parameters into an uninitialised block of the same structure. */
  void loadInto(Block block, NDManager manager) {
    try (InputStream in = Files.newInputStream(parameters);
        DataInputStream d = new DataInputStream(new BufferedInputStream(in))) {
      block.loadParameters(manager, d);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new ConvEinsumException("--resume: cannot load " + parameters + ": " + e
          .getMessage());
    }
  }
}
