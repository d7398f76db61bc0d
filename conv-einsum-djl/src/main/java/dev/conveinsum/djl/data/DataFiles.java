package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening data files, plain or gzip-compressed, with one clear error per failure. */
final class DataFiles {
  private DataFiles() {}

  /** Returns the first of the candidate names that exists in {@code dir}, else fails. */
  static Path find(Path dir, String what, List<String> names) {
    if (!Files.isDirectory(dir)) {
      throw new ConvEinsumException("data directory " + dir + " does not exist or is not a"
          + " directory");
    }
    for (String n : names) {
      Path p = dir.resolve(n);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new ConvEinsumException(what + " not found in " + dir + ": expected one of "
        + String.join(", ", names));
  }

  /**
   * Opens a file for reading, decompressing it when it starts with the gzip magic bytes (whatever
   * its name).
   */
  static InputStream open(Path file) {
    try {
      InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
      }
      return raw;
    } catch (NoSuchFileException e) {
      throw new ConvEinsumException(file + ": no such file");
    } catch (ZipException e) {
      throw new ConvEinsumException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ConvEinsumException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads exactly {@code n} bytes, or as many as there are when fewer; returns the count read.
   * Gzip errors and I/O errors become one-line {@link ConvEinsumException}s.
   */
  static int readFully(InputStream in, byte[] buf, int off, int n, Path file) {
    int done = 0;
    try {
      while (done < n) {
        int r = in.read(buf, off + done, n - done);
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    } catch (EOFException e) {
      // a gzip stream cut short ends this way
      return done;
    } catch (ZipException e) {
      throw new ConvEinsumException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ConvEinsumException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Returns whether the stream has at least one more byte. */
  static boolean hasMore(InputStream in, Path file) {
    try {
      return in.read() >= 0;
    } catch (EOFException e) {
      return false;
    } catch (ZipException e) {
      throw new ConvEinsumException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ConvEinsumException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // reading succeeded; nothing to report
    }
  }
}
