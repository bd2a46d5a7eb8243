package io.egressguard.mesh;

import io.egressguard.model.Kind;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.Sidecar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mesh routes to a gateway that the sidecars of one client namespace apply, with its Sidecar's
 * {@code egress.hosts} taken into account. Pilot gives a proxy only the VirtualServices its {@code SidecarScope}
 * imports ({@code SelectVirtualServices} per egress listener, {@code convertIstioListenerToWrapper}): a route
 * exported to a namespace whose Sidecar does not import it is never applied there, so it neither sends that
 * namespace's traffic to an egress gateway nor can it break it. The snapshot's client indexes
 * ({@link MeshSnapshot#egressUsesFrom}, {@link MeshSnapshot#subsetUses}, {@link MeshSnapshot#meshRoutesTo(String, String)})
 * follow {@code exportTo} alone; these answers narrow them for namespaces a Sidecar scopes. Where no Sidecar
 * scopes the namespace (the common case, {@link MeshSnapshot#sidecarScope} is then empty at once) they are the
 * snapshot's answers as they are.
 */
public final class ImportedRoutes {

    private ImportedRoutes() {
    }

    /**
     * The namespaces that own a Sidecar without workloadSelector (any of them scopes the namespace), and
     * whether the root namespace owns one (it then scopes every namespace without its own).
     */
    public record SidecarNamespaces(Set<String> owning, boolean root) {

        /** True when no Sidecar scopes any namespace: every client applies what is exported to it. */
        public boolean none() {
            return owning.isEmpty();
        }
    }

    private record SidecarNamespacesKey() {
    }

    private record PublicRoutesKey(String host) {
    }

    /**
     * Where namespace-wide Sidecars are, once per snapshot. A snapshot derived by a change to anything but a
     * Sidecar shares the answer of the one it came from, so an admission review does not list the state again.
     */
    public static SidecarNamespaces sidecarNamespaces(MeshSnapshot s) {
        Optional<MeshSnapshot.Change> change = s.change();
        if (change.isPresent() && change.get().ref().kind() != Kind.SIDECAR) {
            return sidecarNamespaces(change.get().before());
        }
        return s.derived(new SidecarNamespacesKey(), x -> {
            Set<String> owning = new TreeSet<>();
            for (Resource r : x.resources()) {
                if (r.kind() == Kind.SIDECAR) {
                    Sidecar sc = (Sidecar) r.object();
                    if (sc.getSpec() == null || sc.getSpec().getWorkloadSelector() == null) {
                        owning.add(r.ref().namespace());
                    }
                }
            }
            return new SidecarNamespaces(Set.copyOf(owning), owning.contains(x.rootNamespace()));
        });
    }

    /**
     * Namespaces among {@code clients} that a Sidecar scopes (where imports may narrow what they apply), in
     * their order; empty at once when the state has no Sidecar.
     */
    public static List<String> scoped(MeshSnapshot s, java.util.Collection<String> clients) {
        SidecarNamespaces where = sidecarNamespaces(s);
        if (where.none()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (where.root()) {
            out.addAll(clients);
            return out;
        }
        for (String ns : clients) {
            if (where.owning().contains(ns)) {
                out.add(ns);
            }
        }
        return out;
    }

    /**
     * Namespaces among {@code clients} whose Sidecar imports from {@code routeNamespace} (an {@code egress.hosts}
     * entry for it, for every namespace, or {@code ./} in that namespace itself): the only ones whose imports of a
     * route written there can change with the route. Read from {@code s}, any state with the same Sidecars (the
     * one before a change, whose scopes are already parsed); empty at once when the state has no Sidecar.
     */
    public static List<String> importingFrom(MeshSnapshot s, java.util.Collection<String> clients, String routeNamespace) {
        SidecarNamespaces where = sidecarNamespaces(s);
        if (where.none()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String ns : clients) {
            if (!where.root() && !where.owning().contains(ns)) {
                continue;
            }
            Optional<SidecarScope> scope = s.sidecarScope(ns);
            if (scope.isPresent() && scope.get().imports().stream().anyMatch(i -> !i.excluded()
                    && (i.namespace().equals("*") || i.namespace().equals(routeNamespace)))) {
                out.add(ns);
            }
        }
        return out;
    }

    /** True when the sidecars of {@code client} import the route (always, when no Sidecar scopes it). */
    public static boolean imports(MeshSnapshot s, String client, RouteRule rule) {
        return s.importsRoutes(client, rule.source());
    }

    /**
     * Mesh routes with a destination on {@code host} that sidecars of {@code client} receive by exportTo
     * (the public ones when it is sidecar-injected, and those exported to it by name; where namespaces are
     * unknown, the routes of its own namespace) and that its
     * Sidecar imports. Only the namespaces the Sidecar imports from are looked at.
     */
    public static List<RouteRule> routesTo(MeshSnapshot s, String host, String client) {
        Optional<SidecarScope> scope = s.sidecarScope(client);
        List<RouteRule> out = new ArrayList<>();
        if (!s.namespacesKnown()) {
            // the routes of its own namespace (egress uses) and those whose sourceNamespace names it (subsets)
            for (RouteRule r : s.meshRoutesTo(host)) {
                if ((r.namespace().equals(client) || r.clients().owner().equals(client)) && imports(s, client, r)) {
                    out.add(r);
                }
            }
            return out;
        }
        if (s.sidecarInjected(client)) {
            Map<String, List<RouteRule>> byNamespace = publicRoutesByNamespace(s, host);
            if (scope.isEmpty() || importsFromEveryNamespace(scope.get())) {
                byNamespace.values().forEach(l -> l.forEach(r -> {
                    if (imports(s, client, r)) {
                        out.add(r);
                    }
                }));
            } else {
                Set<String> from = new LinkedHashSet<>();
                scope.get().imports().forEach(i -> from.add(i.namespace()));
                for (String ns : from) {
                    for (RouteRule r : byNamespace.getOrDefault(ns, List.of())) {
                        if (imports(s, client, r)) {
                            out.add(r);
                        }
                    }
                }
            }
        }
        for (RouteRule r : s.meshRoutesTo(host, client)) {
            if (imports(s, client, r)) {
                out.add(r);
            }
        }
        return out;
    }

    private static boolean importsFromEveryNamespace(SidecarScope scope) {
        return scope.imports().stream().anyMatch(i -> !i.excluded() && i.namespace().equals("*"));
    }

    /** The public mesh routes to {@code host} by the namespace they are written in, once per snapshot. */
    private static Map<String, List<RouteRule>> publicRoutesByNamespace(MeshSnapshot s, String host) {
        return s.derived(new PublicRoutesKey(host), x -> {
            Map<String, List<RouteRule>> out = new LinkedHashMap<>();
            for (RouteRule r : x.meshRoutesTo(host, null)) {
                out.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r);
            }
            return out;
        });
    }

    /**
     * How sidecars of {@code namespace} reach egress gateways ({@link MeshSnapshot#egressUsesFrom}), less the
     * uses that only routes its Sidecar does not import make.
     */
    public static Set<MeshSnapshot.EgressUse> egressUsesFrom(MeshSnapshot s, String namespace) {
        Set<MeshSnapshot.EgressUse> all = s.egressUsesFrom(namespace);
        if (all.isEmpty() || s.sidecarScope(namespace).isEmpty()) {
            return all;
        }
        Map<String, List<RouteRule>> routesByGateway = new HashMap<>();
        Set<MeshSnapshot.EgressUse> out = new LinkedHashSet<>();
        for (MeshSnapshot.EgressUse use : all) {
            String host = use.gateway().serviceHost();
            List<RouteRule> routes = routesByGateway.computeIfAbsent(host, h -> routesTo(s, h, namespace));
            if (routes.stream().anyMatch(r -> r.appliesToMesh() && r.destinations().stream().anyMatch(d ->
                    d.host().equals(host) && Objects.equals(d.effectivePort(r.port()), use.port())))) {
                out.add(use);
            }
        }
        return out;
    }

    /**
     * The subsets of {@code host} that mesh routes applied by sidecars of {@code client} send to, each with the
     * first such destination; the snapshot's indexes as they are when no Sidecar scopes {@code client}.
     */
    public static Map<String, MeshSnapshot.SubsetUse> subsetsRoutedFrom(MeshSnapshot s, String host, String client) {
        Map<String, MeshSnapshot.SubsetUse> out = new LinkedHashMap<>();
        if (s.sidecarScope(client).isEmpty()) {
            if (s.sidecarInjected(client)) {
                for (String subset : s.subsetsRoutedFrom(host, null)) {
                    out.put(subset, s.subsetUses(host, null, subset).get(0));
                }
            }
            for (String subset : s.subsetsRoutedFrom(host, client)) {
                out.putIfAbsent(subset, s.subsetUses(host, client, subset).get(0));
            }
            return out;
        }
        for (RouteRule r : routesTo(s, host, client)) {
            for (RouteDestination d : r.destinations()) {
                if (d.host().equals(host) && d.subset() != null && !d.subset().isEmpty()) {
                    out.putIfAbsent(d.subset(), new MeshSnapshot.SubsetUse(r, d));
                }
            }
        }
        return out;
    }
}
