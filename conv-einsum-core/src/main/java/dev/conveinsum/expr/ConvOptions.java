package dev.conveinsum.expr;

import dev.conveinsum.ConvEinsumException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one call: the kind (convolution or cross-correlation) and the per-index
 * {@link ConvSpec}s, keyed by index name without parentheses ({@code "t1"} for {@code (t1)}).
 * Indices without an entry take {@link ConvSpec#DEFAULT}.
 *
 * @param kind convolution (default) or cross-correlation
 * @param conv options per convolution index name
 */
public record ConvOptions(ConvKind kind, Map<String, ConvSpec> conv) {

  /** The defaults: CONVOLUTION, every index MAX / stride 1 / dilation 1. */
  public static final ConvOptions DEFAULT = new ConvOptions(ConvKind.CONVOLUTION, Map.of());

  /**
   * Copies the map, keeping its order; a null kind means CONVOLUTION and a null map no per-index
   * options.
   *
   * @throws ConvEinsumException when the map has a null index name or a null spec
   */
  public ConvOptions {
    if (kind == null) {
      kind = ConvKind.CONVOLUTION;
    }
    Map<String, ConvSpec> copy = new LinkedHashMap<>();
    if (conv != null) {
      for (Map.Entry<String, ConvSpec> e : conv.entrySet()) {
        String name = ConvEinsumException.requireNonNull(e.getKey(),
            "an index name in the options");
        copy.put(name, ConvEinsumException.requireNonNull(e.getValue(), "the options of index '"
            + name + "'"));
      }
    }
    conv = java.util.Collections.unmodifiableMap(copy);
  }

  /** Returns the options of the named index, or the defaults. */
  public ConvSpec spec(String indexName) {
    return conv.getOrDefault(indexName, ConvSpec.DEFAULT);
  }

  /** Returns a copy with another kind. */
  public ConvOptions withKind(ConvKind k) {
    return new ConvOptions(k, conv);
  }

  /** Returns a copy where the named index has the given options. */
  public ConvOptions with(String indexName, ConvSpec spec) {
    ConvEinsumException.requireNonNull(indexName, "the index name");
    ConvEinsumException.requireNonNull(spec, "the options of index '" + indexName + "'");
    Map<String, ConvSpec> m = new LinkedHashMap<>(conv);
    m.put(indexName, spec);
    return new ConvOptions(kind, m);
  }

  /**
   * Reads options from the JSON-like form of SPEC section 5, as a JSON library decodes it:
   * {@code {"kind": "CROSS_CORRELATION", "conv": {"h": {"padding": "SAME", "stride": 2}}}}.
   *
   * @param map decoded JSON (maps, lists, strings and numbers); null means the defaults
   * @return the options
   * @throws ConvEinsumException naming the unknown key or bad value
   */
  public static ConvOptions fromMap(Map<String, ?> map) {
    if (map == null) {
      return DEFAULT;
    }
    ConvKind kind = ConvKind.CONVOLUTION;
    Map<String, ConvSpec> specs = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      // Checked at run time: a caller's raw map may hold null or non-string keys.
      if (!(e.getKey() instanceof String key)) {
        throw new ConvEinsumException("option names are strings (\"kind\", \"conv\"); got "
            + shown(e.getKey()));
      }
      switch (key) {
        case "kind" -> kind = kind(e.getValue());
        case "conv" -> {
          if (!(e.getValue() instanceof Map<?, ?> perIndex)) {
            throw new ConvEinsumException("options \"conv\" must be an object of index names,"
                + " got " + e.getValue());
          }
          for (Map.Entry<?, ?> ie : perIndex.entrySet()) {
            if (!(ie.getKey() instanceof String written)) {
              throw new ConvEinsumException("options \"conv\" are keyed by index names; got "
                  + shown(ie.getKey()));
            }
            String name = written;
            if (name.startsWith("(") && name.endsWith(")")) {
              name = name.substring(1, name.length() - 1);
            }
            if (specs.containsKey(name)) {
              throw new ConvEinsumException("options of index '" + name + "' are given twice"
                  + " (as " + name + " and (" + name + "))");
            }
            specs.put(name, spec(name, ie.getValue()));
          }
        }
        default -> throw new ConvEinsumException("unknown option '" + e.getKey()
            + "'; the options are \"kind\" and \"conv\"");
      }
    }
    return new ConvOptions(kind, specs);
  }

  /**
   * Returns the JSON-like form of SPEC section 5, the inverse of {@link #fromMap(Map)}: kind,
   * and for every index with options its padding ({@code "SAME"} or {@code [l, r]}), stride and
   * dilation.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind.name());
    Map<String, Object> perIndex = new LinkedHashMap<>();
    conv.forEach((name, spec) -> {
      Map<String, Object> o = new LinkedHashMap<>();
      Padding p = spec.padding();
      o.put("padding", p.mode() == Padding.Mode.EXPLICIT ? List.of(p.left(), p.right())
          : p.mode().name());
      o.put("stride", spec.stride());
      o.put("dilation", spec.dilation());
      perIndex.put(name, o);
    });
    m.put("conv", perIndex);
    return m;
  }

  private static ConvKind kind(Object v) {
    for (ConvKind k : ConvKind.values()) {
      if (k.name().equalsIgnoreCase(String.valueOf(v))) {
        return k;
      }
    }
    throw new ConvEinsumException("unknown kind '" + v
        + "'; use CONVOLUTION or CROSS_CORRELATION");
  }

  private static ConvSpec spec(String index, Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new ConvEinsumException("options of index '" + index
          + "' must be an object with padding, stride, dilation; got " + v);
    }
    Padding padding = Padding.MAX;
    int stride = 1;
    int dilation = 1;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new ConvEinsumException("options of index '" + index + "' are named padding,"
            + " stride, dilation; got " + shown(e.getKey()));
      }
      Object val = e.getValue();
      switch (key) {
        case "padding" -> padding = padding(index, val);
        case "stride" -> stride = positiveInt(index, "stride", val);
        case "dilation" -> dilation = positiveInt(index, "dilation", val);
        default -> throw new ConvEinsumException("unknown option '" + key + "' for index '"
            + index + "'; use padding, stride, dilation");
      }
    }
    return new ConvSpec(padding, stride, dilation);
  }

  private static Padding padding(String index, Object v) {
    if (v instanceof String s) {
      try {
        return Padding.named(s);
      } catch (ConvEinsumException e) {
        throw new ConvEinsumException("unknown padding mode '" + s + "' for index '" + index
            + "'; use MAX, SAME, FULL, VALID, CIRCULAR or [left, right]");
      }
    }
    if (v instanceof List<?> l && l.size() == 2 && isPadAmount(l.get(0))
        && isPadAmount(l.get(1))) {
      return Padding.explicit(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue());
    }
    throw new ConvEinsumException("padding of index '" + index + "' must be MAX, SAME, FULL,"
        + " VALID, CIRCULAR or two integers >= 0 [left, right]; got " + shown(v));
  }

  private static int positiveInt(String index, String what, Object v) {
    if (isInt(v) && ((Number) v).longValue() >= 1 && ((Number) v).longValue() <= Integer.MAX_VALUE) {
      return ((Number) v).intValue();
    }
    throw new ConvEinsumException(what + " of index '" + index
        + "' must be an integer >= 1; got " + shown(v));
  }

  /** Shows a JSON value as written: strings quoted, so that "2" is not mistaken for 2. */
  private static String shown(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\" (a string)";
    }
    if (v instanceof List<?> l) {
      return l.stream().map(ConvOptions::shown).toList().toString();
    }
    return String.valueOf(v);
  }

  private static boolean isPadAmount(Object v) {
    return isInt(v) && ((Number) v).longValue() >= 0
        && ((Number) v).longValue() <= Integer.MAX_VALUE;
  }

  private static boolean isInt(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return true;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15;
    }
    return false;
  }
}
