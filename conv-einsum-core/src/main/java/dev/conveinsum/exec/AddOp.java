package dev.conveinsum.exec;

/** Sum of two tensors of one layout (gradient accumulation). */
record AddOp(int a, int b, int out, long size) implements Op {
  @Override
  public int[] inputs() {
    return new int[] {a, b};
  }

  @Override
  public int output() {
    return out;
  }

  @Override
  public void run(Runtime rt) {
    if (rt.dry()) {
      rt.allocate(out, size, false);
      return;
    }
    Object x = rt.get(a);
    Object y = rt.get(b);
    Object z = rt.allocate(out, size, false);
    System.arraycopy(x, 0, z, 0, Buffers.length(x));
    Buffers.addInto(z, y);
  }
}
