package dev.conveinsum.exec;

/**
 * The compile-time description of one tensor of a program: the index id and length of every
 * axis, and for axes along which something is convolved, where its elements sit in the full
 * coordinates of {@link dev.conveinsum.geometry.ConvGeometry}: element {@code e} at
 * {@code start + step*e}.
 */
final class Layout {
  final int[] ids;
  final int[] dims;
  final boolean[] positioned;
  final int[] start;
  final int[] step;

  Layout(int[] ids, int[] dims, boolean[] positioned, int[] start, int[] step) {
    this.ids = ids;
    this.dims = dims;
    this.positioned = positioned;
    this.start = start;
    this.step = step;
  }

  static Layout plain(int[] ids, int[] dims) {
    int n = ids.length;
    return new Layout(ids.clone(), dims.clone(), new boolean[n], new int[n], new int[n]);
  }

  int rank() {
    return ids.length;
  }

  int axisOf(int id) {
    for (int a = 0; a < ids.length; a++) {
      if (ids[a] == id) {
        return a;
      }
    }
    return -1;
  }

  boolean has(int id) {
    return axisOf(id) >= 0;
  }

  long size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  int[] strides() {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int a = dims.length - 1; a >= 0; a--) {
      s[a] = acc;
      acc *= dims[a];
    }
    return s;
  }

  /** Returns a copy with the axes in the order of the given ids. */
  Layout select(int[] order) {
    int n = order.length;
    int[] d = new int[n];
    boolean[] p = new boolean[n];
    int[] s = new int[n];
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      int a = axisOf(order[i]);
      d[i] = dims[a];
      p[i] = positioned[a];
      s[i] = start[a];
      t[i] = step[a];
    }
    return new Layout(order.clone(), d, p, s, t);
  }

  /** Returns a copy where axis {@code a} has new length and positions. */
  Layout withAxis(int a, int len, boolean pos, int st, int sp) {
    Layout l = new Layout(ids.clone(), dims.clone(), positioned.clone(), start.clone(),
        step.clone());
    l.dims[a] = len;
    l.positioned[a] = pos;
    l.start[a] = st;
    l.step[a] = sp;
    return l;
  }

  /** Returns a copy without axis {@code a}. */
  Layout without(int a) {
    int[] order = new int[ids.length - 1];
    for (int i = 0, j = 0; i < ids.length; i++) {
      if (i != a) {
        order[j++] = ids[i];
      }
    }
    return select(order);
  }

  /** Returns a copy with an extra axis at position {@code a}. */
  Layout insert(int a, int id, int len, boolean pos, int st, int sp) {
    int n = ids.length + 1;
    Layout l = new Layout(new int[n], new int[n], new boolean[n], new int[n], new int[n]);
    for (int i = 0, j = 0; i < n; i++) {
      if (i == a) {
        l.ids[i] = id;
        l.dims[i] = len;
        l.positioned[i] = pos;
        l.start[i] = st;
        l.step[i] = sp;
      } else {
        l.ids[i] = ids[j];
        l.dims[i] = dims[j];
        l.positioned[i] = positioned[j];
        l.start[i] = start[j];
        l.step[i] = step[j];
        j++;
      }
    }
    return l;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int a = 0; a < ids.length; a++) {
      sb.append(a == 0 ? "" : ", ").append(ids[a]).append(':').append(dims[a]);
      if (positioned[a]) {
        sb.append('@').append(start[a]).append('+').append(step[a]).append('e');
      }
    }
    return sb.append(']').toString();
  }

}
