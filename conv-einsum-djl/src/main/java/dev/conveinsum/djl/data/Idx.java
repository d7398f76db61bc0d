package dev.conveinsum.djl.data;

import dev.conveinsum.ConvEinsumException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads unsigned-byte arrays in the IDX format of MNIST and Fashion-MNIST: a big-endian header
 * {@code 0x00 0x00 0x08 D} followed by D big-endian 32-bit dimensions, then the bytes row-major.
 */
final class Idx {
  /** The most elements an IDX array may declare (what a Java array can hold). */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Idx() {}

  /** An unsigned-byte IDX array: its dimensions and its bytes. */
  record Array(long[] dims, byte[] data) {}

  /**
   * Reads an IDX file of unsigned bytes with the given number of dimensions, plain or gzip.
   *
   * @param file the file
   * @param rank the expected number of dimensions (1 for labels, 3 for images)
   * @param limit read at most this many entries along the first dimension (the rest is still
   *     checked for length)
   * @return the dimensions (the first one reduced to the entries read) and the bytes
   * @throws ConvEinsumException for a missing, truncated or malformed file, naming it
   */
  static Array read(Path file, int rank, long limit) {
    InputStream in = DataFiles.open(file);
    try {
      byte[] head = new byte[4];
      if (DataFiles.readFully(in, head, 0, 4, file) < 4) {
        throw new ConvEinsumException(file + ": truncated IDX file (shorter than its 4-byte"
            + " magic number)");
      }
      int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8)
          | (head[3] & 0xff);
      int expected = 0x0800 | rank;
      if (magic != expected) {
        throw new ConvEinsumException(String.format("%s: not an IDX file of unsigned bytes with"
            + " %d dimension%s (magic number 0x%08x, expected 0x%08x)", file, rank,
            rank == 1 ? "" : "s", magic, expected));
      }
      byte[] dimBytes = new byte[4 * rank];
      if (DataFiles.readFully(in, dimBytes, 0, dimBytes.length, file) < dimBytes.length) {
        throw new ConvEinsumException(file + ": truncated IDX file (header ends before its "
            + rank + " dimensions)");
      }
      long[] dims = new long[rank];
      long per = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = Integer.toUnsignedLong(((dimBytes[4 * i] & 0xff) << 24)
            | ((dimBytes[4 * i + 1] & 0xff) << 16) | ((dimBytes[4 * i + 2] & 0xff) << 8)
            | (dimBytes[4 * i + 3] & 0xff));
        if (i > 0) {
          per *= dims[i];
        }
      }
      if (per == 0 || dims[0] == 0) {
        throw new ConvEinsumException(file + ": IDX dimensions " + Arrays.toString(dims)
            + " hold no data");
      }
      long keep = Math.min(dims[0], limit);
      if (per > MAX_ELEMENTS || keep * per > MAX_ELEMENTS) {
        throw new ConvEinsumException(file + ": IDX dimensions " + Arrays.toString(dims)
            + " are too large to load");
      }
      byte[] data = new byte[(int) (keep * per)];
      int got = DataFiles.readFully(in, data, 0, data.length, file);
      long declared = dims[0] * per;
      if (got < data.length) {
        throw new ConvEinsumException(file + ": truncated IDX file: its header declares "
            + Arrays.toString(dims) + " (" + declared + " bytes of data) but only " + got
            + " follow");
      }
      // check the length of what is not loaded, so a truncated file is never taken as whole
      long rest = declared - data.length;
      byte[] skip = new byte[1 << 16];
      while (rest > 0) {
        int n = DataFiles.readFully(in, skip, 0, (int) Math.min(skip.length, rest), file);
        if (n == 0) {
          throw new ConvEinsumException(file + ": truncated IDX file: its header declares "
              + Arrays.toString(dims) + " (" + declared + " bytes of data) but only "
              + (declared - rest) + " follow");
        }
        rest -= n;
      }
      if (DataFiles.hasMore(in, file)) {
        throw new ConvEinsumException(file + ": IDX file has bytes after the "
            + declared + " its header " + Arrays.toString(dims) + " declares");
      }
      dims[0] = keep;
      return new Array(dims, data);
    } finally {
      DataFiles.close(in);
    }
  }
}
