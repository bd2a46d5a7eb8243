package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.model.ObjectRef;
import io.egressguard.rules.Catalogue;
import io.egressguard.rules.PodEgress;

import java.util.ArrayList;
import java.util.List;

import static io.egressguard.explain.Walk.names;

/**
 * What the client pods' NetworkPolicies let them reach, judged after the proxies' hops: the egress gateway
 * pods (on the gateway path), DNS, and the external host itself.
 */
final class PolicyHops extends HopStep {

    PolicyHops(Walk w) {
        super(w);
    }

    /**
     * Adds the NetworkPolicy hops for a request that takes {@code path}: through {@code gateway} (the sidecar
     * route's destination {@code dest}) on the egress gateway path, to {@code external:externalPort}.
     */
    void add(Trace.Path path, GatewayWorkload gateway, RouteDestination dest, String external, int externalPort) {
        PodEgress pod = new PodEgress(s, q.namespace(), q.podLabels());
        List<ObjectRef> policies = pod.policies();
        String labels = q.labelsGiven() ? " with labels " + q.podLabels() : "";
        List<String> base = new ArrayList<>();
        if (!q.labelsGiven() && s.networkPolicies(q.namespace()).size() > policies.size()) {
            base.add("policies with a podSelector were judged for a pod without labels: give them with --from "
                    + q.namespace() + "/key=value");
        }
        if (path == Trace.Path.EGRESS_GATEWAY) {
            int servicePort = dest.effectivePort(q.port());
            Integer podPort = gateway.targetPort(servicePort);
            PodEgress.Result r = pod.toPods(gateway.namespace(), gateway.podLabels(), podPort, "TCP");
            String what = "pods in " + q.namespace() + labels + " to the egress gateway pods (" + gateway.namespace()
                    + (podPort == null ? "" : ", pod port " + podPort) + ")";
            if (r.allowed()) {
                w.add(HopKind.POLICY_TO_GATEWAY, Verdict.OK, what + ": " + allowedText(r), policies, base, null, null);
            } else {
                w.add(HopKind.POLICY_TO_GATEWAY, Verdict.BROKEN, what + ": blocked", policies, base, Catalogue.EG604,
                        Catalogue.EG604.fix());
            }
        }
        PodEgress.Result udp = pod.toPods(PodEgress.DNS_NAMESPACE, null, PodEgress.DNS_PORT, "UDP");
        PodEgress.Result tcp = pod.toPods(PodEgress.DNS_NAMESPACE, null, PodEgress.DNS_PORT, "TCP");
        String dns = "pods in " + q.namespace() + labels + " to DNS (" + PodEgress.DNS_NAMESPACE + ", port "
                + PodEgress.DNS_PORT + ")";
        if (udp.allowed() && tcp.allowed()) {
            w.add(HopKind.POLICY_TO_DNS, Verdict.OK, dns + ": " + allowedText(udp), policies, base, null, null);
        } else if (udp.allowed() || tcp.allowed()) {
            w.add(HopKind.POLICY_TO_DNS, Verdict.INFO, dns + ": allowed over " + (udp.allowed() ? "UDP" : "TCP")
                    + " only", policies, base, null, null);
        } else {
            w.add(HopKind.POLICY_TO_DNS, Verdict.BROKEN, dns + ": blocked, names do not resolve", policies, base,
                    Catalogue.EG601, Catalogue.EG601.fix());
        }
        PodEgress.Result net = pod.toInternet(externalPort);
        String internet = "pods in " + q.namespace() + labels + " to " + external + ":" + externalPort;
        List<String> details = new ArrayList<>(base);
        if (path == Trace.Path.EGRESS_GATEWAY) {
            switch (net.verdict()) {
                case BLOCKED -> w.add(HopKind.POLICY_TO_INTERNET, Verdict.OK, internet + ": blocked, only the egress gateway "
                        + "reaches it", policies, details, null, null);
                case DEPENDS -> {
                    details.add("ipBlocks " + net.detail() + " may cover its addresses");
                    w.add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed only if its addresses fall in an "
                            + "ipBlock", policies, details, null, null);
                }
                case ALLOWED -> w.add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed directly, pods without "
                        + "a sidecar can bypass the egress gateway", policies, details, null, null);
                case UNRESTRICTED -> w.add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": no NetworkPolicy restricts "
                        + "egress, pods without a sidecar can bypass the egress gateway", policies, details, null, null);
            }
        } else if (path == Trace.Path.DIRECT) {
            switch (net.verdict()) {
                case BLOCKED -> {
                    Catalogue code = firstBrokenCode(HopKind.SIDECAR_ROUTE);
                    details.add(code == null ? "no egress gateway route exists for " + q.host()
                            + ": route it through an egress gateway, or allow it in a NetworkPolicy"
                            : "the request leaves directly because of the sidecar route (" + code + ")");
                    w.addCoded(HopKind.POLICY_TO_INTERNET, Verdict.BROKEN, internet + ": blocked, and the request goes there "
                            + "directly", policies, details, code == null ? null : code.code(),
                            code == null ? "Route " + q.host() + " through an egress gateway, or allow it in the pods' "
                                    + "NetworkPolicy." : code.fix());
                }
                case DEPENDS -> {
                    details.add("ipBlocks " + net.detail() + " may cover its addresses");
                    w.add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed only if its addresses fall in an "
                            + "ipBlock", policies, details, null, null);
                }
                default -> w.add(HopKind.POLICY_TO_INTERNET, Verdict.OK, internet + ": " + allowedText(net), policies,
                        details, null, null);
            }
        }
    }

    private Catalogue firstBrokenCode(HopKind kind) {
        for (Hop h : w.hops) {
            if (h.kind() == kind && h.verdict() == Verdict.BROKEN && h.code() != null) {
                return Catalogue.of(h.code()).orElse(null);
            }
        }
        return null;
    }

    private static String allowedText(PodEgress.Result r) {
        return r.verdict() == PodEgress.Verdict.UNRESTRICTED ? "allowed (no NetworkPolicy restricts egress of these pods)"
                : "allowed by " + names(r.policies());
    }
}
