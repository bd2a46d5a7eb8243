package io.egressguard.webhook;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Gauges of the cluster state: how many objects it holds and how long since it was known to be in sync. The
 * gauges hold their source strongly: a weakly held one may be collected and vanish from the scrape.
 */
@ApplicationScoped
public class StateMetrics {

    @Inject
    ClusterStateProvider provider;

    @Inject
    MeterRegistry registry;

    void register(@Observes StartupEvent event) {
        Gauge.builder("egress_guard_state_objects", provider, p -> p.state().snapshot().size())
                .description("Objects in the cluster state the webhook judges against")
                .strongReference(true).register(registry);
        Gauge.builder("egress_guard_state_sync_age_seconds", provider, p -> p.state().syncAgeSeconds())
                .description("Seconds since the cluster state was last known to be in sync")
                .strongReference(true).register(registry);
        Gauge.builder("egress_guard_state_ready", provider, p -> p.state().ready() ? 1 : 0)
                .description("1 when the cluster state is synced")
                .strongReference(true).register(registry);
    }
}
