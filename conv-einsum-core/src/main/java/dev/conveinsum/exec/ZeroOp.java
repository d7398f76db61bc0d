package dev.conveinsum.exec;

/** A tensor of zeros (a step none of whose products reach a kept position). */
record ZeroOp(int out, long size) implements Op {
  @Override
  public int[] inputs() {
    return new int[0];
  }

  @Override
  public int output() {
    return out;
  }

  @Override
  public void run(Runtime rt) {
    rt.allocate(out, size, true);
  }
}
