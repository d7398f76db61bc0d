package dev.conveinsum.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Map;

/**
 * The layering rules of issue 11 as ArchUnit rules, parameterised by what they must not hard-code
 * (which module each class belongs to, what core exports) so that {@link ArchitectureTest} applies
 * them to the build and {@link ArchitectureRulesTest} to a fixture with known violations. Package
 * rules use ArchUnit's {@code ..x..} patterns, which match the segment wherever a package moves.
 */
final class ArchitectureRules {
  private ArchitectureRules() {}

  /**
   * Classes outside the core module use only packages that core exports to their module.
   *
   * @param moduleOf the module of every class of the build, by class name (absent: a library)
   * @param core the core module's key in {@code moduleOf}
   * @param moduleNames the JPMS name of each module key (absent or null: no module-info)
   * @param coreExports what core's module-info exports
   */
  static ArchRule onlyCoreExports(Map<String, String> moduleOf, String core,
      Map<String, String> moduleNames, ModuleExports coreExports) {
    DescribedPredicate<JavaClass> outsideCore = DescribedPredicate.describe(
        "are in a module of the build other than " + core,
        c -> moduleOf.containsKey(c.getName()) && !core.equals(moduleOf.get(c.getName())));
    ArchCondition<JavaClass> exportedOnly = new ArchCondition<>(
        "use only packages that " + core + " exports to their module") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        String module = moduleOf.get(c.getName());
        String name = moduleNames.get(module);
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
          JavaClass target = d.getTargetClass().getBaseComponentType();
          if (core.equals(moduleOf.get(target.getName()))
              && !coreExports.exportedTo(target.getPackageName(), name)) {
            events.add(SimpleConditionEvent.violated(d, module + ": " + d.getDescription()
                + " -- package " + target.getPackageName() + " is not exported to "
                + (name == null ? "an unnamed module" : name)));
          }
        }
      }
    };
    return classes().that(outsideCore).should(exportedOnly);
  }

  /** The generic executor ({@code ..exec..}) never uses an engine implementation. */
  static ArchRule execUsesNoEngineImplementation() {
    return noClasses().that().resideInAPackage("..exec..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("..engine.cpu..", "..engine.reference..")
        .because("the executor reaches engines only through the Engine SPI (issue 11)");
  }

  /** Engines ({@code ..engine..}) know nothing of planning or of the executor. */
  static ArchRule engineUsesNoPlannerOrExecutor() {
    return noClasses().that().resideInAPackage("..engine..")
        .should().dependOnClassesThat().resideInAnyPackage("..plan..", "..exec..")
        .because("engines run single problems; plans are lowered to them, not read by them");
  }
}
