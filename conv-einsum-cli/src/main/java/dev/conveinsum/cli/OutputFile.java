package dev.conveinsum.cli;

import dev.conveinsum.ConvEinsumException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file named on the command line ({@code --out}, {@code --dot}, ...), written the way {@code
 * cat > PATH} writes it, but never leaving a partial file (SPEC section 5.1).
 *
 * <ul>
 *   <li>A regular file, or a path that does not exist yet, is replaced atomically: the bytes go
 *       to a temporary file in the same directory, which is then renamed over it. A replaced
 *       file keeps its permissions (and its owner and group where the user may set them); a
 *       new one gets the default permissions (the umask's).
 *   <li>A symbolic link is written through: its target is replaced (or created, for a dangling
 *       link), the link itself stays.
 *   <li>A device ({@code /dev/null}), FIFO or socket is opened and written, never replaced.
 *   <li>A directory, a missing parent directory, a read-only file, or the same file as one of
 *       the command's inputs ({@link #refuseSameAs}) is refused with one line naming the path as
 *       the user gave it.
 * </ul>
 *
 * <p>{@link #of} checks the path at once, so that a command can refuse a bad path before a long
 * computation; {@link #write} checks it again and writes.
 */
final class OutputFile {
  /** The most symbolic links followed, as Linux's MAXSYMLINKS. */
  private static final int MAX_LINKS = 40;

  private final String option;
  private final Path given;

  private OutputFile(String option, Path given) {
    this.option = option;
    this.given = given;
  }

  /**
   * Checks an output path given on the command line.
   *
   * @param option the flag, for messages ({@code "--out"})
   * @param path the path as the user gave it
   * @return the output file
   * @throws ConvEinsumException when the path cannot be written (see the class comment)
   */
  static OutputFile of(String option, Path path) {
    OutputFile f = new OutputFile(option, path);
    f.resolve();
    return f;
  }

  /**
   * Refuses to write over an input of the command, whichever path (link, other spelling, hard
   * link) names it.
   *
   * @param input the input's path
   * @param what what the input is, for the message ({@code "the --case file"})
   */
  void refuseSameAs(Path input, String what) {
    try {
      if (Files.exists(given) && Files.exists(input) && Files.isSameFile(given, input)) {
        throw error("is " + what + " (" + input + "); write the result to another file");
      }
    } catch (IOException e) {
      throw error(reason(e));
    }
  }

  /** Writes text as UTF-8. */
  void writeString(String text) {
    write(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the bytes: atomically for a regular (or new) file, directly for a device or FIFO.
   *
   * @param bytes the whole content
   * @throws ConvEinsumException naming the path when writing fails; a replaced file is then
   *     unchanged and no temporary file is left
   */
  void write(byte[] bytes) {
    Target t = resolve();
    if (t.special()) {
      try (OutputStream os = Files.newOutputStream(given, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        os.write(bytes);
      } catch (IOException e) {
        throw error(reason(e));
      }
      return;
    }
    Path tmp = null;
    try {
      tmp = createTemporary(t.path());
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (t.attributes() != null) {
        keepAttributes(tmp, t.attributes());
      }
      Files.move(tmp, t.path(), StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw error(reason(e));
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The write already failed; that error is the one to report.
        }
      }
    }
  }

  /**
   * Where the bytes go.
   *
   * @param path the file to replace (links followed), or the path given for a special file
   * @param special a device, FIFO or socket: written in place
   * @param attributes the replaced file's owner, group and permissions, or null for a new file
   *     (or a file system without them)
   */
  private record Target(Path path, boolean special, PosixFileAttributes attributes) {}

  private Target resolve() {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(given, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return newFile(danglingTarget());
    } catch (IOException e) {
      // ENOTDIR: name the file that stands where a directory should be.
      for (Path p = given.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p)) {
          throw error(p + " is not a directory");
        }
      }
      throw error(reason(e));
    }
    if (attrs.isDirectory()) {
      throw error("is a directory; name a file");
    }
    if (!attrs.isRegularFile()) {
      return new Target(given, true, null);
    }
    try {
      Path real = given.toRealPath();
      if (!Files.isWritable(real)) {
        throw error("permission denied (the file is read-only)");
      }
      PosixFileAttributes attributes = null;
      try {
        attributes = Files.readAttributes(real, PosixFileAttributes.class);
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the new file keeps the default permissions.
      }
      checkDirectory(real);
      return new Target(real, false, attributes);
    } catch (IOException e) {
      throw error(reason(e));
    }
  }

  /** Follows a chain of links that ends at a path that does not exist (cat creates it). */
  private Path danglingTarget() {
    Path p = given;
    try {
      for (int hops = 0; Files.isSymbolicLink(p); hops++) {
        if (hops == MAX_LINKS) {
          throw error("too many levels of symbolic links");
        }
        p = p.resolveSibling(Files.readSymbolicLink(p));
      }
    } catch (IOException e) {
      throw error(reason(e));
    }
    return p;
  }

  private Target newFile(Path path) {
    checkDirectory(path);
    return new Target(path, false, null);
  }

  private void checkDirectory(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      throw error("has no parent directory");
    }
    if (!Files.isDirectory(dir)) {
      throw error(Files.exists(dir) ? dir + " is not a directory"
          : "the directory " + dir + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw error("permission denied: cannot create a file in " + dir);
    }
  }

  /** Gives the new file the old one's owner and group (when allowed) and permissions. */
  private static void keepAttributes(Path file, PosixFileAttributes old) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file,
        PosixFileAttributeView.class);
    try {
      if (!old.owner().equals(Files.getOwner(file))) {
        view.setOwner(old.owner());
      }
      view.setGroup(old.group());
    } catch (IOException e) {
      // Only a privileged user may give a file away (as `cat > PATH` never has to): the file
      // is then the writer's, with the old permissions.
    }
    view.setPermissions(old.permissions());
  }

  /** A new empty file beside the target, with the default permissions. */
  private static Path createTemporary(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String name = "." + target.getFileName() + ".";
    while (true) {
      Path tmp = dir.resolve(name + Long.toHexString(ThreadLocalRandom.current().nextLong())
          + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        // Drawn twice: draw again.
      }
    }
  }

  /** The operating system's reason, without the path it repeats. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private ConvEinsumException error(String what) {
    return new ConvEinsumException(option + " " + given + ": " + what);
  }
}
