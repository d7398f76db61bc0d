package dev.conveinsum.cli.report;

import dev.conveinsum.ConvEinsumException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The report's output directory. Checked before any work: it must be a directory (or creatable
 * as one) that accepts files, and it may hold files under the report's names only if they are
 * an earlier report's (its {@code index.html} carries {@link #GENERATOR}); other files in it are
 * never touched. Files are written to a temporary name and moved into place.
 */
final class OutputDir {
  /** The mark a report's {@code index.html} carries. */
  static final String GENERATOR = "<meta name=\"generator\" content=\"conv-einsum report\"/>";

  private final Path dir;

  private OutputDir(Path dir) {
    this.dir = dir;
  }

  /**
   * Checks (and creates) the directory for files with the given names (relative paths; a name
   * may be {@code figures/x.png}).
   *
   * @throws ConvEinsumException with one line saying what is wrong
   */
  static OutputDir prepare(Path dir, List<String> names) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new ConvEinsumException("--out-dir " + dir + " exists and is not a directory");
    }
    if (Files.isDirectory(dir)) {
      boolean ours = isReport(dir.resolve("index.html"));
      for (String name : names) {
        Path p = dir.resolve(name);
        Path parent = p.getParent();
        if (parent != null && !parent.equals(dir) && Files.exists(parent)
            && !Files.isDirectory(parent)) {
          throw new ConvEinsumException("--out-dir " + dir + " holds " + dir.relativize(parent)
              + ", a file where the report writes a directory; choose another --out-dir");
        }
        if (Files.exists(p) && !ours) {
          throw new ConvEinsumException("--out-dir " + dir + " holds " + name + ", which is not"
              + " from conv-einsum report; choose another --out-dir (nothing was written)");
        }
        if (Files.isDirectory(p)) {
          throw new ConvEinsumException("--out-dir " + dir + " holds a directory " + name
              + " where the report writes a file; choose another --out-dir");
        }
      }
    }
    try {
      Files.createDirectories(dir);
      for (String name : names) {
        Path parent = dir.resolve(name).getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
      }
      Path probe = Files.createTempFile(dir, ".conv-einsum-report", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new ConvEinsumException("cannot write to --out-dir " + dir + ": " + reason(e));
    }
    return new OutputDir(dir);
  }

  /** Why a file operation failed, in words (NIO's messages are often just the path). */
  private static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static boolean isReport(Path index) {
    if (!Files.isRegularFile(index)) {
      return false;
    }
    try {
      return Files.readString(index, StandardCharsets.UTF_8).contains(GENERATOR);
    } catch (IOException | RuntimeException e) {
      return false; // unreadable or not UTF-8: not ours
    }
  }

  /** Returns the directory. */
  Path path() {
    return dir;
  }

  /** Writes one of the report's files: to a temporary file, then moved over the name. */
  void write(String name, byte[] bytes) throws IOException {
    Path target = dir.resolve(name);
    // a hidden sibling created afresh (permissions as the umask says), renamed into place
    Path tmp = target.resolveSibling("." + target.getFileName() + "."
        + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes text as UTF-8. */
  void write(String name, String text) throws IOException {
    write(name, text.getBytes(StandardCharsets.UTF_8));
  }
}
