package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * EG204: sidecars send host H on port P to an egress gateway, but no route bound to that gateway serves H
 * on P (in any VirtualService or Gateway API route): the gateway answers 404 (HTTP) or resets (TLS).
 */
final class MeshRouteWithoutGatewayRoute implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG204;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.routes(target.ref()))) {
            List<Integer> ports = new ArrayList<>();
            if (hop.gatewayPort() != null) {
                ports.add(hop.gatewayPort());
            } else {
                for (String h : hop.rule().hosts()) {
                    ports.addAll(EgressHops.serviceEntryPorts(s, h, hop.rule().namespace()));
                }
                if (ports.isEmpty()) {
                    ports.add(null);
                }
            }
            for (String host : hop.rule().hosts()) {
                for (Integer port : ports) {
                    if (!gatewayForwards(s, hop, host, port)) {
                        ctx.report(hop.destination().path(), "the gateway answers 404 or resets: no route bound to egress "
                                + "gateway " + hop.gateway().serviceHost().split("\\.")[0] + " forwards " + host + " on "
                                + EgressHops.portText(port),
                                hop.gateway().service() == null ? List.of() : List.of(hop.gateway().service()));
                        return;
                    }
                }
            }
        }
    }

    static boolean gatewayForwards(MeshSnapshot s, EgressHops.MeshHop hop, String host, Integer port) {
        List<RouteRule> candidates = Hosts.isWildcard(host) ? allBoundTo(s, hop.gateway().bindings()) : s.gatewayRoutesFor(host);
        for (RouteRule r : candidates) {
            for (Binding gw : r.bindings()) {
                if (!hop.gateway().bindings().contains(gw) || !r.servesHost(host)) {
                    continue;
                }
                if (r.destinations().isEmpty() && r.source().kind() != Kind.VIRTUAL_SERVICE) {
                    // a Gateway API route whose backends Istio cannot use still matches (and answers 500): EG506
                    if (r.matchesPort(port)) {
                        return true;
                    }
                    continue;
                }
                if (r.destinations().isEmpty()) {
                    continue;
                }
                if (gw.type() == Binding.Type.KUBERNETES_GATEWAY ? r.matchesPort(port)
                        : EgressHops.servesRoute(s, hop.gateway(), gw, port, host, r)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<RouteRule> allBoundTo(MeshSnapshot s, java.util.Set<Binding> bindings) {
        List<RouteRule> out = new ArrayList<>();
        bindings.forEach(b -> out.addAll(s.routesBoundTo(b)));
        return out;
    }
}
