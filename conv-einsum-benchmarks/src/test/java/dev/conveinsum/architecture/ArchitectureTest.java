package dev.conveinsum.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the layering of the whole build (issue 11) on the main classes of every module: modules
 * other than core use only the packages core's {@code module-info.java} exports to them, the
 * executor uses no engine implementation, and engines use neither the planner nor the executor.
 *
 * <p>It lives in the benchmarks module, whose tests are built after every other module (the CLI
 * is a test dependency for that reason), and reads the module list from the parent POM and the
 * exports from core's {@code module-info.java} (or the file named by the system property {@value
 * #CORE_MODULE_INFO}), so that moving packages needs no edit here.
 */
class ArchitectureTest {
  /** The module whose exports the other modules must respect. */
  static final String CORE = "conv-einsum-core";

  /** A system property naming another core module-info to check against (for trying one out). */
  static final String CORE_MODULE_INFO = "architecture.coreModuleInfo";


  private static List<Reactor.Module> modules;
  private static JavaClasses classes;
  private static Map<String, String> moduleOf;

  @BeforeAll
  static void importMainClasses() {
    modules = Reactor.modules(Path.of(System.getProperty("basedir", ".")));
    List<Path> dirs = new ArrayList<>();
    for (Reactor.Module m : modules) {
      dirs.add(m.mainClasses());
    }
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPaths(dirs);
    moduleOf = moduleOf(classes, modules);
  }

  /**
   * The module key of every class that lies under one module's main classes. Classes found
   * elsewhere are left out here and reported by {@link #mainOnlyProblems}.
   */
  static Map<String, String> moduleOf(JavaClasses classes, List<Reactor.Module> modules) {
    Map<String, String> out = new HashMap<>();
    for (JavaClass c : classes) {
      Path file = location(c);
      for (Reactor.Module m : modules) {
        if (file != null && file.startsWith(m.mainClasses())) {
          out.put(c.getName(), m.id());
        }
      }
    }
    return out;
  }

  /**
   * What is wrong with a set of classes meant to be the build's main classes: a class not under
   * any module's {@code target/classes} (a test class, a jar), or a module with no class at all
   * (not built, or not on the list this test reads).
   */
  static List<String> mainOnlyProblems(JavaClasses classes, List<Reactor.Module> modules) {
    Map<String, String> owner = moduleOf(classes, modules);
    List<String> problems = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>(owner.values());
    for (JavaClass c : classes) {
      if (!owner.containsKey(c.getName())) {
        problems.add(c.getName() + " is not a main class of any module: " + location(c));
      }
    }
    for (Reactor.Module m : modules) {
      if (!seen.contains(m.id())) {
        problems.add(m.id() + " contributed no main class (is " + m.mainClasses() + " built?)");
      }
    }
    return problems;
  }

  private static Path location(JavaClass c) {
    return c.getSource()
        .filter(s -> "file".equals(s.getUri().getScheme()))
        .map(s -> Path.of(s.getUri()).toAbsolutePath().normalize())
        .orElse(null);
  }

  @Test
  void inspectsTheMainClassesOfEveryModuleOnly() {
    assertEquals(List.of(), mainOnlyProblems(classes, modules));
  }

  @Test
  void otherModulesUseOnlyWhatCoreExports() {
    Reactor.Module core = modules.stream().filter(m -> m.id().equals(CORE)).findFirst()
        .orElseThrow(() -> new AssertionError("no module " + CORE + " in the parent POM"));
    String override = System.getProperty(CORE_MODULE_INFO);
    ModuleExports exports =
        ModuleExports.read(override != null ? Path.of(override) : core.moduleInfo());
    Map<String, String> names = new HashMap<>();
    for (Reactor.Module m : modules) {
      names.put(m.id(), ModuleExports.nameOrNull(m.moduleInfo()));
    }
    ArchitectureRules.onlyCoreExports(moduleOf, CORE, names, exports).check(classes);
  }

  @Test
  void executorUsesNoEngineImplementation() {
    ArchitectureRules.execUsesNoEngineImplementation().check(classes);
  }

  @Test
  void enginesUseNeitherPlannerNorExecutor() {
    ArchitectureRules.engineUsesNoPlannerOrExecutor().check(classes);
  }
}
