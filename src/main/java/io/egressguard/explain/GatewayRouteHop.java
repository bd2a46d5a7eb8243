package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayApiRoutes;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.egressguard.explain.Walk.describe;
import static io.egressguard.explain.Walk.names;
import static io.egressguard.explain.Walk.portSuffix;

/**
 * The fourth hop on the egress gateway path: the route bound to the gateway server that forwards the host, and
 * the DestinationRule the gateway applies to the route's destination.
 */
final class GatewayRouteHop extends HopStep {

    GatewayRouteHop(Walk w) {
        super(w);
    }

    /**
     * Adds the hop for the route that server {@code srv} of {@code gw} applies (null: the server hop found none)
     * and returns the destination it forwards to, or null.
     */
    RouteDestination add(GatewayWorkload gw, GatewayServer srv, int port) {
        List<ObjectRef> objects = new ArrayList<>();
        List<String> details = new ArrayList<>();
        if (srv == null) {
            w.add(HopKind.GATEWAY_ROUTE, Verdict.SKIPPED, "not reached", objects, details, null, null);
            return null;
        }
        RouteRule chosen = null;
        boolean hiddenFromGateway = false;
        boolean unattached = false;
        for (RouteRule r : s.routesBoundTo(srv.binding())) {
            if (!r.servesHost(q.host())) {
                continue;
            }
            String why = null;
            if (!r.matchesPort(srv.port())) {
                // a gateway route's port is the server's own port number, not the Service port
                why = "matches port " + r.port() + ", not the server's port " + srv.port();
            } else if (!sectionFits(r, srv)) {
                why = "is a " + r.section().field() + " route; server " + srv.path() + " is " + srv.protocol()
                        + (srv.tlsMode() == null ? "" : " " + srv.tlsMode());
            } else if (r.section() == Section.TLS && !r.sniHosts().isEmpty()
                    && r.sniHosts().stream().noneMatch(h -> Hosts.covers(h, q.host()))) {
                why = "matches sniHosts " + r.sniHosts();
            } else if (r.hosts().stream().noneMatch(h -> srv.acceptsHost(h, r.namespace()))) {
                why = "its namespace " + r.namespace() + " may not bind to server hosts " + srv.hosts();
            } else if (!r.exportTo().visibleTo(gw.namespace())) {
                why = "is not exported to the gateway's namespace " + gw.namespace() + " (exportTo "
                        + r.exportTo().entries() + ")";
                hiddenFromGateway = true;
            } else {
                Optional<String> attach = attachmentProblem(r.source(), srv.binding());
                if (attach.isPresent()) {
                    why = "cannot attach: route not attached: " + attach.get();
                    unattached = true;
                }
            }
            if (why != null) {
                details.add("not used: " + r.source() + " " + r.path() + " " + why);
                if (!objects.contains(r.source())) {
                    objects.add(r.source());
                }
                continue;
            }
            if (chosen == null) {
                chosen = r;
                objects.add(0, r.source());
            }
        }
        if (w.stopped) {
            w.add(HopKind.GATEWAY_ROUTE, Verdict.SKIPPED, "not reached", objects, details, null, null);
            return chosen == null || chosen.destinations().isEmpty() ? null : chosen.destinations().get(0);
        }
        if (chosen != null && chosen.destinations().isEmpty() && chosen.source().kind() != Kind.VIRTUAL_SERVICE) {
            w.stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " matches but names no backend Istio supports: no "
                    + "cluster, the gateway answers 500 (HTTP) or resets", objects, details, Catalogue.EG506);
            return null;
        }
        if (chosen == null || chosen.destinations().isEmpty()) {
            Catalogue code = hiddenFromGateway ? Catalogue.EG211 : unattached ? Catalogue.EG505 : Catalogue.EG204;
            w.stop(HopKind.GATEWAY_ROUTE, "no route bound to " + srv.binding() + " forwards " + q.host() + " on port " + port
                    + ": the gateway answers 404 (HTTP) or resets the connection (TLS)", objects, details, code);
            return null;
        }
        RouteDestination d = chosen.destinations().get(0);
        int out = d.effectivePort(port);
        if (s.workload(d.host()).isPresent()) {
            if (d.subset() != null && !d.subset().isEmpty() && w.lookup.lookup(gw.namespace(), d.host(), gw.namespace())
                    .map(r -> !r.hasSubset(d.subset())).orElse(true)) {
                // the gateway proxy looks the subset up from its own namespace: without it there is no
                // cluster for the route, so it answers 503 before any loop can happen
                w.stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " sends " + q.host() + " to " + d.host() + portSuffix(out)
                        + " again, subset " + d.subset() + ", which the gateway's DestinationRule lookup (from "
                        + gw.namespace() + ") does not find: 503 (no cluster)", objects, details, Catalogue.EG202);
                return null;
            }
            w.stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " sends " + q.host() + " to " + d.host() + portSuffix(out)
                    + " again: the gateway routes to itself (loop)", objects, details, Catalogue.EG202);
            return null;
        }
        Optional<ServiceEntryInfo> se = s.exactServiceEntryFor(d.host(), gw.namespace());
        w.lookup.lookup(gw.namespace(), d.host(), se.map(x -> x.ref().namespace()).orElse(null)).ifPresent(r -> {
            List<DestinationRuleInfo> applied = r.applying(gw.podLabels());
            if (applied.isEmpty()) {
                details.add("the gateway applies no DestinationRule to " + d.host() + ": the lookup stops at "
                        + names(r.rules()) + " in " + r.namespace() + ", whose workloadSelector does not select the gateway pods");
                return;
            }
            applied.forEach(dr -> objects.add(dr.ref()));
            details.add("the gateway applies DestinationRule " + names(applied) + " (found in " + r.step().description()
                    + ", " + r.namespace() + ") to " + d.host() + ", e.g. to originate TLS");
        });
        w.add(HopKind.GATEWAY_ROUTE, Verdict.OK, describe(chosen) + " forwards " + q.host() + " to " + d.host()
                + portSuffix(out), objects, details, null, null);
        return d;
    }

    private static boolean sectionFits(RouteRule r, GatewayServer srv) {
        return switch (r.section()) {
            case HTTP -> srv.servesHttp();
            case TLS -> srv.servesTlsPassthrough();
            case TCP -> true;
        };
    }

    /** Why a Gateway API route does not attach to the Gateway of {@code gateway}, by its parentRefs naming it. */
    private Optional<String> attachmentProblem(ObjectRef route, Binding gateway) {
        if (gateway.type() != Binding.Type.KUBERNETES_GATEWAY) {
            return Optional.empty();
        }
        Resource r = s.resource(route).orElse(null);
        if (r == null) {
            return Optional.empty();
        }
        Optional<String> problem = Optional.empty();
        for (var p : GatewayApiRoutes.parentRefs(r.object())) {
            if (p == null || p.getName() == null || !GatewayApiRoutes.isGatewayRef(p)
                    || !GatewayApiRoutes.gatewayBinding(route, p).equals(gateway)) {
                continue;
            }
            problem = GatewayApiRoutes.attachmentProblem(s, r, p);
            if (problem.isEmpty()) {
                return problem; // one parentRef that attaches is enough
            }
        }
        return problem;
    }
}
