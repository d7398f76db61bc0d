package dev.conveinsum.exec;

import dev.conveinsum.tensor.DType;
import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Intermediate buffers kept by a compiled plan for its next calls. A call of a plan allocates
 * the same sizes every time, and fresh multi-MiB arrays are expensive on the JVM (page faults
 * on first touch, humongous regions, collections), so a buffer freed by one instruction is
 * handed to the next instruction, or the next call, that needs exactly that many elements.
 *
 * <p>Buffers are held through soft references, so an idle plan gives its memory back under
 * pressure. Thread-safe: concurrent calls of one plan draw distinct buffers.
 */
final class Workspace {
  private final Map<Key, ConcurrentLinkedDeque<SoftReference<Object>>> free =
      new ConcurrentHashMap<>();

  private record Key(DType dtype, int size) {}

  /**
   * Returns a buffer of exactly {@code size} elements: a kept one if there is one, else new.
   *
   * @param zeroed whether the caller needs every element to be zero (new arrays always are)
   */
  Object take(DType dtype, long size, boolean zeroed) {
    if (size <= Integer.MAX_VALUE - 8) {
      var q = free.get(new Key(dtype, (int) size));
      if (q != null) {
        for (SoftReference<Object> r = q.pollFirst(); r != null; r = q.pollFirst()) {
          Object b = r.get();
          if (b != null) {
            if (zeroed) {
              clear(b);
            }
            return b;
          }
        }
      }
    }
    return Buffers.allocate(dtype, size);
  }

  /** Keeps a buffer that nothing refers to any more; the most recently freed is reused first. */
  void give(Object buffer) {
    DType dtype = buffer instanceof double[] ? DType.FLOAT64 : DType.FLOAT32;
    free.computeIfAbsent(new Key(dtype, Buffers.length(buffer)),
        k -> new ConcurrentLinkedDeque<>()).addFirst(new SoftReference<>(buffer));
  }

  private static void clear(Object b) {
    if (b instanceof double[] d) {
      Arrays.fill(d, 0.0);
    } else {
      Arrays.fill((float[]) b, 0f);
    }
  }
}
