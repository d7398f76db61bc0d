package dev.conveinsum.exec;

import java.util.Arrays;
import java.util.List;

/** Small helpers over arrays and lists of index ids shared by the step compilers. */
final class StepIds {
  private StepIds() {}

  /** The longest common prefix of both layouts made of ids the result does not keep. */
  static int[] leadingSummed(Layout lu, Layout lv, int[] outIds) {
    int n = 0;
    while (n < lu.rank() && n < lv.rank() && lu.ids[n] == lv.ids[n]
        && !contains(outIds, lu.ids[n])) {
      n++;
    }
    return Arrays.copyOf(lu.ids, n);
  }

  /** The position of {@code v} in {@code a}, or {@code a.length} when absent. */
  static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return a.length; // absent: after every present id, in the stable order of the input
  }

  /** Whether {@code a} holds {@code v}. */
  static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  /** The ids of four lists (the last one an array) one after another. */
  static int[] concat(List<Integer> a, List<Integer> b, List<Integer> c, int[] d) {
    int[] out = new int[a.size() + b.size() + c.size() + d.length];
    int i = 0;
    for (int x : a) {
      out[i++] = x;
    }
    for (int x : b) {
      out[i++] = x;
    }
    for (int x : c) {
      out[i++] = x;
    }
    for (int x : d) {
      out[i++] = x;
    }
    return out;
  }

  /** The ids of a list as an array. */
  static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }
}
