package io.egressguard.webhook;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Standalone mode: the cluster state comes from the test's manifest files, no API server. */
public class StandaloneProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("egress-guard.state.dir", "src/test/resources/webhook/state");
    }
}
