package io.egressguard.rules;

import io.egressguard.TestMesh;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Resource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EG107 on a waypoint Gateway that is not in the state: said only of a cluster's state (the audit's or the
 * webhook's), where every Gateway is known; manifests may leave the waypoint out (pass-waypoint-not-in-the-manifests).
 */
class WaypointClusterStateTest {

    private static final Path DIR = RuleFixturesTest.ROOT.resolve("EG107");

    /** The fixture's objects as the cluster would give them. */
    private static MeshSnapshot fromCluster(String fixture) throws Exception {
        List<Resource> resources = TestMesh.files(DIR.resolve(fixture)).resources().stream()
                .map(r -> new Resource(r.ref(), r.object(), Resource.Origin.of("cluster"), r.order())).toList();
        return MeshSnapshot.of(MeshSettings.DEFAULT, resources);
    }

    private static List<Finding> eg107(MeshSnapshot s) {
        return TestMesh.check(s).stream().filter(f -> f.code().equals("EG107")).toList();
    }

    @Test
    void missingWaypointIsReportedInAClusterState() throws Exception {
        List<Finding> findings = eg107(fromCluster("pass-waypoint-not-in-the-manifests.yaml"));
        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).message().contains("egress/egress-waypoint") && findings.get(0).message().contains("does not exist"),
                findings.get(0).warningLine());
    }

    @Test
    void missingWaypointIsNotReportedOnManifests() throws Exception {
        assertEquals(List.of(), eg107(TestMesh.files(DIR.resolve("pass-waypoint-not-in-the-manifests.yaml"))));
    }

    @Test
    void existingWaypointIsNotReportedInAClusterState() throws Exception {
        assertEquals(List.of(), eg107(fromCluster("pass-waypoint-admits-all.yaml")));
    }
}
