package io.egressguard.webhook;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Standalone mode: the cluster state comes from the test's manifest files, no API server. */
public class StandaloneProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // The topology endpoints open: these tests read them without tokens (ManagementAccessTest checks tokens).
        return Map.of("egress-guard.state.dir", "src/test/resources/webhook/state", "egress-guard.management.topology", "open");
    }
}
