package io.egressguard.bench;

import io.egressguard.TestMesh;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A false-positive check at scale: a large correct configuration produces nothing above info. */
class LargeMeshTest {

    @Test
    void largeCorrectConfigurationProducesNothingAboveInfo() {
        int namespaces = Integer.getInteger("egressguard.largeNamespaces", 300);
        MeshSnapshot s = TestMesh.yaml(LargeMesh.text(namespaces));
        assertEquals(namespaces * 6 + 6, s.size());
        List<Finding> findings = TestMesh.check(s);
        assertEquals(List.of(), findings.stream().filter(f -> f.severity() != Severity.INFO).limit(5)
                .map(Finding::warningLine).toList());
    }
}
