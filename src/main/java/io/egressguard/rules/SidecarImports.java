package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.mesh.SidecarScope;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a Sidecar's {@code egress[].hosts} leaves out of the scope of the proxies it governs (pilot
 * {@code SidecarScope}): a mesh route to the egress gateway it does not import (EG214), or the ServiceEntry a
 * {@code tls}/{@code tcp} mesh route needs a listener for (EG215). Both are reported on the Sidecar that scopes
 * the clients: the namespace's own, the root namespace's default, or one whose workloadSelector selects them.
 */
final class SidecarImports {

    private SidecarImports() {
    }

    /**
     * The sidecar-injected namespaces whose proxies {@code sidecar} scopes: its own namespace, or, for the root
     * namespace's, every namespace without a Sidecar of its own (only where the namespaces are known).
     */
    static List<String> scopedNamespaces(MeshSnapshot s, ObjectRef sidecar) {
        List<String> candidates = !sidecar.namespace().equals(s.rootNamespace()) ? List.of(sidecar.namespace())
                : s.namespacesKnown() ? s.injectedNamespaces() : List.of();
        List<String> out = new ArrayList<>();
        for (String ns : candidates) {
            boolean client = !s.namespacesKnown() || s.injectedNamespaces().contains(ns);
            if (client && s.sidecarScope(ns).map(SidecarScope::ref).filter(sidecar::equals).isPresent()) {
                out.add(ns);
            }
        }
        return out;
    }

    /**
     * Proxies a Sidecar scopes: the client namespace, its scope, and which of its pods ({@code pods}: "sidecars in
     * ns" or "pods app=x in ns", for messages).
     */
    record Scoped(String namespace, SidecarScope scope, String pods) {
    }

    /**
     * What {@code sidecar} scopes. Without workloadSelector: the namespaces of {@link #scopedNamespaces}. With one:
     * the pods of its namespace it selects (pilot gives them this Sidecar before any namespace-wide one), when
     * the namespace holds clients and, where the workloads are known, some workload is selected and no older
     * Sidecar selects it first.
     */
    static List<Scoped> scoped(MeshSnapshot s, Resource sidecar) {
        Map<String, String> selector = SidecarScope.workloadSelector(sidecar);
        if (selector == null) {
            return scopedNamespaces(s, sidecar.ref()).stream()
                    .map(ns -> new Scoped(ns, s.sidecarScope(ns).orElseThrow(), "sidecars in " + ns)).toList();
        }
        String ns = sidecar.ref().namespace();
        if (s.namespacesKnown() && !s.injectedNamespaces().contains(ns)) {
            return List.of();
        }
        List<Map<String, String>> pods = s.workloadsKnown() ? s.workloadLabels(ns).stream()
                .filter(l -> Labels.subsetOf(selector, l)).toList() : List.of(selector);
        for (Map<String, String> pod : pods) {
            if (s.sidecarScope(ns, pod).map(SidecarScope::ref).filter(sidecar.ref()::equals).isPresent()) {
                String labels = selector.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(","));
                return List.of(new Scoped(ns, SidecarScope.of(sidecar, ns), "pods " + labels + " in " + ns));
            }
        }
        return List.of();
    }

    /** Mesh routes to an egress gateway that sidecars of {@code client} receive (visible to its namespace). */
    static List<EgressHops.MeshHop> egressRoutesSeenBy(MeshSnapshot s, String client) {
        List<EgressHops.MeshHop> out = new ArrayList<>();
        for (var gw : s.gatewayWorkloads()) {
            if (s.egressGateway(gw.serviceHost()).isEmpty()) {
                continue;
            }
            for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.meshRoutesTo(gw.serviceHost()))) {
                if (hop.gateway().equals(gw) && hop.rule().clients().visibleTo(client)) {
                    out.add(hop);
                }
            }
        }
        return out;
    }

    /** What the scoped proxies do with the traffic the route does not get, by their outbound policy. */
    static String consequence(MeshSnapshot s, Scoped c, String host) {
        return s.outboundTrafficPolicy(Optional.of(c.scope())).registryOnly()
                ? c.pods() + " answer 502 / reset for " + host + " (REGISTRY_ONLY)"
                : c.pods() + " send " + host + " directly, bypassing the egress gateway";
    }

    /**
     * A route written in another client namespace (sidecar-injected, holding workloads) is that namespace's own
     * egress path, visible to the others only because VirtualServices are public by default: a Sidecar that keeps
     * its proxies to their own configuration (the common {@code ./*} and {@code istio-system/*}) leaves it out on
     * purpose. Routes in configuration namespaces (the egress gateway's, the root, an {@code egress} namespace
     * without clients) are meant for every client, and are judged.
     */
    static boolean otherClientsRoute(MeshSnapshot s, Scoped c, ObjectRef vs) {
        return s.namespacesKnown() && !vs.namespace().equals(c.namespace())
                && s.injectedNamespaces().contains(vs.namespace());
    }

    /** EG214: a mesh route to the egress gateway that the Sidecar does not import. */
    static final class MeshRouteNotImported implements Rule {

        @Override
        public Catalogue code() {
            return Catalogue.EG214;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Set<ObjectRef> reported = new HashSet<>();
            for (Scoped c : scoped(s, target)) {
                SidecarScope scope = c.scope();
                for (EgressHops.MeshHop hop : egressRoutesSeenBy(s, c.namespace())) {
                    ObjectRef vs = hop.rule().source();
                    if (s.importsRoutes(Optional.of(scope), vs) || otherClientsRoute(s, c, vs) || !reported.add(vs)) {
                        continue;
                    }
                    String host = hop.rule().hosts().get(0);
                    ctx.report(scope.hostsPath(), consequence(s, c, host) + ": " + vs + " is in namespace "
                            + vs.namespace() + ", which this Sidecar does not import for " + host, vs);
                }
            }
        }
    }

    /** EG215: the Sidecar imports the mesh route but not the ServiceEntry its listener is built from. */
    static final class ServiceEntryNotImported implements Rule {

        @Override
        public Catalogue code() {
            return Catalogue.EG215;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Set<String> reported = new HashSet<>();
            for (Scoped c : scoped(s, target)) {
                SidecarScope scope = c.scope();
                String client = c.namespace();
                for (EgressHops.MeshHop hop : egressRoutesSeenBy(s, client)) {
                    RouteRule r = hop.rule();
                    // http on port 80 works without the ServiceEntry: pilot builds port-80 virtual hosts for hosts
                    // outside the registry (route.buildSidecarVirtualHostsForVirtualService)
                    boolean needsListener = r.section() != Section.HTTP || r.port() != null && r.port() != 80;
                    if (!needsListener || !s.importsRoutes(Optional.of(scope), r.source())) {
                        continue;
                    }
                    for (String host : new LinkedHashSet<>(r.hosts())) {
                        Optional<ServiceEntryInfo> se = Hosts.isWildcard(host) ? Optional.empty()
                                : s.serviceEntryFor(host, client);
                        if (se.isEmpty() || s.importsHost(Optional.of(scope), client, host) || !reported.add(host)) {
                            continue; // no entry visible at all: EG104 and the gateway-hop rules speak of it
                        }
                        ctx.report(scope.hostsPath(), consequence(s, c, host) + ": this Sidecar does not import "
                                + se.get().ref() + ", so the " + r.section().field() + " route of " + r.source()
                                + " has no listener", se.get().ref(), r.source());
                    }
                }
            }
        }
    }
}
