package dev.conveinsum.exec;

/** One instruction of a {@link Program}: reads some slots, writes one new slot. */
sealed interface Op permits LinearMap, KernelOp, AddOp, ZeroOp, AliasOp {

  /** Returns the slots read. */
  int[] inputs();

  /** Returns the slot written. */
  int output();

  /** Computes the output from the inputs. */
  void run(Runtime rt);
}
