package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayApiRoutes;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.ServiceEntryInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The two hops of the egress pattern as rules see them: the mesh (sidecar) hop sends a host to an egress
 * gateway Service, the gateway hop forwards it to the external host.
 */
final class EgressHops {

    private EgressHops() {
    }

    /** Egress gateways whose Service host a DestinationRule host covers (exactly or by wildcard). */
    static List<GatewayWorkload> gatewaysCovered(MeshSnapshot s, String drHost) {
        List<GatewayWorkload> out = new ArrayList<>();
        if (!Hosts.isWildcard(drHost)) {
            s.egressGateway(drHost).ifPresent(out::add);
            return out;
        }
        for (GatewayWorkload w : s.gatewayWorkloads()) {
            if (w.egress() && Hosts.covers(drHost, w.serviceHost())) {
                out.add(w);
            }
        }
        return out;
    }

    /** A destination of a mesh route that lands on an egress gateway. */
    record MeshHop(RouteRule rule, RouteDestination destination, GatewayWorkload gateway) {

        /** The gateway Service port the traffic arrives on, or null when it depends on the caller's port. */
        Integer gatewayPort() {
            return destination.effectivePort(rule.port());
        }
    }

    /** A destination of a gateway-bound route: where the gateway forwards. */
    record GatewayHop(RouteRule rule, Binding gateway, RouteDestination destination) {

        Integer port() {
            return destination.effectivePort(rule.port());
        }
    }

    static List<MeshHop> meshHops(MeshSnapshot s, List<RouteRule> rules) {
        List<MeshHop> out = new ArrayList<>();
        for (RouteRule r : rules) {
            if (!r.appliesToMesh()) {
                continue;
            }
            for (RouteDestination d : r.destinations()) {
                s.egressGateway(d.host()).ifPresent(w -> out.add(new MeshHop(r, d, w)));
            }
        }
        return out;
    }

    /** Destinations of routes bound to egress gateways that leave for a host other than a gateway Service. */
    static List<GatewayHop> gatewayHops(MeshSnapshot s, List<RouteRule> rules) {
        List<GatewayHop> out = new ArrayList<>();
        for (RouteRule r : rules) {
            for (Binding b : r.bindings()) {
                if (b.isMesh() || !s.isEgressGateway(b)) {
                    continue;
                }
                for (RouteDestination d : r.destinations()) {
                    if (s.workload(d.host()).isEmpty()) {
                        out.add(new GatewayHop(r, b, d));
                    }
                }
            }
        }
        return out;
    }

    /** The namespace whose proxies run a gateway's configuration (for exportTo and DestinationRule lookup). */
    static String proxyNamespace(MeshSnapshot s, Binding gateway) {
        List<GatewayWorkload> ws = s.workloadsOf(gateway);
        return ws.isEmpty() ? gateway.namespace() : ws.get(0).namespace();
    }

    /** The labels of a gateway's pods, for workload-scoped DestinationRules (empty when unknown). */
    static java.util.Map<String, String> proxyLabels(MeshSnapshot s, Binding gateway) {
        List<GatewayWorkload> ws = s.workloadsOf(gateway);
        return ws.isEmpty() ? java.util.Map.of() : ws.get(0).podLabels();
    }

    /** The ServiceEntry the gateway uses for the host it forwards to. */
    static Optional<ServiceEntryInfo> serviceEntry(MeshSnapshot s, GatewayHop hop) {
        return s.exactServiceEntryFor(hop.destination().host(), proxyNamespace(s, hop.gateway()));
    }

    /**
     * True when a server of {@code gateway} that traffic to Service port {@code servicePort} reaches accepts
     * {@code host} and the route {@code r} matches that server's port: a gateway route's {@code port} is
     * compared with the server's own port number, which may differ from the Service port (pilot
     * {@code buildGatewayHTTPRouteConfig}, {@code model.resolvePorts}).
     */
    static boolean servesRoute(MeshSnapshot s, GatewayWorkload workload, Binding gateway, Integer servicePort,
            String host, RouteRule r) {
        for (GatewayServer srv : s.servers(gateway)) {
            if ((servicePort == null || workload.reaches(servicePort, srv.port())) && r.matchesPort(srv.port())
                    && srv.acceptsHost(host, r.namespace())) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when some server (listener) of the hop's gateway accepts the route: right port, a common host, and
     * a protocol the route's section can match. Routes that cannot match carry no traffic (EG209, EG505 say why).
     */
    static boolean carriesTraffic(MeshSnapshot s, GatewayHop hop) {
        return carryingServer(s, hop).isPresent();
    }

    /**
     * The server (listener) of the hop's gateway that carries the route: right port, a common host, and a
     * protocol the route's section can match. A Gateway API TLS listener in Terminate mode carries a TLSRoute
     * from Istio 1.30 (the gateway terminates, then forwards the decrypted stream).
     */
    static Optional<GatewayServer> carryingServer(MeshSnapshot s, GatewayHop hop) {
        RouteRule r = hop.rule();
        for (GatewayServer srv : s.servers(hop.gateway())) {
            boolean sectionFits = switch (r.section()) {
                case HTTP -> srv.servesHttp();
                case TLS -> srv.servesTlsPassthrough() || terminatesTlsRoutes(s, hop.gateway(), srv);
                case TCP -> true;
            };
            if (sectionFits && r.matchesPort(srv.port()) && r.hosts().stream().anyMatch(h -> srv.acceptsHost(h, r.namespace()))) {
                return Optional.of(srv);
            }
        }
        return Optional.empty();
    }

    /** A Gateway API TLS listener that terminates, where Istio 1.30 and later attach TLSRoutes. */
    static boolean terminatesTlsRoutes(MeshSnapshot s, Binding gateway, GatewayServer srv) {
        return gateway.type() == Binding.Type.KUBERNETES_GATEWAY && "TLS".equals(srv.protocol()) && !srv.passthrough()
                && GatewayApiRoutes.tlsRouteOnTerminate(s);
    }

    /** Ports the ServiceEntries for {@code host} declare, as seen from {@code namespace}. */
    static Set<Integer> serviceEntryPorts(MeshSnapshot s, String host, String namespace) {
        Set<Integer> out = new TreeSet<>();
        s.serviceEntryFor(host, namespace).ifPresent(se -> out.addAll(se.ports().keySet()));
        return out;
    }

    static boolean isClusterLocal(String host) {
        return host.endsWith("." + Hosts.CLUSTER_DOMAIN);
    }

    static String portText(Integer p) {
        return p == null ? "any port" : "port " + p;
    }

    static String list(java.util.Collection<String> items) {
        // the first four only: a finding may concern thousands of namespaces
        List<String> l = new ArrayList<>(4);
        for (String item : items) {
            if (l.size() == 4) {
                break;
            }
            l.add(item);
        }
        if (items.size() <= 4) {
            return String.join(", ", l);
        }
        return String.join(", ", l) + " and " + (items.size() - 4) + " more";
    }
}
