package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.ImportedRoutes;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.List;

/**
 * EG216: the mesh route to the egress gateway is ignored because another VirtualService for the same host
 * comes first for the client's sidecars. Sidecars take one VirtualService per host and port (pilot
 * {@code SelectVirtualServices} order, then {@code BuildSidecarOutboundVirtualHosts} drops the later
 * "duplicate domain"; for {@code tls} the first match per SNI wins): an older VirtualService that only sets a
 * timeout silently disables the egress route.
 */
final class MeshRouteShadowed implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG216;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.routes(target.ref()))) {
            RouteRule mine = hop.rule();
            for (int i = 0; i < mine.hosts().size(); i++) {
                String host = mine.hosts().get(i);
                if (Hosts.isWildcard(host)) {
                    continue;
                }
                List<RouteRule> sameHost = s.meshRoutesFor(host).stream().filter(r -> r.hosts().contains(host)).toList();
                // The precedence differs only for namespaces that own or are named by a non-public route for the
                // host; every other client namespace gets the same answer, computed once.
                java.util.Set<String> distinct = new java.util.HashSet<>();
                for (RouteRule r : sameHost) {
                    if (!r.exportTo().isPublic()) {
                        distinct.add(r.namespace());
                        distinct.addAll(r.exportTo().entries());
                    }
                }
                List<String> clients = s.clientNamespaces(mine); // sorted
                // A Sidecar decides per namespace which of these VirtualServices its sidecars import: the
                // namespaces it scopes get an answer of their own.
                distinct.addAll(ImportedRoutes.scoped(s, clients));
                // The answer every client outside `distinct` shares, from the first of them (in order).
                String firstShared = null;
                for (String client : clients) {
                    if (!distinct.contains(client)) {
                        firstShared = client;
                        break;
                    }
                }
                boolean sharedSkips = firstShared != null
                        && skips(s, winner(s, sameHost, firstShared, mine), target.ref(), host);
                // The first client in order whose sidecars skip this route: when the shared answer skips it, at
                // or before the first sharing client; otherwise among the distinct ones only.
                Iterable<String> candidates = sharedSkips ? clients : new java.util.TreeSet<>(distinct);
                for (String client : candidates) {
                    if (!sharedSkips && java.util.Collections.binarySearch(clients, client) < 0) {
                        continue;
                    }
                    ObjectRef winner = distinct.contains(client) ? winner(s, sameHost, client, mine)
                            : winner(s, sameHost, firstShared, mine);
                    if (skips(s, winner, target.ref(), host)) {
                        ctx.report("spec.hosts[" + i + "]", "sidecars skip the egress gateway: in " + client + " they apply "
                                + winner + " for " + host + " and ignore this one's mesh routes", winner);
                        return;
                    }
                }
            }
        }
    }

    /** True when {@code winner} takes the host's traffic from this route and does not send it to the gateway. */
    private static boolean skips(MeshSnapshot s, ObjectRef winner, ObjectRef self, String host) {
        return winner != null && !winner.equals(self) && !sendsToEgressGateway(s, winner, host);
    }

    /**
     * The first source in the sidecar's precedence with a route for the same section and port as {@code mine},
     * among those the client's Sidecar imports (pilot {@code SelectVirtualServices}: one it leaves out is not
     * applied, so it takes nothing from the others).
     */
    private static ObjectRef winner(MeshSnapshot s, List<RouteRule> sameHost, String client, RouteRule mine) {
        for (ObjectRef src : s.sidecarPrecedence(sameHost, client)) {
            if (!s.importsRoutes(client, src)) {
                continue;
            }
            for (RouteRule r : sameHost) {
                if (r.source().equals(src) && sameTraffic(r, mine)) {
                    return src;
                }
            }
        }
        return null;
    }

    private static boolean sameTraffic(RouteRule r, RouteRule mine) {
        if (r.section() != mine.section() || !r.matchesPort(mine.port())) {
            return false;
        }
        return r.section() != Section.TLS || r.sniHosts().isEmpty() || mine.sniHosts().isEmpty()
                || r.sniHosts().stream().anyMatch(h -> mine.sniHosts().stream().anyMatch(m -> Hosts.intersect(h, m)));
    }

    private static boolean sendsToEgressGateway(MeshSnapshot s, ObjectRef source, String host) {
        return EgressHops.meshHops(s, s.routes(source)).stream().anyMatch(h -> h.rule().hosts().contains(host));
    }
}
