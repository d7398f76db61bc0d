package dev.conveinsum.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index structure of one layer's tensor network: the labels of the input, output and every
 * factor, and the size of each non-convolution label. Package-private; {@link LayerSpec} exposes
 * it as an expression and shapes.
 *
 * <p>Labels are index names. Order M at most 3 uses the letters of the paper's code (input
 * channels {@code i j k}, output channels {@code x y z}, ranks {@code p q u}, the tap rank of RTK
 * {@code v}, the ring rank {@code a}); higher orders use named indices {@code (s1)}, {@code (t1)},
 * {@code (r1)}, {@code (r0)}.
 */
final class Network {
  final List<String> inputLabels;
  final List<String> outputLabels;
  final List<String> tLabels;
  final List<String> sLabels;
  final List<List<String>> factorLabels;
  final Map<String, Integer> sizes;

  private Network(List<String> tLabels, List<String> sLabels, List<List<String>> factorLabels,
      Map<String, Integer> sizes) {
    this.tLabels = List.copyOf(tLabels);
    this.sLabels = List.copyOf(sLabels);
    this.factorLabels = List.copyOf(factorLabels);
    this.sizes = Map.copyOf(sizes);
    List<String> in = new ArrayList<>();
    in.add("b");
    in.addAll(sLabels);
    in.add("h");
    in.add("w");
    List<String> out = new ArrayList<>();
    out.add("b");
    out.addAll(tLabels);
    out.add("h");
    out.add("w");
    this.inputLabels = List.copyOf(in);
    this.outputLabels = List.copyOf(out);
  }

  static String token(String label) {
    return label.length() == 1 ? label : "(" + label + ")";
  }

  static String term(List<String> labels) {
    StringBuilder sb = new StringBuilder();
    labels.forEach(l -> sb.append(token(l)));
    return sb.toString();
  }

  /** The full layer expression, input first. */
  String expression() {
    StringBuilder sb = new StringBuilder(term(inputLabels));
    for (List<String> f : factorLabels) {
      sb.append(',').append(term(f));
    }
    return sb.append("->").append(term(outputLabels)).append("|hw").toString();
  }

  /** The labels of the dense kernel, as the factors produce it: t labels, s labels, h, w. */
  List<String> kernelLabels() {
    List<String> l = new ArrayList<>(tLabels);
    l.addAll(sLabels);
    l.add("h");
    l.add("w");
    return l;
  }

  List<long[]> factorShapes() {
    List<long[]> shapes = new ArrayList<>();
    for (List<String> f : factorLabels) {
      long[] s = new long[f.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = sizes.get(f.get(i));
      }
      shapes.add(s);
    }
    return shapes;
  }

  static Network of(Decomposition d, int order, List<Integer> ranks, List<Integer> tFactors,
      List<Integer> sFactors, int kernel) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    sizes.put("h", kernel);
    sizes.put("w", kernel);
    List<String> t = new ArrayList<>();
    List<String> s = new ArrayList<>();
    List<List<String>> f = new ArrayList<>();
    if (!d.isReshaped()) {
      t.add("t");
      s.add("s");
      sizes.put("t", tFactors.get(0));
      sizes.put("s", sFactors.get(0));
    } else {
      boolean letters = order <= 3;
      for (int m = 0; m < order; m++) {
        String tl = letters ? String.valueOf("xyz".charAt(m)) : "t" + (m + 1);
        String sl = letters ? String.valueOf("ijk".charAt(m)) : "s" + (m + 1);
        t.add(tl);
        s.add(sl);
        sizes.put(tl, tFactors.get(m));
        sizes.put(sl, sFactors.get(m));
      }
    }
    boolean letters = !d.isReshaped() || order <= 3;
    // rank labels: r_i for i >= 1 are p, q, u; r0 is v (RTK) or a (TR, RTR)
    java.util.function.IntFunction<String> rank = i -> {
      if (!letters) {
        return "r" + i;
      }
      if (i == 0) {
        return d == Decomposition.RTK ? "v" : "a";
      }
      return String.valueOf("pqu".charAt(i - 1));
    };
    switch (d) {
      case DENSE -> f.add(List.of("t", "s", "h", "w"));
      case CP -> {
        sizes.put("r", ranks.get(0));
        f.add(List.of("r", "t"));
        f.add(List.of("r", "s"));
        f.add(List.of("r", "h"));
        f.add(List.of("r", "w"));
      }
      case RCP -> {
        sizes.put("r", ranks.get(0));
        for (int m = 0; m < order; m++) {
          f.add(List.of("r", t.get(m), s.get(m)));
        }
        f.add(List.of("r", "h", "w"));
      }
      case TK -> {
        String p = rank.apply(1);
        String q = rank.apply(2);
        sizes.put(p, ranks.get(0));
        sizes.put(q, ranks.get(1));
        f.add(List.of(p, "t"));
        f.add(List.of(q, "s"));
        f.add(List.of(p, q, "h", "w"));
      }
      case RTK -> {
        for (int i = 0; i <= order; i++) {
          sizes.put(rank.apply(i), ranks.get(i));
        }
        for (int m = 0; m < order; m++) {
          f.add(List.of(rank.apply(m + 1), t.get(m), s.get(m)));
        }
        f.add(List.of(rank.apply(0), "h", "w"));
        List<String> core = new ArrayList<>();
        for (int i = 0; i <= order; i++) {
          core.add(rank.apply(i));
        }
        f.add(core);
      }
      case TT -> {
        for (int i = 1; i <= 3; i++) {
          sizes.put(rank.apply(i), ranks.get(i - 1));
        }
        f.add(List.of(rank.apply(1), "t"));
        f.add(List.of(rank.apply(1), rank.apply(2), "h"));
        f.add(List.of(rank.apply(2), rank.apply(3), "w"));
        f.add(List.of(rank.apply(3), "s"));
      }
      case RTT -> {
        for (int i = 1; i <= order; i++) {
          sizes.put(rank.apply(i), ranks.get(i - 1));
        }
        for (int m = 0; m < order; m++) {
          List<String> core = new ArrayList<>();
          if (m > 0) {
            core.add(rank.apply(m));
          }
          core.add(rank.apply(m + 1));
          core.add(t.get(m));
          core.add(s.get(m));
          f.add(core);
        }
        f.add(List.of(rank.apply(order), "h", "w"));
      }
      case TR -> {
        for (int i = 0; i <= 3; i++) {
          sizes.put(rank.apply(i), ranks.get(i));
        }
        f.add(List.of(rank.apply(0), rank.apply(1), "t"));
        f.add(List.of(rank.apply(1), rank.apply(2), "h"));
        f.add(List.of(rank.apply(2), rank.apply(3), "w"));
        f.add(List.of(rank.apply(3), rank.apply(0), "s"));
      }
      case RTR -> {
        for (int i = 0; i <= order; i++) {
          sizes.put(rank.apply(i), ranks.get(i));
        }
        for (int m = 0; m < order; m++) {
          f.add(List.of(rank.apply(m), rank.apply(m + 1), t.get(m), s.get(m)));
        }
        f.add(List.of(rank.apply(order), rank.apply(0), "h", "w"));
      }
      default -> throw new IllegalStateException(d.name());
    }
    return new Network(t, s, f, sizes);
  }
}
