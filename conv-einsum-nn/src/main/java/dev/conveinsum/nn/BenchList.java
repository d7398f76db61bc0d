package dev.conveinsum.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Generates benchmark layer lists: the entries of {@code bench/tnn_layers.json} from
 * {@link LayerSpec}s, and their JSON text.
 */
public final class BenchList {
  private BenchList() {}

  /** The description line of the ResNet-34 / CIFAR-10 list. */
  public static final String RESNET34_CIFAR_DESCRIPTION = "Tensorial conv layers of a ResNet-34"
      + " on 32x32 inputs (CIFAR-10 shapes), 3x3 kernels, batch 128, for the eight"
      + " decompositions of the paper at compression rates 1..100%. Operand 0 is the input X; the"
      + " rest are the kernel factors. Reshaped variants use order M=3 with the channel"
      + " factorizations of the paper's code (64=4x4x4, 128=4x4x8, 256=4x8x8, 512=8x8x8). Ranks"
      + " follow the paper's code where it defines a rule (TK and RTK: the largest equal rank"
      + " whose parameter count stays within the rate).";

  /** The compression rates of the ResNet-34 / CIFAR-10 list. */
  public static final List<Double> RATES = List.of(0.01, 0.05, 0.1, 0.2, 0.5, 1.0);

  /** The eight tensorial decompositions, in the list's order. */
  public static final List<Decomposition> TENSORIAL = List.of(Decomposition.CP,
      Decomposition.RCP, Decomposition.TK, Decomposition.RTK, Decomposition.TT,
      Decomposition.RTT, Decomposition.TR, Decomposition.RTR);

  /**
   * Returns the 192 entries of the ResNet-34 / CIFAR-10 list: for each decomposition, the four
   * stages (64 channels at 32x32, 128 at 16x16, 256 at 8x8, 512 at 4x4), 3x3 kernels, batch 128,
   * and each rate of {@link #RATES}; named {@code DECOMP-stageN-crXXX} with the rate in percent.
   */
  public static List<BenchEntry> resnet34Cifar() {
    int[] channels = {64, 128, 256, 512};
    int[] size = {32, 16, 8, 4};
    List<BenchEntry> out = new ArrayList<>();
    for (Decomposition d : TENSORIAL) {
      for (int st = 0; st < 4; st++) {
        for (double rate : RATES) {
          LayerSpec spec = LayerSpec.builder().setInChannels(channels[st])
              .setOutChannels(channels[st]).setKernelSize(3).setDecomposition(d)
              .optCompressionRate(rate).build();
          String name = String.format(Locale.ROOT, "%s-stage%d-cr%03d", d, st + 1,
              Math.round(rate * 100));
          out.add(new BenchEntry(name, "stage" + (st + 1), spec, 128, size[st], size[st]));
        }
      }
    }
    return out;
  }

  /**
   * Returns the list as a JSON document, {@code {"description": ..., "layers": [...]}}, laid out
   * as Python's {@code json.dump(obj, f, indent=1)} writes it (the form of the checked-in file).
   */
  public static String toJson(String description, List<BenchEntry> entries) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("description", description);
    List<Object> layers = new ArrayList<>();
    entries.forEach(e -> layers.add(e.toMap()));
    doc.put("layers", layers);
    StringBuilder sb = new StringBuilder();
    write(sb, doc, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int depth) {
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "\n" : ",\n");
        first = false;
        indent(sb, depth + 1);
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), depth + 1);
      }
      sb.append("\n");
      indent(sb, depth);
      sb.append("}");
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append("[");
      boolean first = true;
      for (Object x : l) {
        sb.append(first ? "\n" : ",\n");
        first = false;
        indent(sb, depth + 1);
        write(sb, x, depth + 1);
      }
      sb.append("\n");
      indent(sb, depth);
      sb.append("]");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Double d) {
      sb.append(number(d));
    } else {
      sb.append(v);
    }
  }

  private static void indent(StringBuilder sb, int depth) {
    sb.append(" ".repeat(depth));
  }

  /** Python's repr of a float for the values a list holds (plain decimals). */
  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return Double.toString(d);
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
