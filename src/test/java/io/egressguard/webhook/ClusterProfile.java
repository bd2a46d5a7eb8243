package io.egressguard.webhook;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Cluster mode against the fabric8 mock API server: fast rebuilds and CRD re-checks for the tests. */
public class ClusterProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("egress-guard.state.rebuild-delay", "20ms", "egress-guard.state.crd-recheck", "1s",
                "egress-guard.audit.interval", "500ms", "egress-guard.management.topology", "open");
    }
}
