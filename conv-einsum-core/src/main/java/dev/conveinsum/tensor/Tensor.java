package dev.conveinsum.tensor;

import dev.conveinsum.ConvEinsumException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense row-major tensor of float32 or float64 values: a shape and one flat array.
 *
 * <p>Tensors are treated as immutable values. Factories copy their input unless named
 * {@code wrap}; {@link #doubleData()} and {@link #floatData()} expose the backing array without a
 * copy so engines can read it at full speed, and callers must not modify it. The element count is
 * limited to {@link Integer#MAX_VALUE}, as Java arrays are.
 */
public final class Tensor {
  private final DType dtype;
  private final long[] shape;
  private final float[] floats;
  private final double[] doubles;

  private Tensor(DType dtype, long[] shape, float[] floats, double[] doubles) {
    this.dtype = dtype;
    this.shape = shape;
    this.floats = floats;
    this.doubles = doubles;
    long n = elementCount(shape);
    int len = floats != null ? floats.length : doubles.length;
    if (n != len) {
      throw new ConvEinsumException("shape " + Arrays.toString(shape) + " holds " + n
          + " elements but the data has " + len);
    }
  }

  /** The most elements a tensor holds (the largest Java array the JVMs allocate). */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Returns the number of elements a shape holds.
   *
   * @throws ConvEinsumException for a negative dimension, or a count past {@code Long.MAX_VALUE}
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new ConvEinsumException("negative dimension in shape " + Arrays.toString(shape));
      }
    }
    for (long d : shape) {
      long hi = Math.multiplyHigh(n, d);
      long lo = n * d;
      if (hi != 0 || lo < 0) {
        throw new ConvEinsumException("shape " + Arrays.toString(shape) + " does not fit: its"
            + " element count is over " + Long.MAX_VALUE + " (a tensor holds at most "
            + MAX_ELEMENTS + " elements); use smaller dimensions");
      }
      n = lo;
    }
    return n;
  }

  /**
   * Returns the number of elements a shape holds, checking that it fits one tensor.
   *
   * @throws ConvEinsumException when it holds more than {@link #MAX_ELEMENTS}
   */
  public static int checkedSize(long[] shape) {
    long n = elementCount(shape);
    if (n > MAX_ELEMENTS) {
      throw new ConvEinsumException("shape " + Arrays.toString(shape) + " does not fit: it has "
          + n + " elements and a tensor holds at most " + MAX_ELEMENTS
          + "; use smaller dimensions");
    }
    return (int) n;
  }

  /** The null checks of the factories: data (or dtype) and shape must be given. */
  private static void checkArguments(Object data, long[] shape) {
    ConvEinsumException.requireNonNull(data, "the data");
    ConvEinsumException.requireNonNull(shape, "the shape");
  }

  /** Returns a float64 tensor holding a copy of the data. */
  public static Tensor of(double[] data, long... shape) {
    checkArguments(data, shape);
    return new Tensor(DType.FLOAT64, shape.clone(), null, data.clone());
  }

  /** Returns a float32 tensor holding a copy of the data. */
  public static Tensor of(float[] data, long... shape) {
    checkArguments(data, shape);
    return new Tensor(DType.FLOAT32, shape.clone(), data.clone(), null);
  }

  /** Returns a float64 tensor over the array itself (no copy: do not modify it afterwards). */
  public static Tensor wrap(double[] data, long... shape) {
    checkArguments(data, shape);
    return new Tensor(DType.FLOAT64, shape.clone(), null, data);
  }

  /** Returns a float32 tensor over the array itself (no copy: do not modify it afterwards). */
  public static Tensor wrap(float[] data, long... shape) {
    checkArguments(data, shape);
    return new Tensor(DType.FLOAT32, shape.clone(), data, null);
  }

  /** Returns a tensor of zeros. */
  public static Tensor zeros(DType dtype, long... shape) {
    checkArguments(ConvEinsumException.requireNonNull(dtype, "the dtype"), shape);
    int n = checkedSize(shape);
    return dtype == DType.FLOAT64 ? wrap(new double[n], shape) : wrap(new float[n], shape);
  }

  /** Returns a scalar (rank 0) float64 tensor. */
  public static Tensor scalar(double value) {
    return wrap(new double[] {value});
  }

  /** Returns a tensor of independent uniform values in [-1, 1) from a seeded generator. */
  public static Tensor random(DType dtype, long seed, long... shape) {
    checkArguments(ConvEinsumException.requireNonNull(dtype, "the dtype"), shape);
    int n = checkedSize(shape);
    SplittableRandom rnd = new SplittableRandom(seed);
    if (dtype == DType.FLOAT64) {
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = rnd.nextDouble(-1, 1);
      }
      return wrap(d, shape);
    }
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) rnd.nextDouble(-1, 1);
    }
    return wrap(f, shape);
  }

  /** Returns the element type. */
  public DType dtype() {
    return dtype;
  }

  /** Returns a copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** Returns dimension {@code axis}. */
  public long dim(int axis) {
    return shape[axis];
  }

  /** Returns the number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Returns the number of elements. */
  public int size() {
    return floats != null ? floats.length : doubles.length;
  }

  /** Returns the element at a flat row-major position, as a double. */
  public double getFlat(int i) {
    return floats != null ? floats[i] : doubles[i];
  }

  /** Returns the element at a multi-index, as a double. */
  public double get(long... index) {
    ConvEinsumException.requireNonNull(index, "the index");
    if (index.length != shape.length) {
      throw new ConvEinsumException("index " + Arrays.toString(index) + " has " + index.length
          + " coordinates; the tensor has rank " + shape.length);
    }
    long flat = 0;
    for (int a = 0; a < shape.length; a++) {
      if (index[a] < 0 || index[a] >= shape[a]) {
        throw new ConvEinsumException("index " + Arrays.toString(index) + " is outside shape "
            + Arrays.toString(shape));
      }
      flat = flat * shape[a] + index[a];
    }
    return getFlat((int) flat);
  }

  /** Returns the backing float64 array (no copy; read only), or null for float32. */
  public double[] doubleData() {
    return doubles;
  }

  /** Returns the backing float32 array (no copy; read only), or null for float64. */
  public float[] floatData() {
    return floats;
  }

  /** Returns a new array with the values as doubles. */
  public double[] toDoubleArray() {
    if (doubles != null) {
      return doubles.clone();
    }
    double[] d = new double[floats.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = floats[i];
    }
    return d;
  }

  /** Returns a new array with the values as floats. */
  public float[] toFloatArray() {
    if (floats != null) {
      return floats.clone();
    }
    float[] f = new float[doubles.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) doubles[i];
    }
    return f;
  }

  /** Returns this tensor in the given type (itself when it already has it). */
  public Tensor to(DType type) {
    ConvEinsumException.requireNonNull(type, "the dtype");
    if (type == dtype) {
      return this;
    }
    return type == DType.FLOAT64 ? wrap(toDoubleArray(), shape) : wrap(toFloatArray(), shape);
  }

  /** Returns the same data with another shape of equal element count. */
  public Tensor reshape(long... newShape) {
    ConvEinsumException.requireNonNull(newShape, "the shape");
    return floats != null ? new Tensor(dtype, newShape.clone(), floats, null)
        : new Tensor(dtype, newShape.clone(), null, doubles);
  }

  /** Returns the largest |a - b| over all elements of two tensors of one shape. */
  public double maxAbsDifference(Tensor other) {
    ConvEinsumException.requireNonNull(other, "the other tensor");
    if (!Arrays.equals(shape, other.shape)) {
      throw new ConvEinsumException("shapes differ: " + Arrays.toString(shape) + " and "
          + Arrays.toString(other.shape));
    }
    double m = 0;
    for (int i = 0; i < size(); i++) {
      m = Math.max(m, Math.abs(getFlat(i) - other.getFlat(i)));
    }
    return m;
  }

  /** Returns dtype and shape, and the values when there are few. */
  @Override
  public String toString() {
    String s = "Tensor[" + dtype + " " + Arrays.toString(shape);
    if (size() <= 16) {
      s += " " + Arrays.toString(toDoubleArray());
    }
    return s + "]";
  }
}
