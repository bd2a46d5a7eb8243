package io.egressguard;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds snapshots from YAML text or files for tests. */
public final class TestMesh {

    private TestMesh() {
    }

    public static MeshSnapshot yaml(String... documents) {
        ManifestReader reader = new ManifestReader("default");
        try {
            for (String d : documents) {
                reader.read("test.yaml", d);
            }
        } catch (InputException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return MeshSnapshot.of(MeshSettings.DEFAULT, reader.result().resources());
    }

    public static MeshSnapshot files(Path... paths) throws InputException {
        ManifestReader reader = new ManifestReader("default");
        for (Path p : paths) {
            reader.read(p);
        }
        return MeshSnapshot.of(MeshSettings.DEFAULT, reader.result().resources());
    }

    public static List<Finding> check(MeshSnapshot s) {
        return new Engine(EngineConfig.defaults()).check(s);
    }

    /** Every rule, the audit-only ones (EG9xx) included. */
    public static List<Finding> audit(MeshSnapshot s) {
        return new Engine(EngineConfig.defaults().withAuditRules()).check(s);
    }

    /**
     * The directory of Istio's own egress configurations. They are Istio's data, kept beside the repository
     * ({@code ../shared/corpus/istio-docs}), not in it: a test that reads them is skipped where they are absent
     * (see {@link Prerequisites}).
     */
    public static Path corpus() {
        Path corpus = corpusLocation();
        Prerequisites.require(Files.isDirectory(corpus), "Istio's egress configurations are not at "
                + corpus.toAbsolutePath().normalize() + " (they are kept beside the repository, in ../shared/corpus/istio-docs)");
        return corpus;
    }

    /** Where Istio's configurations are looked for; {@link #corpus()} also requires them to be there. */
    public static Path corpusLocation() {
        return Path.of("..", "shared", "corpus", "istio-docs");
    }

    /** The managedFields the API server keeps on an object that {@code kubectl apply} set the spec of. */
    public static List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry> managedFieldsOfKubectlApply() {
        return List.of(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                .withManager("kubectl-client-side-apply").withOperation("Update").withFieldsType("FieldsV1")
                .withNewFieldsV1().addToAdditionalProperties("f:spec", java.util.Map.of()).endFieldsV1().build());
    }
}
