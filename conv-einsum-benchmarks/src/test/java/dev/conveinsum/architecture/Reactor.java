package dev.conveinsum.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The modules of this Maven build, read from the parent {@code pom.xml}, so that the architecture
 * test covers every module without a list of its own.
 */
final class Reactor {
  private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

  private Reactor() {}

  /** One module: its directory name (the artifact id) and its directory. */
  record Module(String id, Path dir) {
    /** The directory its main classes are compiled to. */
    Path mainClasses() {
      return dir.resolve("target").resolve("classes");
    }

    /** Its {@code module-info.java}, which may not exist. */
    Path moduleInfo() {
      return dir.resolve("src").resolve("main").resolve("java").resolve("module-info.java");
    }
  }

  /**
   * The modules listed by the nearest {@code pom.xml} above {@code from} that has a {@code
   * <modules>} section.
   */
  static List<Module> modules(Path from) {
    for (Path d = from.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
      Path pom = d.resolve("pom.xml");
      if (!Files.isRegularFile(pom)) {
        continue;
      }
      String text;
      try {
        text = Files.readString(pom);
      } catch (IOException e) {
        throw new AssertionError("cannot read " + pom + ": " + e.getMessage(), e);
      }
      List<Module> modules = new ArrayList<>();
      Matcher m = MODULE.matcher(text.replaceAll("(?s)<!--.*?-->", ""));
      while (m.find()) {
        Path dir = d.resolve(m.group(1)).normalize();
        modules.add(new Module(dir.getFileName().toString(), dir));
      }
      if (!modules.isEmpty()) {
        return modules;
      }
    }
    throw new AssertionError("no parent pom.xml with <modules> above " + from.toAbsolutePath());
  }
}
