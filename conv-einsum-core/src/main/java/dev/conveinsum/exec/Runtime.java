package dev.conveinsum.exec;

import dev.conveinsum.engine.Engine;
import dev.conveinsum.tensor.DType;
import java.util.IdentityHashMap;
import java.util.Map;

/** The state of one execution: slot buffers, engine, threads, and live-memory accounting. */
final class Runtime {
  private final Object[] slots;
  private final DType dtype;
  private final Engine engine;
  private final int threads;
  private final Map<Object, Integer> references = new IdentityHashMap<>();
  private final Stats stats;
  /** Where freed intermediates go, or null (dry runs). */
  private final Workspace workspace;
  /** Buffers this runtime allocated (operands and gradients given by callers never recycle). */
  private final Map<Object, Boolean> owned = new IdentityHashMap<>();

  /** Counters of one execution. */
  static final class Stats {
    long liveBytes;
    long peakBytes;
    long flops;
    /** Nanoseconds per instruction (recomputed ones counted again), when profiling. */
    java.util.Map<Op, Long> profile;
  }

  /** Runs one instruction, timing it when profiling. */
  void run(Op op) {
    if (stats.profile == null || dry) {
      op.run(this);
      return;
    }
    long t0 = System.nanoTime();
    op.run(this);
    stats.profile.merge(op, System.nanoTime() - t0, Long::sum);
  }

  /**
   * Describes an instruction for profiles and plan reports: kernel sizes or the moved tensor's
   * shape, and for a kernel what {@code engine} runs for it with {@code threads} threads
   * ({@link Engine#describe}), so the executor names algorithms without knowing any engine.
   */
  static String label(Op op, Engine engine, int threads) {
    if (op instanceof KernelOp k && k.filterGradient) {
      return "depthwise filter gradient in place " + k.depthwise + " :: "
          + engine.describe(k.depthwise, threads);
    }
    if (op instanceof KernelOp k && k.depthwise != null) {
      // the layout it runs on, in place: g a group axis, *k->n a convolved one
      return "depthwise in place " + k.depthwise + " :: " + engine.describe(k.depthwise, threads);
    }
    if (op instanceof KernelOp k) {
      var p = k.problem;
      StringBuilder sb = new StringBuilder(p.dims().isEmpty() ? "gemm" : "conv");
      sb.append(" G").append(p.groups()).append(" B").append(p.batch()).append(" T")
          .append(p.outChannels()).append(" C").append(p.inChannels());
      for (var d : p.dims()) {
        sb.append(" ").append(d.inLength()).append('*').append(d.kernelLength()).append("->")
            .append(d.outLength());
      }
      if (p.dims().isEmpty()) {
        // layout flags: which operands the GEMM reads or writes transposed, F shared by groups
        sb.append(p.xTransposed() ? " X[C,B]" : " X[B,C]").append(p.fTransposed() ? " F[C,T]"
            : " F[T,C]").append(p.fShared() ? " shared" : "").append(p.yTransposed() ? " Y[T,B]"
            : " Y[B,T]");
      }
      if (k.summedGroups) {
        return sb.append(" sum G :: ").append(engine.describeSumGroups(p, threads)).toString();
      }
      return sb.append(" :: ").append(engine.describe(p, threads)).toString();
    }
    if (op instanceof LinearMap m) {
      return (m.gather ? "gather " : "scatter ") + java.util.Arrays.toString(m.denseDims);
    }
    return op.getClass().getSimpleName();
  }

  /** Whether the instruction runs an engine kernel (the rest only moves data). */
  static boolean isKernel(Op op) {
    return op instanceof KernelOp;
  }

  private final boolean dry;

  /** A runtime that draws its intermediates from, and returns them to, {@code workspace}. */
  Runtime(int slotCount, DType dtype, Engine engine, int threads, Stats stats,
      Workspace workspace) {
    this(slotCount, dtype, engine, threads, stats, false, workspace);
  }

  /** A dry runtime allocates nothing and computes nothing: it only accounts bytes. */
  static Runtime dry(int slotCount, DType dtype, Stats stats) {
    return new Runtime(slotCount, dtype, null, 1, stats, true, null);
  }

  private Runtime(int slotCount, DType dtype, Engine engine, int threads, Stats stats,
      boolean dry, Workspace workspace) {
    this.dry = dry;
    this.workspace = workspace;
    this.slots = new Object[slotCount];
    this.dtype = dtype;
    this.engine = engine;
    this.threads = threads;
    this.stats = stats;
  }

  DType dtype() {
    return dtype;
  }

  Engine engine() {
    return engine;
  }

  int threads() {
    return threads;
  }

  Stats stats() {
    return stats;
  }

  boolean has(int slot) {
    return slots[slot] != null;
  }

  Object get(int slot) {
    Object o = slots[slot];
    if (o == null) {
      throw new IllegalStateException("slot " + slot + " is not computed");
    }
    return o;
  }

  /** Puts an existing buffer (an operand) into a slot; counted as live memory. */
  void put(int slot, Object buffer) {
    slots[slot] = buffer;
    retain(buffer);
  }

  boolean dry() {
    return dry;
  }

  /**
   * Puts a new buffer of {@code size} elements into a slot and returns it.
   *
   * @param zeroed whether the instruction needs it zeroed (it does not write every element)
   */
  Object allocate(int slot, long size, boolean zeroed) {
    Object b;
    if (dry) {
      b = new Buffers.Token(size);
    } else {
      b = workspace == null ? Buffers.allocate(dtype, size)
          : workspace.take(dtype, size, zeroed);
      owned.put(b, Boolean.TRUE);
    }
    put(slot, b);
    return b;
  }

  void alias(int slot, int from) {
    put(slot, get(from));
  }

  void release(int slot) {
    Object b = slots[slot];
    if (b == null) {
      return;
    }
    slots[slot] = null;
    int n = references.merge(b, -1, Integer::sum);
    if (n == 0) {
      references.remove(b);
      stats.liveBytes -= Buffers.elements(b) * dtype.bytes();
      if (workspace != null && owned.remove(b) != null) {
        workspace.give(b);
      }
    }
  }

  private void retain(Object b) {
    int n = references.merge(b, 1, Integer::sum);
    if (n == 1) {
      stats.liveBytes += Buffers.elements(b) * dtype.bytes();
      stats.peakBytes = Math.max(stats.peakBytes, stats.liveBytes);
    }
  }
}
