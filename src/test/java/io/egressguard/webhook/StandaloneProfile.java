package io.egressguard.webhook;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Standalone mode: the cluster state comes from the test's manifest files, no API server. */
public class StandaloneProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // The topology endpoints open: these tests read them without tokens (ManagementAccessTest checks tokens).
        // A header deadline of 2 s, so that the test of a slowly sent header is short.
        return Map.of("egress-guard.state.dir", "src/test/resources/webhook/state", "egress-guard.management.topology", "open",
                "egress-guard.header-timeout", "2s");
    }
}
