package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

import static io.egressguard.mesh.MeshSnapshot.indexOf;

/**
 * The route rules of VirtualServices, HTTPRoutes and TLSRoutes: mesh (sidecar) routes and gateway-bound
 * routes by the hosts they serve and the hosts they send to, mesh routes by client namespace, the subsets
 * they send to, and the Gateway API routes attached to ServiceEntries.
 */
final class RouteIndex {

    private static final String ALL = "*";

    /** Route rules a change removed and added, for the indexes derived from them. */
    record Replaced(List<RouteRule> removed, List<RouteRule> added) {
        Replaced() {
            this(new ArrayList<>(), new ArrayList<>());
        }
    }

    // Written out, as ObjectRef does: an index key, hashed on every lookup.
    private record SubsetKey(String host, String client, String subset) {
        @Override
        public boolean equals(Object o) {
            return this == o || o instanceof SubsetKey k && Objects.equals(host, k.host) && Objects.equals(client, k.client)
                    && Objects.equals(subset, k.subset);
        }

        @Override
        public int hashCode() {
            return (Objects.hashCode(host) * 31 + Objects.hashCode(client)) * 31 + Objects.hashCode(subset);
        }
    }

    /** What compiling and indexing routes reads besides the routes: the state's objects and namespaces. */
    record Sources(Layer<ObjectRef, Resource> resources, ServiceEntryIndex serviceEntries, ClusterInventory cluster,
            Compilations compilations) {
    }

    private final Positions positions;
    private final Layer<ObjectRef, List<RouteRule>> routesBySource;
    private final MultiIndex<String, RouteRule> meshRoutesByHost;
    private final MultiIndex<String, RouteRule> wildcardMeshRoutes;
    private final MultiIndex<Binding, RouteRule> routesByGateway;
    private final MultiIndex<String, RouteRule> gatewayRoutesByHost;
    private final MultiIndex<String, RouteRule> wildcardGatewayRoutes;
    private final MultiIndex<String, RouteRule> meshRoutesByDestination;
    private final MultiIndex<String, RouteRule> gatewayRoutesByDestination;
    private final MultiIndex<HostClient, RouteRule> meshRoutesByDestinationAndClient;
    private final MultiIndex<SubsetKey, MeshSnapshot.SubsetUse> subsetUses;
    private final CountIndex<String, String> exportedSubsets;
    private final CountIndex<HostClient, String> clientSubsets;
    /** Gateway API routes attached to a ServiceEntry (parentRef of kind ServiceEntry), by that entry. */
    private final MultiIndex<ObjectRef, ObjectRef> routesAttachedToServiceEntry;
    private final Layer<ObjectRef, List<ObjectRef>> serviceEntriesAttachedTo;

    /** The index of the route objects among {@code objects} (every object of the state, in the order of their positions). */
    RouteIndex(Positions positions, Collection<Resource> objects, Sources sources) {
        this.positions = positions;
        routesBySource = new Layer<>();
        meshRoutesByHost = new MultiIndex<>(this::routeOrder);
        wildcardMeshRoutes = new MultiIndex<>(this::routeOrder);
        routesByGateway = new MultiIndex<>(this::routeOrder);
        gatewayRoutesByHost = new MultiIndex<>(this::routeOrder);
        wildcardGatewayRoutes = new MultiIndex<>(this::routeOrder);
        meshRoutesByDestination = new MultiIndex<>(this::routeOrder);
        gatewayRoutesByDestination = new MultiIndex<>(this::routeOrder);
        meshRoutesByDestinationAndClient = new MultiIndex<>(this::routeOrder);
        subsetUses = new MultiIndex<>(this::subsetUseOrder);
        exportedSubsets = new CountIndex<>(Comparator.naturalOrder());
        clientSubsets = new CountIndex<>(Comparator.naturalOrder());
        routesAttachedToServiceEntry = new MultiIndex<>(positions.comparing((ObjectRef ref) -> ref));
        serviceEntriesAttachedTo = new Layer<>();
        for (Resource r : objects) {
            if (isRoute(r.kind())) {
                List<RouteRule> compiledRules = compile(r, sources);
                routesBySource.put(r.ref(), compiledRules);
                compiledRules.forEach(rule -> index(rule, true, sources.cluster()));
            }
        }
    }

    private RouteIndex(RouteIndex before, Positions positions) {
        this.positions = positions;
        routesBySource = new Layer<>(before.routesBySource);
        meshRoutesByHost = new MultiIndex<>(before.meshRoutesByHost, this::routeOrder);
        wildcardMeshRoutes = new MultiIndex<>(before.wildcardMeshRoutes, this::routeOrder);
        routesByGateway = new MultiIndex<>(before.routesByGateway, this::routeOrder);
        gatewayRoutesByHost = new MultiIndex<>(before.gatewayRoutesByHost, this::routeOrder);
        wildcardGatewayRoutes = new MultiIndex<>(before.wildcardGatewayRoutes, this::routeOrder);
        meshRoutesByDestination = new MultiIndex<>(before.meshRoutesByDestination, this::routeOrder);
        gatewayRoutesByDestination = new MultiIndex<>(before.gatewayRoutesByDestination, this::routeOrder);
        meshRoutesByDestinationAndClient = new MultiIndex<>(before.meshRoutesByDestinationAndClient, this::routeOrder);
        subsetUses = new MultiIndex<>(before.subsetUses, this::subsetUseOrder);
        exportedSubsets = new CountIndex<>(before.exportedSubsets);
        clientSubsets = new CountIndex<>(before.clientSubsets);
        routesAttachedToServiceEntry = new MultiIndex<>(before.routesAttachedToServiceEntry, positions.comparing((ObjectRef ref) -> ref));
        serviceEntriesAttachedTo = new Layer<>(before.serviceEntriesAttachedTo);
    }

    static boolean isRoute(Kind k) {
        return k == Kind.VIRTUAL_SERVICE || k == Kind.HTTP_ROUTE || k == Kind.TLS_ROUTE;
    }

    /**
     * The index with the routes of the objects {@code changed} compiled again from {@code sources} (an object
     * no longer there: its routes removed); shares the rest with this one. Notes the rules it replaced.
     */
    RouteIndex changed(Positions positions, Collection<ObjectRef> changed, Sources sources, Replaced replaced) {
        RouteIndex next = new RouteIndex(this, positions);
        boolean any = false;
        for (ObjectRef ref : changed) {
            any |= next.replace(ref, sources.resources().get(ref), sources, replaced);
        }
        return any ? next : this;
    }

    /**
     * Replaces the routes of one VirtualService, HTTPRoute or TLSRoute ({@code to} null: removes them); false when
     * nothing changes. A VirtualService is compiled first (compiling one touches no index): one that compiles to the
     * routes it had, after an update of its metadata (labels, annotations, a GitOps re-sync) or of fields the routes
     * do not model (timeouts, retries, headers), leaves every index as it is, since each is a function of the routes.
     */
    private boolean replace(ObjectRef ref, Resource to, Sources sources, Replaced replaced) {
        List<RouteRule> rules = to != null && to.kind() == Kind.VIRTUAL_SERVICE ? compile(to, sources) : null;
        if (rules != null && rules.equals(routesBySource.get(ref))) {
            return false;
        }
        for (RouteRule rule : routesBySource.getOrDefault(ref, List.of())) {
            index(rule, false, sources.cluster());
            replaced.removed().add(rule);
        }
        routesBySource.remove(ref);
        for (ObjectRef se : serviceEntriesAttachedTo.getOrDefault(ref, List.of())) {
            routesAttachedToServiceEntry.remove(se, ref);
        }
        serviceEntriesAttachedTo.remove(ref);
        if (to == null) {
            return true;
        }
        if (rules == null) {
            rules = compile(to, sources); // a Gateway API route notes the ServiceEntries it attaches to
        }
        routesBySource.put(ref, rules);
        for (RouteRule rule : rules) {
            index(rule, true, sources.cluster());
            replaced.added().add(rule);
        }
        return true;
    }

    /** Routes in the order of their objects, then of their place in the object. */
    private int routeOrder(RouteRule a, RouteRule b) {
        int c = Long.compare(positions.of(a.source()), positions.of(b.source()));
        if (c != 0 || a == b) {
            return c;
        }
        List<RouteRule> rules = routesBySource.getOrDefault(a.source(), List.of());
        return Integer.compare(indexOf(rules, a), indexOf(rules, b));
    }

    private int subsetUseOrder(MeshSnapshot.SubsetUse a, MeshSnapshot.SubsetUse b) {
        int c = routeOrder(a.rule(), b.rule());
        return c != 0 ? c : Integer.compare(indexOf(a.rule().destinations(), a.destination()),
                indexOf(a.rule().destinations(), b.destination()));
    }

    /** The routes of a VirtualService, HTTPRoute or TLSRoute; notes which ServiceEntries a route attaches to. */
    private List<RouteRule> compile(Resource r, Sources sources) {
        if (r.kind() == Kind.VIRTUAL_SERVICE) {
            VirtualService vs = (VirtualService) r.object();
            if (VirtualServiceRoutes.delegates(vs)) {
                // depends on its delegates too: compiled afresh, never reused from a previous state
                return VirtualServiceRoutes.compile(r.ref(), vs, (ns, name) -> {
                    Resource d = sources.resources().get(new ObjectRef(Kind.VIRTUAL_SERVICE, ns, name));
                    return d == null ? null : (VirtualService) d.object();
                });
            }
            return sources.compilations().compile(r, () -> VirtualServiceRoutes.compile(r.ref(), vs));
        }
        List<ObjectRef> attached = new ArrayList<>();
        List<RouteRule> rules = GatewayApiRoutes.compile(r.ref(), r.object(), (ns, name) -> {
            attached.add(new ObjectRef(Kind.SERVICE_ENTRY, ns, name));
            return sources.serviceEntries().hosts(ns, name);
        });
        if (!attached.isEmpty()) {
            serviceEntriesAttachedTo.put(r.ref(), attached);
            attached.forEach(se -> routesAttachedToServiceEntry.add(se, r.ref()));
        }
        return rules;
    }

    private void index(RouteRule rule, boolean add, ClusterInventory cluster) {
        for (Binding b : rule.bindings()) {
            if (b.isMesh()) {
                indexHostsAndDestinations(rule, add, meshRoutesByHost, wildcardMeshRoutes, meshRoutesByDestination);
                indexSubsetUses(rule, add, cluster);
            } else {
                routesByGateway.edit(b, rule, add);
                indexHostsAndDestinations(rule, add, gatewayRoutesByHost, wildcardGatewayRoutes, gatewayRoutesByDestination);
            }
        }
    }

    /** Indexes a route by the hosts it serves (wildcards apart) and by the hosts it sends to. */
    private static void indexHostsAndDestinations(RouteRule rule, boolean add, MultiIndex<String, RouteRule> byHost,
            MultiIndex<String, RouteRule> wildcards, MultiIndex<String, RouteRule> byDestination) {
        for (String h : rule.hosts()) {
            (Hosts.isWildcard(h) ? wildcards : byHost).edit(Hosts.isWildcard(h) ? ALL : h, rule, add);
        }
        for (RouteDestination d : rule.destinations()) {
            byDestination.edit(d.host(), rule, add);
        }
    }

    /**
     * Subsets that mesh routes send to, by destination host and client namespace: every client namespace
     * when the route is public (and namespaces are known), else the client namespaces it is exported to.
     */
    private void indexSubsetUses(RouteRule rule, boolean add, ClusterInventory cluster) {
        boolean everyClient = cluster.namespacesKnown() && rule.clients().isPublic();
        List<String> clients = everyClient ? List.of() : cluster.clientNamespaces(rule.clients());
        for (RouteDestination d : rule.destinations()) {
            if (everyClient) {
                meshRoutesByDestinationAndClient.edit(new HostClient(d.host(), null), rule, add);
            }
            for (String client : clients) {
                meshRoutesByDestinationAndClient.edit(new HostClient(d.host(), client), rule, add);
            }
            if (d.subset() == null || d.subset().isEmpty()) {
                continue;
            }
            MeshSnapshot.SubsetUse use = new MeshSnapshot.SubsetUse(rule, d);
            if (everyClient) {
                editSubsetUse(new SubsetKey(d.host(), null, d.subset()), use, add);
                clientSubsets.edit(new HostClient(d.host(), null), d.subset(), add);
            } else {
                for (String client : clients) {
                    editSubsetUse(new SubsetKey(d.host(), client, d.subset()), use, add);
                    clientSubsets.edit(new HostClient(d.host(), client), d.subset(), add);
                    exportedSubsets.edit(d.host(), d.subset(), add);
                }
            }
        }
    }

    private void editSubsetUse(SubsetKey key, MeshSnapshot.SubsetUse use, boolean add) {
        if (add) {
            subsetUses.add(key, use);
            return;
        }
        for (MeshSnapshot.SubsetUse u : subsetUses.get(key)) {
            if (u.rule() == use.rule() && u.destination() == use.destination()) {
                subsetUses.remove(key, u);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- queries

    List<RouteRule> routes(ObjectRef source) {
        return routesBySource.getOrDefault(source, List.of());
    }

    /** Mesh (sidecar) routes whose hosts intersect {@code host}. */
    List<RouteRule> meshRoutesFor(String host) {
        List<RouteRule> out = new ArrayList<>();
        if (Hosts.isWildcard(host)) {
            for (String h : meshRoutesByHost.keys()) {
                for (RouteRule r : meshRoutesByHost.get(h)) {
                    if (r.servesHost(host)) {
                        out.add(r);
                    }
                }
            }
        } else {
            out.addAll(meshRoutesByHost.get(host));
        }
        for (RouteRule r : wildcardMeshRoutes.get(ALL)) {
            if (r.servesHost(host) && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Gateway-bound routes whose hosts intersect {@code host} (which must not be a wildcard). */
    List<RouteRule> gatewayRoutesFor(String host) {
        return MultiIndex.exactThenWildcards(gatewayRoutesByHost.get(host), wildcardGatewayRoutes.get(ALL),
                r -> r.servesHost(host));
    }

    /**
     * Mesh routes with a destination on {@code host} that sidecars of {@code client} apply because they are
     * exported to it; {@code client} null: the public ones, which every sidecar-injected namespace applies.
     */
    List<RouteRule> meshRoutesTo(String host, String client) {
        return meshRoutesByDestinationAndClient.get(new HostClient(host, client));
    }

    /** Mesh routes with a destination on {@code host}. */
    List<RouteRule> meshRoutesTo(String host) {
        return meshRoutesByDestination.get(host);
    }

    /** True when some mesh route has a destination on {@code host}. */
    boolean anyMeshRouteTo(String host) {
        return meshRoutesByDestination.containsKey(host);
    }

    /** Gateway-bound routes with a destination on {@code host}. */
    List<RouteRule> gatewayRoutesTo(String host) {
        return gatewayRoutesByDestination.get(host);
    }

    /** Routes bound to one gateway. */
    List<RouteRule> routesBoundTo(Binding gateway) {
        return routesByGateway.get(gateway);
    }

    /** Gateway API routes attached to the ServiceEntry {@code ref} (parentRef of kind ServiceEntry). */
    List<ObjectRef> routesAttachedTo(ObjectRef serviceEntry) {
        return routesAttachedToServiceEntry.get(serviceEntry);
    }

    /** Mesh route destinations to {@code subset} of {@code host} that sidecars of {@code client} apply (null: public routes). */
    List<MeshSnapshot.SubsetUse> subsetUses(String host, String client, String subset) {
        return subsetUses.get(new SubsetKey(host, client, subset));
    }

    /** Subsets of {@code host} that mesh routes exported to {@code client} send to (null: public routes). */
    Set<String> subsetsRoutedFrom(String host, String client) {
        return clientSubsets.get(new HostClient(host, client));
    }

    /** Subsets of {@code host} that some mesh route sends to, public or exported. */
    Set<String> routedSubsets(String host) {
        Set<String> out = new TreeSet<>(clientSubsets.get(new HostClient(host, null)));
        out.addAll(exportedSubsets.get(host));
        return out;
    }

    /** True when a route exported to named client namespaces sends some of them to {@code subset} of {@code host}. */
    boolean subsetRoutedByExport(String host, String subset) {
        return exportedSubsets.contains(host, subset);
    }

    /**
     * Client namespaces that routes exported to them send to {@code subset} of {@code host}, sorted. Walks the
     * routes to the host: for whole-state questions.
     */
    Set<String> subsetClients(String host, String subset, ClusterInventory cluster) {
        Set<String> out = new TreeSet<>();
        for (RouteRule r : meshRoutesByDestination.get(host)) {
            if (cluster.namespacesKnown() && r.clients().isPublic()) {
                continue;
            }
            for (RouteDestination d : r.destinations()) {
                if (d.host().equals(host) && subset.equals(d.subset())) {
                    out.addAll(cluster.clientNamespaces(r.clients()));
                }
            }
        }
        return out;
    }

    /**
     * The sources (VirtualServices, Gateway API mesh routes) of {@code routes} visible to sidecars of
     * {@code clientNamespace}, in pilot's precedence (SelectVirtualServices): those private to the namespace,
     * then those exported to it by name, then the public ones, each oldest first (creation time, then name).
     * For one host the first whose route matches the traffic wins; later ones are ignored on that sidecar.
     */
    static List<ObjectRef> sidecarPrecedence(List<RouteRule> routes, String clientNamespace,
            ToLongFunction<ObjectRef> creationOrder) {
        Map<ObjectRef, RouteRule> first = new LinkedHashMap<>();
        for (RouteRule r : routes) {
            if (r.exportTo().visibleTo(clientNamespace)) {
                first.putIfAbsent(r.source(), r);
            }
        }
        List<ObjectRef> out = new ArrayList<>(first.keySet());
        out.sort(Comparator.comparingInt((ObjectRef ref) -> visibilityGroup(first.get(ref), clientNamespace))
                .thenComparingLong(creationOrder)
                .thenComparing(ObjectRef::name));
        return out;
    }

    private static int visibilityGroup(RouteRule r, String clientNamespace) {
        ExportTo e = r.exportTo();
        if (e.isPublic()) {
            return 2;
        }
        boolean privateHere = r.namespace().equals(clientNamespace)
                && (e.entries().contains(".") || e.entries().contains(clientNamespace));
        return privateHere ? 0 : 1;
    }
}
