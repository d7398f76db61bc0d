package dev.conveinsum.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code module-info.java} declares that the architecture rules need: the module's name
 * and its exported packages, each either to everyone or (a qualified export, {@code exports X to
 * Y, Z;}) to the named modules only. Read from the source text so that the rules follow whatever
 * the module declares; {@code opens} is not an export and is ignored.
 *
 * @param name the module's name
 * @param exports every exported package, mapped to the modules it is exported to (empty: to all)
 */
record ModuleExports(String name, Map<String, Set<String>> exports) {

  private static final Pattern MODULE =
      Pattern.compile("\\b(?:open\\s+)?module\\s+([\\w.]+)\\s*\\{");
  private static final Pattern EXPORTS =
      Pattern.compile("\\bexports\\s+([\\w.]+)\\s*(?:to\\s+([\\w.\\s,]+?))?\\s*;");

  ModuleExports {
    exports = Map.copyOf(exports);
  }

  /** Whether {@code pkg} is exported to the module named {@code module} (null: an unnamed one). */
  boolean exportedTo(String pkg, String module) {
    Set<String> to = exports.get(pkg);
    return to != null && (to.isEmpty() || module != null && to.contains(module));
  }

  /**
   * Reads a {@code module-info.java}.
   *
   * @throws AssertionError naming the file when it is missing or declares no module
   */
  static ModuleExports read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("no module-info.java at " + file + ": the architecture rules read"
          + " the module's exported packages from it (issue 11 gives every module one)");
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the module name of a {@code module-info.java}, or null when there is no such file. */
  static String nameOrNull(Path file) {
    return Files.isRegularFile(file) ? read(file).name() : null;
  }

  /**
   * Parses the text of a {@code module-info.java}.
   *
   * @param source the file's text
   * @param origin where it came from, for the error message
   * @throws AssertionError when the text declares no module
   */
  static ModuleExports parse(String source, String origin) {
    String code = withoutComments(source);
    Matcher m = MODULE.matcher(code);
    if (!m.find()) {
      throw new AssertionError(origin + " declares no module");
    }
    Map<String, Set<String>> exports = new LinkedHashMap<>();
    Matcher e = EXPORTS.matcher(code);
    while (e.find()) {
      Set<String> to = e.group(2) == null ? Set.of()
          : Set.copyOf(List.of(e.group(2).trim().split("\\s*,\\s*")));
      exports.put(e.group(1), to);
    }
    return new ModuleExports(m.group(1), exports);
  }

  /** The text with block and line comments replaced by a space (module-info has no strings). */
  private static String withoutComments(String s) {
    return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
  }
}
