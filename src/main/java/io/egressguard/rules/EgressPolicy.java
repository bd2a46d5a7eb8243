package io.egressguard.rules;

import io.egressguard.istio.Labels;
import io.egressguard.mesh.MeshSnapshot;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes NetworkPolicy egress semantics for the pods one policy selects. Once any policy with
 * {@code Egress} selects a pod, only traffic matching one of the egress rules of the policies selecting it
 * leaves the pod; policies are additive. A rule with no {@code to} allows every destination, with no
 * {@code ports} every port. Where the state cannot tell (unknown namespace labels, ipBlocks, named ports),
 * traffic counts as allowed so that nothing is reported on a guess.
 */
final class EgressPolicy {

    /** A destination: pods in a namespace, with their labels (null when unknown), on a port and protocol. */
    record Destination(String namespace, Map<String, String> podLabels, Integer port, String protocol) {
    }

    private final MeshSnapshot snapshot;
    private final NetworkPolicy policy;
    private final List<NetworkPolicy> applicable;

    EgressPolicy(MeshSnapshot snapshot, NetworkPolicy policy) {
        this.snapshot = snapshot;
        this.policy = policy;
        this.applicable = new ArrayList<>();
        for (NetworkPolicy other : snapshot.networkPolicies(policy.getMetadata().getNamespace())) {
            if (other == policy || restrictsEgress(other) && other.getSpec() != null && policy.getSpec() != null
                    && (Labels.selectsAll(other.getSpec().getPodSelector())
                    || Objects.equals(other.getSpec().getPodSelector(), policy.getSpec().getPodSelector()))) {
                applicable.add(other);
            }
        }
    }

    /** Egress is restricted when policyTypes lists Egress, or (policyTypes unset) the policy has egress rules. */
    static boolean restrictsEgress(NetworkPolicy p) {
        if (p.getSpec() == null) {
            return false;
        }
        List<String> types = p.getSpec().getPolicyTypes();
        if (types == null || types.isEmpty()) {
            return p.getSpec().getEgress() != null && !p.getSpec().getEgress().isEmpty();
        }
        return types.contains("Egress");
    }

    String namespace() {
        return policy.getMetadata().getNamespace();
    }

    static List<NetworkPolicyEgressRule> rules(NetworkPolicy p) {
        return p.getSpec() == null || p.getSpec().getEgress() == null ? List.of() : p.getSpec().getEgress();
    }

    /** True when this policy, or another restricting the same pods, allows the destination. */
    boolean allows(Destination d) {
        for (NetworkPolicy p : applicable) {
            for (NetworkPolicyEgressRule rule : rules(p)) {
                if (rule != null && portAllowed(rule.getPorts(), d) && peerAllowed(rule.getTo(), d)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean portAllowed(List<NetworkPolicyPort> ports, Destination d) {
        if (ports == null || ports.isEmpty() || d.port() == null) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            if (p == null) {
                continue;
            }
            String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (d.protocol() != null && !protocol.equalsIgnoreCase(d.protocol())) {
                continue;
            }
            IntOrString port = p.getPort();
            if (port == null || port.getIntVal() == null) {
                return true; // all ports, or a named port this state cannot resolve
            }
            int from = port.getIntVal();
            int to = p.getEndPort() == null ? from : p.getEndPort();
            if (d.port() >= from && d.port() <= to) {
                return true;
            }
        }
        return false;
    }

    private boolean peerAllowed(List<NetworkPolicyPeer> to, Destination d) {
        if (to == null || to.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer peer : to) {
            if (peer == null) {
                continue;
            }
            if (peer.getIpBlock() != null) {
                return true; // addresses: cannot be judged against pods here
            }
            boolean nsOk;
            if (peer.getNamespaceSelector() != null) {
                nsOk = snapshot.namespaceLabels(d.namespace())
                        .map(l -> Labels.matches(peer.getNamespaceSelector(), l)).orElse(true);
            } else {
                nsOk = d.namespace().equals(namespace());
            }
            boolean podOk = peer.getPodSelector() == null || d.podLabels() == null
                    || Labels.matches(peer.getPodSelector(), d.podLabels());
            if (nsOk && podOk) {
                return true;
            }
        }
        return false;
    }
}
