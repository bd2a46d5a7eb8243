package io.egressguard.rules;

import io.egressguard.istio.Labels;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.ImportedRoutes;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks of egress NetworkPolicies that guard the egress gateway (EG601 to EG606). */
final class NetworkPolicyRules {

    static final String DNS_NAMESPACE = "kube-system";
    static final int DNS_PORT = 53;
    static final int ISTIOD_XDS_PORT = 15012;

    private NetworkPolicyRules() {
    }

    /** The policy as an egress restriction, or null when it does not restrict egress. */
    static EgressPolicy restriction(RuleContext ctx, Resource target) {
        NetworkPolicy p = (NetworkPolicy) target.object();
        return EgressPolicy.restrictsEgress(p) ? new EgressPolicy(ctx.snapshot(), p) : null;
    }

    static boolean dns(EgressPolicy p, String protocol) {
        return p.allows(new EgressPolicy.Destination(DNS_NAMESPACE, null, DNS_PORT, protocol));
    }

    /** EG601: no rule allows DNS, so the pods cannot resolve any name. */
    static final class BlocksDns implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG601;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            EgressPolicy p = restriction(ctx, target);
            if (p != null && !dns(p, "UDP") && !dns(p, "TCP")) {
                ctx.report("spec.egress", "pods cannot resolve names: no egress rule allows DNS (port 53 to "
                        + DNS_NAMESPACE + ")");
            }
        }
    }

    /** EG602: sidecars of an injected namespace cannot reach istiod for their configuration. */
    static final class BlocksControlPlane implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG602;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            EgressPolicy p = restriction(ctx, target);
            if (p == null || !s.sidecarInjected(target.ref().namespace())) {
                return;
            }
            Map<String, String> istiod = s.workloadsKnown() ? Map.of("app", "istiod", "istio", "pilot") : null;
            if (!p.allows(new EgressPolicy.Destination(s.rootNamespace(), istiod, ISTIOD_XDS_PORT, "TCP"))) {
                ctx.report("spec.egress", "sidecars get no configuration: they cannot reach istiod ("
                        + s.rootNamespace() + ", port " + ISTIOD_XDS_PORT + ")");
            }
        }
    }

    /** EG603: a namespaceSelector that no namespace matches allows nothing. */
    static final class SelectorMatchesNoNamespace implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG603;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            if (!s.namespacesKnown()) {
                return;
            }
            List<NetworkPolicyEgressRule> rules = EgressPolicy.rules((NetworkPolicy) target.object());
            for (int i = 0; i < rules.size(); i++) {
                List<NetworkPolicyPeer> to = rules.get(i) == null || rules.get(i).getTo() == null ? List.of() : rules.get(i).getTo();
                for (int j = 0; j < to.size(); j++) {
                    LabelSelector sel = to.get(j) == null ? null : to.get(j).getNamespaceSelector();
                    if (sel == null || Labels.selectsAll(sel)) {
                        continue;
                    }
                    if (!matchesSomeNamespace(s, sel)) {
                        ctx.report("spec.egress[" + i + "].to[" + j + "].namespaceSelector", "this rule allows "
                                + "nothing: namespaceSelector " + describe(sel) + " matches no namespace");
                        return;
                    }
                }
            }
        }

        /** Matches every namespaceSelector of the snapshot's policies once, where the snapshot is built. */
        static void prepare(MeshSnapshot s) {
            if (!s.namespacesKnown()) {
                return;
            }
            for (String ns : s.namespaces()) {
                for (NetworkPolicy p : s.networkPolicies(ns)) {
                    for (NetworkPolicyEgressRule rule : EgressPolicy.rules(p)) {
                        List<NetworkPolicyPeer> to = rule == null || rule.getTo() == null ? List.of() : rule.getTo();
                        for (NetworkPolicyPeer peer : to) {
                            LabelSelector sel = peer == null ? null : peer.getNamespaceSelector();
                            if (sel != null && !Labels.selectsAll(sel)) {
                                matchesSomeNamespace(s, sel);
                            }
                        }
                    }
                }
            }
        }

        /** Policies repeat the same few selectors: each is matched against the namespaces once per snapshot. */
        private static boolean matchesSomeNamespace(MeshSnapshot s, LabelSelector sel) {
            return s.derivedFromNamespaces(List.of(SelectorMatchesNoNamespace.class, sel), x -> x.namespaces().stream()
                    .anyMatch(ns -> Labels.matches(sel, x.namespaceLabels(ns).orElse(Map.of()))));
        }

        private static String describe(LabelSelector sel) {
            return sel.getMatchLabels() != null && !sel.getMatchLabels().isEmpty() ? sel.getMatchLabels().toString()
                    : "with matchExpressions";
        }
    }

    /**
     * EG604: pods that route through an egress gateway are not allowed to reach the gateway's pods. Only the
     * mesh routes the namespace's sidecars import send them there: a route its Sidecar leaves out does not.
     */
    static final class BlocksEgressGateway implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG604;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            EgressPolicy p = restriction(ctx, target);
            if (p == null) {
                return;
            }
            Set<String> blocked = new TreeSet<>();
            for (MeshSnapshot.EgressUse use : ImportedRoutes.egressUsesFrom(s, target.ref().namespace())) {
                GatewayWorkload w = use.gateway();
                Integer podPort = use.port() == null ? null : w.targetPort(use.port());
                if (!p.allows(new EgressPolicy.Destination(w.namespace(), w.podLabels(), podPort, "TCP"))) {
                    blocked.add(w.serviceHost().split("\\.")[0] + " (" + w.namespace()
                            + (podPort == null ? "" : ", pod port " + podPort) + ")");
                }
            }
            if (!blocked.isEmpty()) {
                ctx.report("spec.egress", "egress traffic blocked: pods here route through egress gateway "
                        + EgressHops.list(blocked) + " but this policy blocks it");
            }
        }
    }

    /** EG605: a rule open to any destination lets pods that skip their sidecar bypass the egress gateway. */
    static final class AllowsBypass implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG605;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            if (restriction(ctx, target) == null || ImportedRoutes.egressUsesFrom(s, target.ref().namespace()).isEmpty()) {
                return;
            }
            List<NetworkPolicyEgressRule> rules = EgressPolicy.rules((NetworkPolicy) target.object());
            for (int i = 0; i < rules.size(); i++) {
                NetworkPolicyEgressRule rule = rules.get(i);
                if (rule == null || onlyDns(rule.getPorts())) {
                    continue;
                }
                if (rule.getTo() == null || rule.getTo().isEmpty()) {
                    ctx.report("spec.egress[" + i + "]", "pods can bypass the egress gateway: a rule without 'to' allows "
                            + "any destination");
                    return;
                }
                for (int j = 0; j < rule.getTo().size(); j++) {
                    NetworkPolicyPeer peer = rule.getTo().get(j);
                    String cidr = peer == null || peer.getIpBlock() == null ? null : peer.getIpBlock().getCidr();
                    if ("0.0.0.0/0".equals(cidr) || "::/0".equals(cidr)) {
                        ctx.report("spec.egress[" + i + "].to[" + j + "].ipBlock", "pods can "
                                + "bypass the egress gateway: ipBlock " + cidr + " allows the internet");
                        return;
                    }
                }
            }
        }

        private static boolean onlyDns(List<NetworkPolicyPort> ports) {
            return ports != null && !ports.isEmpty() && ports.stream().allMatch(p -> p != null && p.getPort() != null
                    && p.getPort().getIntVal() != null && p.getPort().getIntVal() == DNS_PORT && p.getEndPort() == null);
        }
    }

    /** EG606: DNS over UDP only; answers too large for UDP are retried over TCP and fail. */
    static final class DnsUdpOnly implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG606;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            EgressPolicy p = restriction(ctx, target);
            if (p != null && dns(p, "UDP") && !dns(p, "TCP")) {
                ctx.report("spec.egress", "large DNS answers fail: DNS is allowed over UDP 53 only, not TCP");
            }
        }
    }
}
