package io.egressguard.rules;

import io.egressguard.istio.Labels;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the egress NetworkPolicies of a namespace let one pod reach, with the semantics of {@link EgressPolicy}:
 * the policies restricting egress whose podSelector selects the pod are additive, and once one selects it
 * only what one of their rules allows leaves the pod.
 */
public final class PodEgress {

    /** Where cluster DNS runs, and its port: what the policy rules EG601 and EG606 check. */
    public static final String DNS_NAMESPACE = NetworkPolicyRules.DNS_NAMESPACE;
    public static final int DNS_PORT = NetworkPolicyRules.DNS_PORT;

    public enum Verdict {
        /** No policy restricts the pod's egress. */
        UNRESTRICTED,
        /** A rule of a policy selecting the pod allows the destination. */
        ALLOWED,
        /** Policies select the pod and none of their rules allows the destination. */
        BLOCKED,
        /** Only an ipBlock could allow it: it depends on the addresses the host resolves to. */
        DEPENDS
    }

    /**
     * @param policies the egress-restricting policies that select the pod
     * @param detail   for {@link Verdict#DEPENDS}: the ipBlocks that may allow it
     */
    public record Result(Verdict verdict, List<ObjectRef> policies, String detail) {

        public boolean allowed() {
            return verdict == Verdict.UNRESTRICTED || verdict == Verdict.ALLOWED;
        }
    }

    private final MeshSnapshot snapshot;
    private final List<NetworkPolicy> selecting = new ArrayList<>();
    private final List<ObjectRef> refs = new ArrayList<>();

    /** The pod: its namespace and labels ({@code {}} selects it only by policies that select every pod). */
    public PodEgress(MeshSnapshot snapshot, String namespace, Map<String, String> podLabels) {
        this.snapshot = snapshot;
        for (NetworkPolicy p : snapshot.networkPolicies(namespace)) {
            if (EgressPolicy.restrictsEgress(p) && Labels.matches(p.getSpec().getPodSelector(), podLabels)) {
                selecting.add(p);
                refs.add(new ObjectRef(Kind.NETWORK_POLICY, namespace, p.getMetadata().getName()));
            }
        }
    }

    /** The egress-restricting policies that select the pod. */
    public List<ObjectRef> policies() {
        return List.copyOf(refs);
    }

    /** Pods in {@code namespace} with {@code podLabels} (null when unknown) on a TCP/UDP port. */
    public Result toPods(String namespace, Map<String, String> podLabels, Integer port, String protocol) {
        if (selecting.isEmpty()) {
            return new Result(Verdict.UNRESTRICTED, List.of(), null);
        }
        EgressPolicy.Destination d = new EgressPolicy.Destination(namespace, podLabels, port, protocol);
        for (NetworkPolicy p : selecting) {
            if (new EgressPolicy(snapshot, p).allows(d)) {
                return new Result(Verdict.ALLOWED, policies(), null);
            }
        }
        return new Result(Verdict.BLOCKED, policies(), null);
    }

    /**
     * An address outside the cluster on a TCP port: allowed by a rule without {@code to}, or by an ipBlock
     * covering every address; another ipBlock allows it only if it covers the host's addresses.
     */
    public Result toInternet(Integer port) {
        if (selecting.isEmpty()) {
            return new Result(Verdict.UNRESTRICTED, List.of(), null);
        }
        EgressPolicy.Destination d = new EgressPolicy.Destination("", null, port, "TCP");
        List<String> blocks = new ArrayList<>();
        for (NetworkPolicy p : selecting) {
            for (NetworkPolicyEgressRule rule : EgressPolicy.rules(p)) {
                if (rule == null || !EgressPolicy.portAllowed(rule.getPorts(), d)) {
                    continue;
                }
                if (rule.getTo() == null || rule.getTo().isEmpty()) {
                    return new Result(Verdict.ALLOWED, policies(), null);
                }
                for (NetworkPolicyPeer peer : rule.getTo()) {
                    String cidr = peer == null || peer.getIpBlock() == null ? null : peer.getIpBlock().getCidr();
                    if (cidr == null) {
                        continue;
                    }
                    boolean except = peer.getIpBlock().getExcept() != null && !peer.getIpBlock().getExcept().isEmpty();
                    if (("0.0.0.0/0".equals(cidr) || "::/0".equals(cidr)) && !except) {
                        return new Result(Verdict.ALLOWED, policies(), null);
                    }
                    blocks.add(cidr + " (" + p.getMetadata().getName() + ")");
                }
            }
        }
        return blocks.isEmpty() ? new Result(Verdict.BLOCKED, policies(), null)
                : new Result(Verdict.DEPENDS, policies(), String.join(", ", blocks));
    }
}
