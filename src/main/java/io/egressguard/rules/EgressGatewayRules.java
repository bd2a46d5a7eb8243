package io.egressguard.rules;

import io.egressguard.istio.Labels;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.Gateway;

import java.util.Map;

/** Checks of Istio API egress Gateways (EG401, EG402, EG403). */
final class EgressGatewayRules {

    private EgressGatewayRules() {
    }

    static Binding binding(Resource target) {
        return Binding.istioGateway(target.ref().namespace(), target.ref().name());
    }

    /**
     * An egress Gateway: it selects egress gateway pods (by the configured labels), runs on a workload that
     * carries egress traffic, or has routes that forward to hosts outside the cluster.
     */
    static boolean isEgress(MeshSnapshot s, Resource target) {
        Gateway g = (Gateway) target.object();
        Map<String, String> selector = g.getSpec() == null || g.getSpec().getSelector() == null ? Map.of()
                : g.getSpec().getSelector();
        Binding b = binding(target);
        if (!selector.isEmpty() && Labels.subsetOf(s.settings().egressGatewayLabels(), selector) || s.isEgressGateway(b)) {
            return true;
        }
        for (RouteRule r : s.routesBoundTo(b)) {
            for (var d : r.destinations()) {
                if (!EgressHops.isClusterLocal(d.host()) && s.workload(d.host()).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** EG401: the selector matches no gateway pod, so the servers are configured nowhere. */
    static final class SelectsNoWorkload implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG401;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Gateway g = (Gateway) target.object();
            if (!s.workloadsKnown() || g.getSpec() == null || g.getSpec().getSelector() == null
                    || g.getSpec().getSelector().isEmpty() || !isEgress(s, target)) {
                return;
            }
            if (!s.anyWorkloadMatches(g.getSpec().getSelector())) {
                ctx.report("spec.selector", "configured nowhere: selector " + g.getSpec().getSelector()
                        + " matches no gateway pod");
            }
        }
    }

    /** EG402: a server port the egress gateway Service does not expose is unreachable for sidecars. */
    static final class PortNotExposed implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG402;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            if (!isEgress(s, target)) {
                return;
            }
            Binding b = binding(target);
            for (GatewayWorkload w : s.workloadsOf(b)) {
                if (!w.portsKnown() || w.service() == null) {
                    continue;
                }
                for (GatewayServer srv : s.servers(b)) {
                    if (!w.servicePorts().containsKey(srv.port())) {
                        ctx.report(srv.path() + ".port.number", "unreachable: port " + srv.port() + " is not exposed by Service "
                                + w.service() + " (ports " + w.servicePorts().keySet() + ")", w.service());
                        return;
                    }
                }
            }
        }
    }

    /**
     * EG403: {@code tls} (SNI) routes need a PASSTHROUGH server; a server that terminates TLS or speaks HTTP
     * only matches {@code http} routes, and a PASSTHROUGH server only {@code tls} routes.
     */
    static final class TlsModeContradictsRoutes implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG403;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            if (!isEgress(s, target)) {
                return;
            }
            Binding b = binding(target);
            for (GatewayServer srv : s.servers(b)) {
                boolean tlsRoutes = false;
                boolean httpRoutes = false;
                RouteRule example = null;
                for (RouteRule r : s.routesBoundTo(b)) {
                    if (!r.matchesPort(srv.port()) || r.hosts().stream().noneMatch(h -> srv.acceptsHost(h, r.namespace()))) {
                        continue;
                    }
                    tlsRoutes |= r.section() == Section.TLS;
                    httpRoutes |= r.section() == Section.HTTP;
                    example = example == null ? r : example;
                }
                if (tlsRoutes && !srv.servesTlsPassthrough()) {
                    ctx.report(srv.path() + ".tls", "tls routes never match: server on port " + srv.port() + " is not "
                            + "PASSTHROUGH but they match by SNI; use tls.mode PASSTHROUGH", example.source());
                    return;
                }
                if (httpRoutes && !tlsRoutes && srv.passthrough()) {
                    ctx.report(srv.path() + ".tls", "http routes never match: server on port " + srv.port() + " is "
                            + "PASSTHROUGH and only http routes are bound to it", example.source());
                    return;
                }
            }
        }
    }
}
