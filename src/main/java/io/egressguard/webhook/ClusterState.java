package io.egressguard.webhook;

import io.egressguard.mesh.MeshSnapshot;

/** Where the webhook's view of the cluster comes from: informers, or manifest files in standalone mode. */
public interface ClusterState {

    /** The latest complete snapshot. Never blocks. */
    MeshSnapshot snapshot();

    /** True once the state is complete and trustworthy; admission answers only then. */
    boolean ready();

    /** A short description for logs and the readiness check. */
    String describe();

    /** Seconds since the state last changed or was confirmed in sync. */
    double syncAgeSeconds();
}
