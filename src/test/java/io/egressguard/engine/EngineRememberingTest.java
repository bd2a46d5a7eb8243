package io.egressguard.engine;

import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the webhook remembers of the state before a change gives exactly what checking it again gives, for that
 * state only: a state derived from it (another object deleted) is checked afresh.
 */
class EngineRememberingTest {

    private static final Engine ENGINE = new Engine(EngineConfig.defaults());

    @Test
    void rememberedFindingsAreThoseOfTheSnapshotTheyWereFoundIn() throws Exception {
        List<Path> fixtures;
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/rules"))) {
            fixtures = files.filter(p -> p.getFileName().toString().startsWith("fail-")).sorted().toList();
        }
        int withFindings = 0;
        for (Path fixture : fixtures) {
            List<Resource> resources = new ManifestReader("default").read(fixture).result().resources();
            MeshSnapshot state = MeshSnapshot.of(MeshSettings.DEFAULT, resources);
            List<ObjectRef> refs = resources.stream().map(Resource::ref).toList();
            List<Finding> expected = ENGINE.check(state, refs);
            assertEquals(expected, ENGINE.checkRemembering(state, refs), fixture + ": first check");
            assertEquals(expected, ENGINE.checkRemembering(state, refs), fixture + ": remembered");
            if (expected.isEmpty()) {
                continue;
            }
            withFindings++;
            MeshSnapshot derived = state.without(expected.get(0).object());
            assertEquals(ENGINE.check(derived, refs), ENGINE.checkRemembering(derived, refs), fixture + ": derived state");
            assertEquals(expected, ENGINE.checkRemembering(state, refs), fixture + ": the first state again");
        }
        assertTrue(withFindings > 50, "fixtures with findings: " + withFindings);
    }
}
