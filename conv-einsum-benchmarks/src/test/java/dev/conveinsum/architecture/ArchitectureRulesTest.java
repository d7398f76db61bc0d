package dev.conveinsum.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The architecture rules and their inputs, tested on a fixture with seeded violations
 * ({@code dev.conveinsum.architecture.fixture}) and a sample module-info: each rule reports
 * exactly the seeded violations, follows what the module-info exports, and the house test's
 * main-classes check rejects test classes.
 */
class ArchitectureRulesTest {
  private static final String FIXTURE = "dev.conveinsum.architecture.fixture";
  private static final String API = FIXTURE + ".core.api";
  private static final String SHARED = FIXTURE + ".core.shared";
  private static final String INTERNAL = FIXTURE + ".core.internal";

  private static JavaClasses fixture;
  private static Map<String, String> moduleOf;
  /** The fixture's consumer modules: cli has a module-info, nn has none. */
  private static final Map<String, String> NAMES = new HashMap<>(Map.of("cli", "fixture.cli"));

  @BeforeAll
  static void importFixture() throws URISyntaxException {
    // By path, not by package: a test run on the module path hides packages from class loaders.
    Path here = Path.of(ArchitectureRulesTest.class.getResource(
        ArchitectureRulesTest.class.getSimpleName() + ".class").toURI()).getParent();
    Path dir = here.resolve("fixture");
    fixture = new ClassFileImporter().importPath(dir);
    for (String c : List.of("cli.GoodCli", "nn.BadNn", "nn.FriendUser", "exec.LeakyStep",
        "engine.PlanAwareProblem")) {
      assertTrue(fixture.contain(FIXTURE + "." + c), c + " not found under " + dir);
    }
    moduleOf = new HashMap<>();
    for (JavaClass c : fixture) {
      String rest = c.getPackageName().substring(FIXTURE.length());
      moduleOf.put(c.getName(), rest.startsWith(".cli") ? "cli"
          : rest.startsWith(".nn") ? "nn" : "core");
    }
  }

  private static ModuleExports sample() throws IOException {
    try (InputStream in = ArchitectureRulesTest.class.getResourceAsStream(
        "/architecture/fixture-core-module-info.java.txt")) {
      return ModuleExports.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "sample");
    }
  }

  private static List<String> violations(ArchRule rule) {
    EvaluationResult r = rule.evaluate(fixture);
    return r.getFailureReport().getDetails();
  }

  @Test
  void parsesExportsQualifiedExportsAndIgnoresCommentsAndOpens() throws IOException {
    ModuleExports m = sample();
    assertEquals("fixture.core", m.name());
    assertEquals(Map.of(API, Set.of(), SHARED, Set.of("fixture.cli", "fixture.djl")),
        m.exports());
    assertTrue(m.exportedTo(API, null));
    assertTrue(m.exportedTo(SHARED, "fixture.cli"));
    assertFalse(m.exportedTo(SHARED, "fixture.nn"));
    assertFalse(m.exportedTo(SHARED, null));
    assertFalse(m.exportedTo(INTERNAL, "fixture.cli"));
  }

  @Test
  void missingModuleInfoFailsNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("module-info.java");
    AssertionError e = assertThrows(AssertionError.class, () -> ModuleExports.read(missing));
    assertTrue(e.getMessage().startsWith("no module-info.java at " + missing), e.getMessage());
    assertEquals(null, ModuleExports.nameOrNull(missing));
  }

  @Test
  void textWithoutModuleDeclarationIsRejected(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("module-info.java"), "// module a.b {\n");
    AssertionError e = assertThrows(AssertionError.class, () -> ModuleExports.read(file));
    assertEquals(file + " declares no module", e.getMessage());
  }

  @Test
  void unexportedAndForeignQualifiedPackagesAreViolations() throws IOException {
    List<String> v = violations(ArchitectureRules.onlyCoreExports(moduleOf, "core", NAMES,
        sample()));
    assertFalse(v.isEmpty());
    assertTrue(v.stream().allMatch(s -> s.startsWith("nn: ")), v::toString);
    assertTrue(v.stream().anyMatch(s -> s.contains("BadNn") && s.contains("Hidden")
        && s.contains("package " + INTERNAL + " is not exported to an unnamed module")),
        v::toString);
    assertTrue(v.stream().anyMatch(s -> s.contains("FriendUser") && s.contains("Friend")
        && s.contains("package " + SHARED + " is not exported")), v::toString);
    assertTrue(v.stream().noneMatch(s -> s.contains("GoodCli") || s.contains(API + ".Api")),
        v::toString);
  }

  @Test
  void theRuleFollowsTheModuleInfo() {
    ModuleExports all = ModuleExports.parse("module fixture.core { exports " + API + "; exports "
        + SHARED + "; exports " + INTERNAL + "; }", "all");
    assertEquals(List.of(),
        violations(ArchitectureRules.onlyCoreExports(moduleOf, "core", NAMES, all)));
    NAMES.put("nn", "fixture.nn");
    try {
      ModuleExports toNn = ModuleExports.parse("module fixture.core { exports " + API
          + "; exports " + SHARED + " to fixture.cli, fixture.nn; exports " + INTERNAL
          + " to fixture.nn; }", "qualified");
      assertEquals(List.of(),
          violations(ArchitectureRules.onlyCoreExports(moduleOf, "core", NAMES, toNn)));
    } finally {
      NAMES.remove("nn");
    }
  }

  @Test
  void executorCallingAnEngineImplementationIsAViolation() {
    List<String> v = violations(ArchitectureRules.execUsesNoEngineImplementation());
    assertFalse(v.isEmpty());
    assertTrue(v.stream().allMatch(s -> s.contains(FIXTURE + ".exec.LeakyStep")
        && s.contains(FIXTURE + ".engine.cpu.FixtureKernel")), v::toString);
  }

  @Test
  void engineReadingAPlanIsAViolation() {
    List<String> v = violations(ArchitectureRules.engineUsesNoPlannerOrExecutor());
    assertFalse(v.isEmpty());
    assertTrue(v.stream().allMatch(s -> s.contains(FIXTURE + ".engine.PlanAwareProblem")
        && s.contains(FIXTURE + ".plan.FixturePlan")), v::toString);
  }

  @Test
  void testClassesAreNotMainClasses() {
    List<Reactor.Module> modules =
        Reactor.modules(Path.of(System.getProperty("basedir", ".")));
    List<String> problems = ArchitectureTest.mainOnlyProblems(fixture, modules);
    assertTrue(problems.stream().anyMatch(s -> s.startsWith(FIXTURE + ".nn.BadNn is not a main"
        + " class of any module: ") && s.contains("test-classes")), problems::toString);
    // and no module contributed a main class to the fixture
    assertEquals(modules.size(),
        problems.stream().filter(s -> s.contains("contributed no main class")).count());
  }
}
