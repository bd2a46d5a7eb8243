package io.egressguard;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend one way: values and Istio's name rules at the bottom, then the proxy model built from
 * them, the rules that read the model, the engine that runs the rules, the reports and the tracer, and the
 * faces (webhook, command line, audit) on top. No package cycles.
 */
class ArchitectureTest {

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.egressguard");

    @Test
    void layersDependOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("model").definedBy("io.egressguard.model..")
                .layer("istio").definedBy("io.egressguard.istio..")
                .layer("load").definedBy("io.egressguard.load..")
                .layer("mesh").definedBy("io.egressguard.mesh..")
                .layer("rules").definedBy("io.egressguard.rules..")
                .layer("engine").definedBy("io.egressguard.engine..")
                .layer("report").definedBy("io.egressguard.report..", "io.egressguard.explain..")
                .layer("faces").definedBy("io.egressguard.webhook..", "io.egressguard.cli..", "io.egressguard.audit..",
                        "io.egressguard")
                .whereLayer("faces").mayNotBeAccessedByAnyLayer()
                .whereLayer("report").mayOnlyBeAccessedByLayers("faces")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("report", "faces")
                .whereLayer("rules").mayOnlyBeAccessedByLayers("engine", "report", "faces")
                .whereLayer("mesh").mayOnlyBeAccessedByLayers("rules", "engine", "report", "faces")
                .whereLayer("load").mayOnlyBeAccessedByLayers("faces")
                .whereLayer("istio").mayOnlyBeAccessedByLayers("mesh", "rules", "engine", "report", "faces")
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.egressguard.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
