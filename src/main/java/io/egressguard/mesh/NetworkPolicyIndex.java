package io.egressguard.mesh;

import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.List;

/** The Kubernetes NetworkPolicies of the cluster, by namespace, in the order of their positions. */
final class NetworkPolicyIndex {

    private final MultiIndex<String, NetworkPolicy> byNamespace;

    NetworkPolicyIndex(Positions positions, List<Resource> networkPolicies) {
        this.byNamespace = new MultiIndex<>(positions.comparing(NetworkPolicyIndex::ref));
        for (Resource r : networkPolicies) {
            byNamespace.add(r.ref().namespace(), (NetworkPolicy) r.object());
        }
    }

    private NetworkPolicyIndex(NetworkPolicyIndex before, Positions positions) {
        this.byNamespace = new MultiIndex<>(before.byNamespace, positions.comparing(NetworkPolicyIndex::ref));
    }

    /** The index with the NetworkPolicy {@code from} (null: created) replaced by {@code to} (null: deleted). */
    NetworkPolicyIndex changed(Positions positions, Resource from, Resource to) {
        NetworkPolicyIndex next = new NetworkPolicyIndex(this, positions);
        if (from != null) {
            next.byNamespace.remove(from.ref().namespace(), (NetworkPolicy) from.object());
        }
        if (to != null) {
            next.byNamespace.add(to.ref().namespace(), (NetworkPolicy) to.object());
        }
        return next;
    }

    private static ObjectRef ref(NetworkPolicy p) {
        return new ObjectRef(Kind.NETWORK_POLICY, p.getMetadata().getNamespace(), p.getMetadata().getName());
    }

    List<NetworkPolicy> in(String namespace) {
        return byNamespace.get(namespace);
    }
}
