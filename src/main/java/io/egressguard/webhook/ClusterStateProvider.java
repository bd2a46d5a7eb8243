package io.egressguard.webhook;

import io.egressguard.load.InputException;
import io.egressguard.mesh.MeshSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Chooses where the state comes from: manifest files when {@code egress-guard.state.dir} is set (standalone,
 * no API connection at all), the Kubernetes API through informers otherwise.
 */
@ApplicationScoped
public class ClusterStateProvider {

    private static final Logger LOG = Logger.getLogger(ClusterStateProvider.class);

    @Inject
    WebhookConfig config;

    @Inject
    Instance<KubernetesClient> client;

    private volatile ClusterState state;

    void onStart(@Observes StartupEvent event) {
        state();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (state instanceof InformerClusterState informers) {
            informers.close();
        }
    }

    public MeshSettings settings() {
        return MeshSettings.DEFAULT.withRootNamespace(config.rootNamespace());
    }

    /** The state, created on first use; every review reads it, so once created it is read without a lock. */
    public ClusterState state() {
        ClusterState s = state;
        return s != null ? s : create();
    }

    /** The state if it has been created, without creating it or waiting for its creation. */
    public Optional<ClusterState> created() {
        return Optional.ofNullable(state);
    }

    private synchronized ClusterState create() {
        if (state == null) {
            if (config.state().dir().isPresent()) {
                try {
                    state = new FileClusterState(config.state().dir().get(), settings());
                } catch (InputException e) {
                    throw new IllegalStateException("cannot read the state directory: " + e.getMessage());
                }
            } else {
                InformerClusterState informers = new InformerClusterState(client.get(), settings(),
                        config.state().rebuildDelay(), config.state().crdRecheck());
                informers.start();
                state = informers;
            }
            LOG.infof("cluster state: %s", state.describe());
        }
        return state;
    }
}
