package io.egressguard.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the cluster state is synced: the webhook never judges on a partial or stale view. */
@Readiness
@ApplicationScoped
public class StateReadiness implements HealthCheck {

    @Inject
    ClusterStateProvider provider;

    @Override
    public HealthCheckResponse call() {
        ClusterState s = provider.state();
        return HealthCheckResponse.named("cluster-state").status(s.ready())
                .withData("state", s.describe()).build();
    }
}
