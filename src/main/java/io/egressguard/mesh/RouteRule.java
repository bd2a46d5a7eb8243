package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.model.ObjectRef;

import java.util.List;
import java.util.Set;

/**
 * One match of one route, flattened with the hosts and gateways it applies to: the unit Istio turns into
 * an Envoy route. A VirtualService route with two matches becomes two rules.
 *
 * @param source       the VirtualService, HTTPRoute or TLSRoute
 * @param path         field path of the route or match, e.g. {@code spec.http[1]}
 * @param section      the protocol section
 * @param hosts        the hosts the route serves (fully qualified)
 * @param bindings     where it applies (mesh and/or gateways), after match-level overrides
 * @param port         the matched port, or null for every port
 * @param sniHosts     SNI hosts of a tls match (empty otherwise)
 * @param destinations where it sends traffic
 * @param namespace    the namespace of the source object
 * @param exportTo     visibility of the source object
 */
public record RouteRule(ObjectRef source, String path, Section section, List<String> hosts, Set<Binding> bindings,
        Integer port, List<String> sniHosts, List<RouteDestination> destinations, String namespace,
        io.egressguard.istio.ExportTo exportTo) {

    public RouteRule {
        hosts = List.copyOf(hosts);
        bindings = Set.copyOf(bindings);
        sniHosts = List.copyOf(sniHosts);
        destinations = List.copyOf(destinations);
    }

    public boolean appliesToMesh() {
        return bindings.contains(Binding.MESH);
    }

    /** True when the rule serves {@code host} (which may itself be a wildcard). */
    public boolean servesHost(String host) {
        return hosts.stream().anyMatch(h -> Hosts.intersect(h, host));
    }

    /** True when the rule matches traffic on {@code p} (null means "any port"). */
    public boolean matchesPort(Integer p) {
        return port == null || p == null || port.equals(p);
    }
}
