package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.model.ObjectRef;

import java.util.List;
import java.util.Map;
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
 * @param source       the match's {@code sourceNamespace} and {@code sourceLabels}: which client sidecars apply it
 */
public record RouteRule(ObjectRef source, String path, Section section, List<String> hosts, Set<Binding> bindings,
        Integer port, List<String> sniHosts, List<RouteDestination> destinations, String namespace,
        ExportTo exportTo, SourceMatch sourceMatch) {

    /**
     * A match's {@code sourceNamespace} (null: any) and {@code sourceLabels} (empty: any pod). Sidecars apply
     * the match only in that namespace and only for pods carrying those labels (pilot
     * {@code route.sourceMatchHTTP}, {@code tls.matchTLS}, {@code tls.matchTCP}).
     */
    public record SourceMatch(String namespace, Map<String, String> labels) {

        public static final SourceMatch ANY = new SourceMatch(null, Map.of());

        public SourceMatch {
            namespace = namespace == null || namespace.isEmpty() ? null : namespace;
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public boolean isAny() {
            return namespace == null && labels.isEmpty();
        }

        /** True when a pod of {@code ns} with {@code podLabels} is selected. */
        public boolean selects(String ns, Map<String, String> podLabels) {
            return (namespace == null || namespace.equals(ns)) && Labels.subsetOf(labels, podLabels);
        }
    }

    public RouteRule {
        hosts = List.copyOf(hosts);
        bindings = Set.copyOf(bindings);
        sniHosts = List.copyOf(sniHosts);
        destinations = List.copyOf(destinations);
        sourceMatch = sourceMatch == null ? SourceMatch.ANY : sourceMatch;
    }

    /**
     * The namespaces whose sidecars apply this match, as an exportTo: the source object's visibility, narrowed
     * to the match's {@code sourceNamespace} when it names one. ({@code sourceLabels} narrows pods, not
     * namespaces.)
     */
    public ExportTo clients() {
        if (sourceMatch.namespace() == null) {
            return exportTo;
        }
        // owned by the source namespace: where namespaces are unknown, it is the one known client
        return new ExportTo(sourceMatch.namespace(), exportTo.visibleTo(sourceMatch.namespace())
                ? List.of(sourceMatch.namespace()) : List.of("~"));
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
