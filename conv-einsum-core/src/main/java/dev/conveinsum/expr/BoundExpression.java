package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;
import dev.conveinsum.geometry.ConvGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expression bound to operand shapes and options: every dimension resolved to an index id,
 * ellipsis dimensions included, sizes checked, the output shape and the geometry of every
 * convolution computed. This is what planners, cost models and engines work on.
 *
 * <p>Index ids: the {@code E} broadcast (ellipsis) dimensions come first, named {@code ...0},
 * {@code ...1}, ..., then the labelled indices in order of first appearance in the inputs.
 * A convolution index that occurs in a single operand is an ordinary index here.
 */
public final class BoundExpression {
  private final Expression expression;
  private final ConvOptions options;
  private final long[][] shapes;
  private final int ellipsisDims;
  private final String[] indexNames;
  private final int[][] operandIndices;
  private final int[] outputIndices;
  private final long[] outputShape;
  private final long[] sizes;
  private final ConvGeometry[] geometry;

  private BoundExpression(Expression expression, ConvOptions options, long[][] shapes,
      int ellipsisDims, String[] indexNames, int[][] operandIndices, int[] outputIndices,
      long[] sizes, ConvGeometry[] geometry) {
    this.expression = expression;
    this.options = options;
    this.shapes = shapes;
    this.ellipsisDims = ellipsisDims;
    this.indexNames = indexNames;
    this.operandIndices = operandIndices;
    this.outputIndices = outputIndices;
    this.sizes = sizes;
    this.geometry = geometry;
    this.outputShape = new long[outputIndices.length];
    for (int i = 0; i < outputIndices.length; i++) {
      outputShape[i] = sizes[outputIndices[i]];
    }
  }

  /**
   * Binds an expression to shapes and options, validating everything SPEC requires.
   *
   * @param expression a parsed expression
   * @param options the call's options
   * @param shapes one shape per operand
   * @return the bound expression
   * @throws ConvEinsumException naming the operand, index and sizes at fault
   */
  public static BoundExpression bind(Expression expression, ConvOptions options,
      List<long[]> shapes) {
    ConvEinsumException.requireNonNull(expression, "the expression");
    ConvEinsumException.requireNonNull(shapes, "the list of shapes");
    if (options == null) {
      options = ConvOptions.DEFAULT;
    }
    List<Term> terms = expression.inputs();
    int n = terms.size();
    if (shapes.size() != n) {
      throw new ConvEinsumException("the expression "
          + ConvEinsumException.quote(expression.source(), 0) + " has " + n
          + " input term" + (n == 1 ? "" : "s") + " but " + shapes.size() + " operand"
          + (shapes.size() == 1 ? " was" : "s were") + " given");
    }
    long[][] sh = new long[n][];
    int ellipsis = 0;
    for (int k = 0; k < n; k++) {
      sh[k] = ConvEinsumException.requireNonNull(shapes.get(k), "the shape of operand " + k)
          .clone();
      Term t = terms.get(k);
      int labelled = t.indices().size();
      for (long d : sh[k]) {
        if (d < 0) {
          throw new ConvEinsumException("operand " + k + " has a negative dimension: "
              + Arrays.toString(sh[k]));
        }
      }
      if (t.hasEllipsis() ? sh[k].length < labelled : sh[k].length != labelled) {
        throw new ConvEinsumException("operand " + k + " has " + sh[k].length + " dimension"
            + (sh[k].length == 1 ? "" : "s") + " " + Arrays.toString(sh[k]) + " but its term \""
            + t + "\" has " + (t.hasEllipsis() ? "at least " : "") + labelled + " ind"
            + (labelled == 1 ? "ex" : "ices"));
      }
      if (t.hasEllipsis()) {
        ellipsis = Math.max(ellipsis, sh[k].length - labelled);
      }
    }
    // Index ids: ellipsis dims, then labelled indices by first appearance.
    Map<Index, Integer> ids = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (int e = 0; e < ellipsis; e++) {
      names.add("..." + e);
    }
    for (Term t : terms) {
      for (Index idx : t.indices()) {
        if (!ids.containsKey(idx)) {
          ids.put(idx, names.size());
          names.add(idx.name());
        }
      }
    }
    int count = names.size();
    int[][] opIdx = new int[n][];
    for (int k = 0; k < n; k++) {
      opIdx[k] = axisIds(terms.get(k), sh[k].length, ellipsis, ids);
    }
    // Options may only name conv indices held by two or more operands.
    int[] holdersOf = new int[count];
    for (int k = 0; k < n; k++) {
      for (int id : distinct(opIdx[k])) {
        holdersOf[id]++;
      }
    }
    for (String key : options.conv().keySet()) {
      Index idx = new Index(key);
      if (!expression.isConvIndex(idx)) {
        throw new ConvEinsumException("options are given for index '" + idx
            + "', which is not listed after '|' in "
            + ConvEinsumException.quote(expression.source(), 0));
      }
      if (holdersOf[ids.get(idx)] < 2) {
        throw new ConvEinsumException("options are given for convolution index '" + idx
            + "', but it occurs in only one operand, so nothing is convolved along it");
      }
    }
    // Sizes.
    long[] sizes = new long[count];
    Arrays.fill(sizes, -1);
    int[] sizeFrom = new int[count];
    boolean[] conv = new boolean[count];
    for (Index c : expression.convIndices()) {
      conv[ids.get(c)] = holdersOf[ids.get(c)] >= 2;
    }
    for (int k = 0; k < n; k++) {
      for (int a = 0; a < opIdx[k].length; a++) {
        int id = opIdx[k][a];
        long d = sh[k][a];
        if (conv[id]) {
          continue;
        }
        if (id < ellipsis) {
          if (sizes[id] < 0 || sizes[id] == 1) {
            if (sizes[id] < 0 || d != 1) {
              sizes[id] = d;
              sizeFrom[id] = k;
            }
          } else if (d != 1 && d != sizes[id]) {
            throw new ConvEinsumException("ellipsis dimensions do not broadcast: operand "
                + sizeFrom[id] + " has size " + sizes[id] + " and operand " + k + " has size "
                + d + " at broadcast dimension " + id + " (sizes must be equal or 1)");
          }
        } else if (sizes[id] < 0) {
          sizes[id] = d;
          sizeFrom[id] = k;
        } else if (sizes[id] != d) {
          String idxName = new Index(names.get(id)).toString();
          if (sizeFrom[id] == k) {
            throw new ConvEinsumException("diagonal index '" + idxName + "' has sizes "
                + sizes[id] + " and " + d + " within operand " + k + " (\"" + terms.get(k)
                + "\" with shape " + Arrays.toString(sh[k]) + "); a repeated index needs equal"
                + " sizes");
          }
          throw new ConvEinsumException("size of index '" + idxName + "' is " + sizes[id]
              + " in operand " + sizeFrom[id] + " (\"" + terms.get(sizeFrom[id]) + "\") but " + d
              + " in operand " + k + " (\"" + terms.get(k) + "\"); only convolution indices"
              + " (after '|') may differ");
        }
      }
    }
    ConvGeometry[] geometry = new ConvGeometry[count];
    for (Index c : expression.convIndices()) {
      int id = ids.get(c);
      if (!conv[id]) {
        continue;
      }
      int[] holders = new int[holdersOf[id]];
      int[] lengths = new int[holdersOf[id]];
      int r = 0;
      for (int k = 0; k < n; k++) {
        for (int a = 0; a < opIdx[k].length; a++) {
          if (opIdx[k][a] == id) {
            if (sh[k][a] > Integer.MAX_VALUE) {
              throw new ConvEinsumException("convolution index '" + c + "' does not fit in"
                  + " operand " + k + ": length " + sh[k][a] + ", over the limit of "
                  + ConvGeometry.MAX_DILATED_LENGTH + "; use a shorter operand");
            }
            holders[r] = k;
            lengths[r++] = (int) sh[k][a];
          }
        }
      }
      geometry[id] = new ConvGeometry(c.toString(), holders, lengths, options.spec(c.name()),
          options.kind());
      sizes[id] = geometry[id].outputLength();
    }
    for (int id = 0; id < count; id++) {
      if (sizes[id] < 0) {
        sizes[id] = 1; // an ellipsis dimension only the output mentions cannot occur; be safe
      }
    }
    Term out = expression.output();
    int[] outIdx = axisIds(out, out.indices().size() + (out.hasEllipsis() ? ellipsis : 0),
        ellipsis, ids);
    return new BoundExpression(expression, options, sh, ellipsis,
        names.toArray(String[]::new), opIdx, outIdx, sizes, geometry);
  }

  private static int[] axisIds(Term t, int rank, int ellipsis, Map<Index, Integer> ids) {
    int[] out = new int[rank];
    int extra = rank - t.indices().size();
    int a = 0;
    for (int i = 0; i <= t.indices().size(); i++) {
      if (i == t.ellipsisAt()) {
        for (int e = ellipsis - extra; e < ellipsis; e++) {
          out[a++] = e;
        }
      }
      if (i < t.indices().size()) {
        out[a++] = ids.get(t.indices().get(i));
      }
    }
    return out;
  }

  private static int[] distinct(int[] ids) {
    return Arrays.stream(ids).distinct().toArray();
  }

  /** Returns the expression. */
  public Expression expression() {
    return expression;
  }

  /** Returns the options. */
  public ConvOptions options() {
    return options;
  }

  /** Returns the number of operands. */
  public int operandCount() {
    return shapes.length;
  }

  /** Returns a copy of the shape of operand {@code k}. */
  public long[] shape(int k) {
    return shapes[k].clone();
  }

  /** Returns copies of all operand shapes. */
  public List<long[]> shapes() {
    List<long[]> l = new ArrayList<>();
    for (long[] s : shapes) {
      l.add(s.clone());
    }
    return l;
  }

  /** Returns the number of broadcast (ellipsis) dimensions; they have ids {@code 0..E-1}. */
  public int ellipsisDims() {
    return ellipsisDims;
  }

  /** Returns the number of distinct indices, ellipsis dimensions included. */
  public int indexCount() {
    return indexNames.length;
  }

  /** Returns the name of an index id ({@code ...0} for an ellipsis dimension). */
  public String indexName(int id) {
    return indexNames[id];
  }

  /** Returns the name as written in an expression: {@code h}, {@code (t1)} or {@code ...0}. */
  public String displayName(int id) {
    return id < ellipsisDims ? indexNames[id] : new Index(indexNames[id]).toString();
  }

  /** Returns the index id of every axis of operand {@code k} (repeats mean a diagonal). */
  public int[] operandIndices(int k) {
    return operandIndices[k].clone();
  }

  /** Returns the index id of every output axis. */
  public int[] outputIndices() {
    return outputIndices.clone();
  }

  /** Returns the output shape. */
  public long[] outputShape() {
    return outputShape.clone();
  }

  /**
   * Returns the size of an index: the common size of an ordinary index (the larger one for a
   * broadcast dimension), or the output length of a convolution index.
   */
  public long size(int id) {
    return sizes[id];
  }

  /** Returns whether the index is convolved (listed after '|' and held by two or more operands). */
  public boolean isConv(int id) {
    return geometry[id] != null;
  }

  /** Returns the geometry of a convolved index, or null for an ordinary one. */
  public ConvGeometry geometry(int id) {
    return geometry[id];
  }

  /** Returns whether the index is in the output. */
  public boolean inOutput(int id) {
    for (int o : outputIndices) {
      if (o == id) {
        return true;
      }
    }
    return false;
  }

  /**
   * Classifies every index of the whole expression (SPEC section 2).
   *
   * @return the kind of each index id
   */
  public IndexKind[] classify() {
    IndexKind[] kinds = new IndexKind[indexNames.length];
    int[] holders = new int[indexNames.length];
    for (int[] op : operandIndices) {
      for (int id : distinct(op)) {
        holders[id]++;
      }
    }
    for (int id = 0; id < kinds.length; id++) {
      kinds[id] = IndexKind.of(isConv(id), holders[id] >= 2, inOutput(id));
    }
    return kinds;
  }

  /** Returns a short description: expression and shapes. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(expression.source()).append(" with shapes ");
    for (int k = 0; k < shapes.length; k++) {
      sb.append(k == 0 ? "" : ";").append(shapeText(shapes[k]));
    }
    return sb.toString();
  }

  /** Formats a shape as {@code 2x3x4} (empty for a scalar). */
  public static String shapeText(long[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : "x").append(shape[i]);
    }
    return sb.toString();
  }

  /** Returns a map from index name to id, for tests and tools. */
  public Map<String, Integer> indexIds() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < indexNames.length; i++) {
      m.put(indexNames[i], i);
    }
    return m;
  }
}
