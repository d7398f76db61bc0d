package dev.conveinsum.tensor;

/** Element type of a {@link Tensor}. */
public enum DType {
  /** 32-bit IEEE float. */
  FLOAT32(4),
  /** 64-bit IEEE float. */
  FLOAT64(8);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Returns the size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Returns the wider of two types. */
  public static DType promote(DType a, DType b) {
    return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
  }

  /** Parses {@code float32}/{@code float64} (also {@code f32}, {@code double}, ...). */
  public static DType parse(String s) {
    dev.conveinsum.ConvEinsumException.requireNonNull(s, "the dtype");
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "float32", "f32", "float" -> FLOAT32;
      case "float64", "f64", "double" -> FLOAT64;
      default -> throw new dev.conveinsum.ConvEinsumException("unknown dtype '" + s
          + "'; use float32 or float64");
    };
  }

  /** Returns {@code float32} or {@code float64}. */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
