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

import java.util.List;
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

    /**
     * EG404: a Gateway without selector carrying egress routes (to hosts a ServiceEntry declares): every
     * gateway proxy applies it, ingress gateways reachable from outside included.
     */
    static final class WithoutSelector implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG404;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Gateway g = (Gateway) target.object();
            if (g.getSpec() == null || (g.getSpec().getSelector() != null && !g.getSpec().getSelector().isEmpty())) {
                return;
            }
            // egress when it serves a host that a ServiceEntry declares (an external host), as its server or
            // as the host of a route bound to it
            for (GatewayServer srv : s.servers(binding(target))) {
                for (String h : srv.hosts()) {
                    String host = h.contains("/") ? h.substring(h.indexOf('/') + 1) : h;
                    if (external(s, host, target.ref().namespace())) {
                        report(ctx, host);
                        return;
                    }
                }
            }
            for (RouteRule r : s.routesBoundTo(binding(target))) {
                for (String host : r.hosts()) {
                    if (external(s, host, r.namespace())) {
                        report(ctx, host);
                        return;
                    }
                }
            }
        }

        private static boolean external(MeshSnapshot s, String host, String namespace) {
            return !host.equals("*") && !EgressHops.isClusterLocal(host) && s.serviceEntryFor(host, namespace).isPresent();
        }

        private static void report(RuleContext ctx, String host) {
            ctx.report("spec.selector", "open egress proxy: without selector every gateway workload applies it, ingress "
                    + "gateways included, and forwards " + host + " to the internet");
        }
    }

    /**
     * EG406: a server with protocol HTTPS or TLS and no {@code tls} block, which Istio's validation rejects
     * (validateServer). The condition is Istio's own, so the error never blocks a Gateway Istio accepts.
     */
    /** EG405: a TLS server that pilot skips because an older Gateway serves the same host on the same pods. */
    static final class DuplicateTlsServer implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG405;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Binding b = binding(target);
            if (!isEgress(s, target)) {
                return;
            }
            List<GatewayServer> used = s.servers(b);
            for (GatewayServer srv : s.allServers(b)) {
                if (used.contains(srv)) {
                    continue;
                }
                s.skippedServer(srv).ifPresent(kept -> ctx.report(srv.path() + ".hosts", "Istio skips this server: "
                        + String.join(", ", srv.hosts().stream().filter(kept.hosts()::contains).toList()) + " on port "
                        + srv.port() + " is already served by the older " + kept.gateway() + " on the same gateway pods",
                        kept.gateway()));
            }
        }
    }

    static final class TlsServerWithoutTls implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG406;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            Gateway g = (Gateway) target.object();
            var servers = g.getSpec() == null || g.getSpec().getServers() == null ? List.<io.fabric8.istio.api.api.networking.v1alpha3.Server>of()
                    : g.getSpec().getServers();
            for (int i = 0; i < servers.size(); i++) {
                var srv = servers.get(i);
                String protocol = srv == null || srv.getPort() == null || srv.getPort().getProtocol() == null ? ""
                        : srv.getPort().getProtocol().toUpperCase(java.util.Locale.ROOT);
                if ((protocol.equals("HTTPS") || protocol.equals("TLS")) && srv.getTls() == null) {
                    ctx.report("spec.servers[" + i + "]", "Istio rejects this Gateway: " + protocol + " server without tls; "
                            + "for TLS from the application use tls.mode PASSTHROUGH");
                    return;
                }
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
                    if (!w.exposes(srv.port())) {
                        ctx.report(srv.path() + ".port.number", "unreachable: port " + srv.port() + " is not exposed by "
                                + w.service() + " (ports " + portsAndTargets(w) + ")", w.service());
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
                    if (r.port() == null && fitsAnotherServer(s, b, r)) {
                        continue; // a route without port matches every server; it only needs one that fits it
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

        /** True when a server of the gateway accepts the route's hosts and can match its protocol section. */
        private static boolean fitsAnotherServer(MeshSnapshot s, Binding b, RouteRule r) {
            return s.servers(b).stream().anyMatch(srv -> r.hosts().stream().anyMatch(h -> srv.acceptsHost(h, r.namespace()))
                    && switch (r.section()) {
                        case HTTP -> srv.servesHttp();
                        case TLS -> srv.servesTlsPassthrough();
                        case TCP -> true;
                    });
        }
    }

    /** Service ports with their targetPorts, as {@code 80→8080, 443→8443}. */
    static String portsAndTargets(GatewayWorkload w) {
        return w.servicePorts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "→" + (e.getValue() == GatewayWorkload.NAMED_TARGET ? "named" : e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
