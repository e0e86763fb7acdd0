package io.vdetach;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
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
                .layer("cli").definedBy("io.vdetach.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("apply").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("evidence").mayOnlyBeAccessedByLayers("apply", "cli")
                .whereLayer("plan").mayOnlyBeAccessedByLayers("evidence", "apply", "cli")
                .whereLayer("host").mayOnlyBeAccessedByLayers("plan", "evidence", "apply", "cli")
                .whereLayer("guestfs").mayOnlyBeAccessedByLayers("host", "plan", "evidence", "apply", "cli")
                .whereLayer("volume").mayOnlyBeAccessedByLayers("guestfs", "host", "plan", "evidence", "apply", "cli")
                .whereLayer("image").mayOnlyBeAccessedByLayers("volume", "guestfs", "host", "plan", "evidence", "apply", "cli")
                .whereLayer("extent").mayOnlyBeAccessedByLayers("image", "volume", "guestfs", "host", "plan", "evidence",
                        "apply", "cli")
                .whereLayer("sys").mayOnlyBeAccessedByLayers("extent", "image", "volume", "guestfs", "host", "plan",
                        "evidence", "apply", "cli")
                .whereLayer("json").mayOnlyBeAccessedByLayers("evidence", "apply", "cli")
                .whereLayer("error").mayOnlyBeAccessedByLayers("sys", "extent", "image", "volume", "guestfs", "host", "plan",
                        "evidence", "apply", "cli")
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
