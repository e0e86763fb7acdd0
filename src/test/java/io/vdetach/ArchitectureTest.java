package io.vdetach;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package tree is the data flow (STYLE.md): a lower layer never imports a higher one, FFM
 * stays in sys, and cli only parses and renders. Fails the build when the shape drifts.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vdetach");
    }

    /**
     * api (the library) is above apply and below cli, its first client; nio (the file system
     * provider) is built on api alone, and nothing is built on nio.
     */
    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("error").definedBy("io.vdetach.error..")
                .layer("json").definedBy("io.vdetach.json..")
                .layer("sys").definedBy("io.vdetach.sys..")
                .layer("extent").definedBy("io.vdetach.extent..")
                .layer("image").definedBy("io.vdetach.image..")
                .layer("volume").definedBy("io.vdetach.volume..")
                .layer("guestfs").definedBy("io.vdetach.guestfs..")
                .layer("host").definedBy("io.vdetach.host..")
                .layer("plan").definedBy("io.vdetach.plan..")
                .layer("evidence").definedBy("io.vdetach.evidence..")
                .layer("apply").definedBy("io.vdetach.apply..")
                .layer("api").definedBy("io.vdetach.api..")
                .layer("nio").definedBy("io.vdetach.nio..")
                .layer("cli").definedBy("io.vdetach.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("nio").mayNotBeAccessedByAnyLayer()
                .whereLayer("api").mayOnlyBeAccessedByLayers("nio", "cli")
                .whereLayer("apply").mayOnlyBeAccessedByLayers("api", "cli")
                .whereLayer("evidence").mayOnlyBeAccessedByLayers("apply", "api", "cli")
                .whereLayer("plan").mayOnlyBeAccessedByLayers("evidence", "apply", "api", "cli")
                .whereLayer("host").mayOnlyBeAccessedByLayers("plan", "evidence", "apply", "api", "cli")
                .whereLayer("guestfs").mayOnlyBeAccessedByLayers("host", "plan", "evidence", "apply", "api", "cli")
                .whereLayer("volume").mayOnlyBeAccessedByLayers("guestfs", "host", "plan", "evidence", "apply", "api", "cli")
                .whereLayer("image").mayOnlyBeAccessedByLayers("volume", "guestfs", "host", "plan", "evidence", "apply", "api",
                        "cli")
                .whereLayer("extent").mayOnlyBeAccessedByLayers("image", "volume", "guestfs", "host", "plan", "evidence",
                        "apply", "api", "cli")
                .whereLayer("sys").mayOnlyBeAccessedByLayers("extent", "image", "volume", "guestfs", "host", "plan",
                        "evidence", "apply", "api", "cli")
                .whereLayer("json").mayOnlyBeAccessedByLayers("evidence", "apply", "api", "cli")
                .whereLayer("error").mayOnlyBeAccessedByLayers("sys", "extent", "image", "volume", "guestfs", "host", "plan",
                        "evidence", "apply", "api", "cli")
                .check(classes);
    }

    @Test
    void theExportedPackagesShowNoInternalTypes() {
        // a public or protected member of api or nio may only name JDK types and types of api/nio:
        // a program compiled against the exported packages alone must be able to call all of it
        ArchRuleDefinition.methods()
                .that().areDeclaredInClassesThat().resideInAnyPackage("io.vdetach.api..", "io.vdetach.nio..")
                .and().areDeclaredInClassesThat().arePublic().and().arePublic()
                .should(new ArchCondition<JavaMethod>("name only exported types") {
                    @Override
                    public void check(JavaMethod m, ConditionEvents events) {
                        List<JavaClass> types = new ArrayList<>(m.getRawParameterTypes());
                        types.add(m.getRawReturnType());
                        for (JavaClass t : types) {
                            String pkg = t.getPackageName();
                            if (pkg.startsWith("io.vdetach.") && !pkg.equals("io.vdetach.api") && !pkg.equals("io.vdetach.nio")) {
                                events.add(SimpleConditionEvent.violated(m, m.getFullName() + " names " + t.getName()));
                            }
                        }
                    }
                })
                .check(classes);
    }

    @Test
    void onlySysTouchesTheForeignFunctionApi() {
        noClasses().that().resideOutsideOfPackage("io.vdetach.sys..")
                .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
                .because("FFM stays in sys: callers see plain Java methods and typed errors")
                .check(classes);
    }

    @Test
    void cliOnlyParsesAndRenders() {
        noClasses().that().resideInAPackage("io.vdetach.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.vdetach.sys..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.nio.channels.FileChannel")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
                .because("cli turns options into a request and a report into text or JSON; apply does the work")
                .check(classes);
    }
}
