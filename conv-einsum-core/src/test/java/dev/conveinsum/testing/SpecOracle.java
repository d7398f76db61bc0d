package dev.conveinsum.testing;

import dev.conveinsum.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second, independent brute-force reading of SPEC sections 1 and 3, written for the tests: it
 * works from the structure of a {@link RandomExpressions.Case} (never the parser under test) and
 * from the crop table of SPEC section 3, and shares no code with the library except {@link
 * Tensor} as a container.
 */
public final class SpecOracle {
  private SpecOracle() {}

  /** Crop geometry of one convolved index, straight from the SPEC section 3 table. */
  public record Crop(int fullLength, int length, int offset, int outputLength) {}

  /**
   * Computes L_full, L, offset and ceil(L/s) for lengths n (signal first), as SPEC section 3 says.
   *
   * @param padding "MAX", "SAME", "FULL", "VALID", "CIRCULAR" or a list [left, right]
   */
  public static Crop crop(int[] n, Object padding, int stride, int dilation, boolean conv) {
    int m = n.length;
    int full = 1 - m;
    int max = 0;
    int filter = 0;
    for (int r = 0; r < m; r++) {
      int dl = r == 0 ? n[r] : dilation * (n[r] - 1) + 1;
      full += dl;
      max = Math.max(max, dl);
      filter = dl;
    }
    int len;
    int off;
    if (padding instanceof List<?> lr) {
      int left = ((Number) lr.get(0)).intValue();
      int right = ((Number) lr.get(1)).intValue();
      len = n[0] + left + right - filter + 1;
      off = filter - 1 - left;
    } else {
      switch (String.valueOf(padding)) {
        case "FULL" -> {
          len = full;
          off = 0;
        }
        case "VALID" -> {
          len = 2 * max - full;
          off = full - max;
        }
        case "SAME" -> {
          len = n[0];
          off = centre(full - len, conv);
        }
        default -> { // MAX, CIRCULAR
          len = max;
          off = centre(full - len, conv);
        }
      }
    }
    return new Crop(full, len, off, (len + stride - 1) / stride);
  }

  private static int centre(int extra, boolean conv) {
    // floor((L_full - L)/2) for CONVOLUTION, ceil for CROSS_CORRELATION (extra may be negative).
    return conv ? Math.floorDiv(extra, 2) : -Math.floorDiv(-extra, 2);
  }

  /** Evaluates a case on float64 operands by direct enumeration. */
  @SuppressWarnings("unchecked")
  public static Tensor evaluate(RandomExpressions.Case c, List<Tensor> operands) {
    String e = RandomExpressions.ELLIPSIS;
    int n = c.inputs().size();
    Map<String, Object> opts = c.options();
    boolean conv = !"CROSS_CORRELATION".equals(opts.get("kind"));
    Map<String, Map<String, Object>> per = (Map<String, Map<String, Object>>)
        opts.getOrDefault("conv", Map.of());
    // Ellipsis rank and sizes.
    int ell = 0;
    for (int k = 0; k < n; k++) {
      List<String> t = c.inputs().get(k);
      if (t.contains(e)) {
        ell = Math.max(ell, c.shapes().get(k).length - (t.size() - 1));
      }
    }
    long[] ellSize = new long[ell];
    java.util.Arrays.fill(ellSize, 1);
    Map<String, Long> size = new LinkedHashMap<>();
    Map<String, Integer> count = new TreeMap<>();
    for (int k = 0; k < n; k++) {
      List<String> t = c.inputs().get(k);
      long[] sh = c.shapes().get(k);
      int a = 0;
      for (String x : t) {
        if (x.equals(e)) {
          int ek = sh.length - (t.size() - 1);
          for (int j = 0; j < ek; j++) {
            int g = ell - ek + j;
            ellSize[g] = Math.max(ellSize[g], sh[a++]);
          }
        } else {
          size.putIfAbsent(x, sh[a++]);
          count.merge(x, 1, Integer::sum);
        }
      }
    }
    // Convolved indices: holders (operands), their lengths, the crop.
    Map<String, int[]> holders = new LinkedHashMap<>();
    for (String cv : c.convs()) {
      List<Integer> h = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        if (c.inputs().get(k).contains(cv)) {
          h.add(k);
        }
      }
      if (h.size() >= 2) {
        holders.put(cv, h.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    // Variables: ellipsis dims, ordinary names, then one per (conv index, holder).
    List<Long> range = new ArrayList<>();
    for (long s : ellSize) {
      range.add(s);
    }
    Map<String, Integer> var = new LinkedHashMap<>();
    for (Map.Entry<String, Long> s : size.entrySet()) {
      if (!holders.containsKey(s.getKey())) {
        var.put(s.getKey(), range.size());
        range.add(s.getValue());
      }
    }
    Map<String, int[]> tapVar = new LinkedHashMap<>();
    Map<String, int[]> lengths = new LinkedHashMap<>();
    Map<String, Crop> crops = new LinkedHashMap<>();
    Map<String, int[]> sd = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> h : holders.entrySet()) {
      String cv = h.getKey();
      int[] hs = h.getValue();
      int[] vars = new int[hs.length];
      int[] len = new int[hs.length];
      for (int r = 0; r < hs.length; r++) {
        List<String> t = c.inputs().get(hs[r]);
        len[r] = (int) c.shapes().get(hs[r])[axisOf(t, cv, c.shapes().get(hs[r]).length)];
        vars[r] = range.size();
        range.add((long) len[r]);
      }
      Map<String, Object> spec = per.getOrDefault(cv, Map.of());
      int stride = ((Number) spec.getOrDefault("stride", 1)).intValue();
      int dilation = ((Number) spec.getOrDefault("dilation", 1)).intValue();
      Object padding = spec.getOrDefault("padding", "MAX");
      tapVar.put(cv, vars);
      lengths.put(cv, len);
      sd.put(cv, new int[] {stride, dilation, "CIRCULAR".equals(padding) ? 1 : 0});
      crops.put(cv, crop(len, padding, stride, dilation, conv));
    }
    // Output labels.
    List<String> out = c.output();
    if (out == null) {
      out = new ArrayList<>();
      if (ell > 0 || c.inputs().stream().anyMatch(t -> t.contains(e))) {
        out.add(e);
      }
      for (Map.Entry<String, Integer> x : count.entrySet()) { // TreeMap: code point order
        if (x.getValue() == 1 && !c.convs().contains(x.getKey())) {
          out.add(x.getKey());
        }
      }
      out.addAll(c.convs());
    }
    List<Long> outShape = new ArrayList<>();
    for (String x : out) {
      if (x.equals(e)) {
        for (long s : ellSize) {
          outShape.add(s);
        }
      } else if (holders.containsKey(x)) {
        outShape.add((long) crops.get(x).outputLength());
      } else {
        outShape.add(size.get(x));
      }
    }
    long[] shape = outShape.stream().mapToLong(Long::longValue).toArray();
    double[] result = new double[(int) Tensor.elementCount(shape)];
    int vars = range.size();
    long[] value = new long[vars];
    for (long r : range) {
      if (r == 0) {
        return Tensor.wrap(result, shape);
      }
    }
    Map<String, Integer> convOut = new LinkedHashMap<>();
    while (true) {
      boolean kept = true;
      for (String cv : holders.keySet()) {
        int[] tv = tapVar.get(cv);
        int[] len = lengths.get(cv);
        int[] s = sd.get(cv);
        int x = 0;
        for (int r = 0; r < tv.length; r++) {
          int t = (int) value[tv[r]];
          // Step 1: a filter's tap t sits at d*t, reversed (d*(n-1-t)) for cross-correlation.
          x += r == 0 ? t : (conv ? s[1] * t : s[1] * (len[r] - 1 - t));
        }
        Crop cr = crops.get(cv);
        int y = x - cr.offset();
        if (s[2] == 1) {
          y = Math.floorMod(y, cr.length());
        } else if (y < 0 || y >= cr.length()) {
          kept = false;
          break;
        }
        if (y % s[0] != 0) {
          kept = false;
          break;
        }
        convOut.put(cv, y / s[0]);
      }
      if (kept) {
        double p = 1;
        for (int k = 0; k < n; k++) {
          p *= entry(c, k, operands.get(k), value, var, tapVar, holders, ell);
        }
        int off = 0;
        int a = 0;
        for (String x : out) {
          if (x.equals(e)) {
            for (int g = 0; g < ell; g++) {
              off = off * (int) shape[a++] + (int) value[g];
            }
          } else {
            int pos = holders.containsKey(x) ? convOut.get(x) : (int) value[var.get(x)];
            off = off * (int) shape[a++] + pos;
          }
        }
        result[off] += p;
      }
      int v = vars - 1;
      while (v >= 0 && ++value[v] == range.get(v)) {
        value[v--] = 0;
      }
      if (v < 0) {
        break;
      }
    }
    return Tensor.wrap(result, shape);
  }

  private static int axisOf(List<String> t, String name, int rank) {
    int a = 0;
    for (String x : t) {
      if (x.equals(name)) {
        return a;
      }
      a += x.equals(RandomExpressions.ELLIPSIS) ? rank - (t.size() - 1) : 1;
    }
    throw new IllegalStateException(name + " not in " + t);
  }

  private static double entry(RandomExpressions.Case c, int k, Tensor op, long[] value,
      Map<String, Integer> var, Map<String, int[]> tapVar, Map<String, int[]> holders, int ell) {
    List<String> t = c.inputs().get(k);
    long[] sh = c.shapes().get(k);
    long[] idx = new long[sh.length];
    int a = 0;
    for (String x : t) {
      if (x.equals(RandomExpressions.ELLIPSIS)) {
        int ek = sh.length - (t.size() - 1);
        for (int j = 0; j < ek; j++) {
          idx[a] = sh[a] == 1 ? 0 : value[ell - ek + j];
          a++;
        }
      } else if (holders.containsKey(x)) {
        int[] hs = holders.get(x);
        int r = 0;
        while (hs[r] != k) {
          r++;
        }
        idx[a++] = value[tapVar.get(x)[r]];
      } else {
        idx[a++] = value[var.get(x)];
      }
    }
    return op.get(idx);
  }
}
