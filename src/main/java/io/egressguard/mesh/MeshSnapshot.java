package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, indexed view of the mesh configuration. Everything a rule asks is answered from an index,
 * so checking one object costs the same in a small and in a large mesh. The indexes are kept by kind, each
 * building itself from the objects and deriving itself for one changed object: {@link ClusterInventory}
 * (Namespaces, Services, workloads, Sidecars, mesh config), {@link ServiceEntryIndex},
 * {@link DestinationRuleIndex}, {@link GatewayIndex}, {@link RouteIndex}, {@link NetworkPolicyIndex} and
 * {@link GatewayWorkloadIndex} (the proxies behind the gateways, which depend on several of the others).
 */
public final class MeshSnapshot {

    /** Label Kubernetes puts on every Namespace (since 1.21): selectors can always match it. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    /** Sidecars send to an egress gateway on a Service port (null when the caller's port is kept). */
    public record EgressUse(GatewayWorkload gateway, Integer port) {
    }

    /** What the state tells about istiod, for version-dependent behaviour. */
    public record IstiodInfo(String version, Map<String, String> env) {

        /** True when the version is known and older than {@code major.minor}. */
        public boolean olderThan(int major, int minor) {
            if (version == null) {
                return false;
            }
            String[] parts = version.replaceFirst("^v", "").split("[.-]");
            try {
                int ma = Integer.parseInt(parts[0]);
                int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
                return ma < major || (ma == major && mi < minor);
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** True when istiod's environment sets the feature flag {@code name} to false. */
        public boolean disabled(String name) {
            return "false".equalsIgnoreCase(env.get(name));
        }
    }

    /** A mesh route destination that names a subset of a host. */
    public record SubsetUse(RouteRule rule, RouteDestination destination) {
        public String subset() {
            return destination.subset();
        }
    }

    /**
     * How a snapshot derived by {@link #with} or {@link #without} differs from the one it came from.
     *
     * @param from the object before the change, null when it is created
     * @param to   the object after the change, null when it is deleted
     */
    public record Change(MeshSnapshot before, ObjectRef ref, Resource from, Resource to) {
    }

    private final MeshSettings settings;
    private final Change change;

    private final Layer<ObjectRef, Resource> resources;
    private final Positions positions;
    private final Compilations compilations;

    private final ClusterInventory cluster;
    private final ServiceEntryIndex serviceEntries;
    private final DestinationRuleIndex destinationRules;
    private final GatewayIndex gateways;
    private final RouteIndex routes;
    private final NetworkPolicyIndex networkPolicies;
    private final GatewayWorkloadIndex gatewayWorkloads;

    private final Map<Object, Object> derived = new java.util.concurrent.ConcurrentHashMap<>();

    // ---------------------------------------------------------------- full build

    private MeshSnapshot(MeshSettings settings, Collection<Resource> input, Compilations previous) {
        this.settings = settings;
        this.change = null;
        this.compilations = Compilations.reusing(previous);
        this.resources = new Layer<>();
        this.positions = new Positions();
        for (Resource r : input) {
            if (resources.get(r.ref()) == null) {
                positions.add(r.ref());
            }
            resources.put(r.ref(), r);
        }
        Map<Kind, List<Resource>> byKind = new EnumMap<>(Kind.class);
        for (Resource r : resources.values()) {
            byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
        }
        cluster = new ClusterInventory(settings, resources.values());
        serviceEntries = new ServiceEntryIndex(positions, ofKind(byKind, Kind.SERVICE_ENTRY), compilations);
        destinationRules = new DestinationRuleIndex(ofKind(byKind, Kind.DESTINATION_RULE), compilations);
        gateways = new GatewayIndex(positions, ofKind(byKind, Kind.GATEWAY), ofKind(byKind, Kind.KUBERNETES_GATEWAY),
                compilations);
        routes = new RouteIndex(positions, resources.values(),
                new RouteIndex.Sources(resources, serviceEntries, cluster, compilations));
        networkPolicies = new NetworkPolicyIndex(positions, ofKind(byKind, Kind.NETWORK_POLICY));
        gatewayWorkloads = new GatewayWorkloadIndex(settings, cluster, gateways, routes);
    }

    private static List<Resource> ofKind(Map<Kind, List<Resource>> byKind, Kind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    public static MeshSnapshot of(MeshSettings settings, Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, null);
    }

    /**
     * A new state from {@code resources}, reusing what this one derived from the objects that did not change
     * (the same {@link Resource} instance): informer rebuilds recompile only what changed.
     */
    public MeshSnapshot rebuild(Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, root().compilations);
    }

    /** This state with {@code r} created or replaced. */
    public MeshSnapshot with(Resource r) {
        return changed(r.ref(), r);
    }

    /** This state with {@code ref} deleted. */
    public MeshSnapshot without(ObjectRef ref) {
        return resources.containsKey(ref) ? changed(ref, null) : this;
    }

    /**
     * The state after one change. A change to an Istio or Gateway API object or a NetworkPolicy is applied
     * to this snapshot's indexes (the result shares everything else with this one); a change to a
     * Namespace, Service or workload, which many indexes depend on, to a Sidecar or the mesh config (rare), or to
     * a delegate VirtualService, builds the state again.
     */
    private MeshSnapshot changed(ObjectRef ref, Resource to) {
        return switch (ref.kind()) {
            case NAMESPACE, SERVICE, DEPLOYMENT, POD, SIDECAR, CONFIG_MAP, VIRTUAL_SERVICE -> {
                if (ref.kind() == Kind.VIRTUAL_SERVICE && !delegation(resources.get(ref)) && !delegation(to)) {
                    yield new MeshSnapshot(this, ref, to);
                }
                Layer<ObjectRef, Resource> copy = new Layer<>();
                for (Resource r : resources.values()) {
                    copy.put(r.ref(), r);
                }
                if (to == null) {
                    copy.remove(ref);
                } else {
                    copy.put(ref, to);
                }
                yield rebuild(copy.values());
            }
            default -> new MeshSnapshot(this, ref, to);
        };
    }

    /**
     * True for a delegate VirtualService (no hosts): it changes the routes of the roots that name it, so a
     * change to it builds the state again (rare, unlike ordinary route changes).
     */
    private static boolean delegation(Resource r) {
        return r != null && r.object() instanceof VirtualService vs && VirtualServiceRoutes.isDelegate(vs);
    }

    // ---------------------------------------------------------------- derived by one change

    /**
     * The index of the changed object's kind is derived from this one's, sharing everything else; so are the
     * indexes that depend on it (the routes attached to a changed ServiceEntry, the gateway workloads of a
     * changed Gateway or route). The other indexes are this snapshot's own.
     */
    private MeshSnapshot(MeshSnapshot before, ObjectRef ref, Resource to) {
        Resource from = before.resources.get(ref);
        this.settings = before.settings;
        this.change = new Change(before, ref, from, to);
        this.compilations = Compilations.NONE;
        this.resources = new Layer<>(before.resources);
        this.positions = new Positions(before.positions);
        if (to == null) {
            resources.remove(ref);
        } else {
            if (from == null) {
                positions.add(ref);
            }
            resources.put(ref, to);
        }
        this.cluster = before.cluster;
        ServiceEntryIndex serviceEntries = before.serviceEntries;
        DestinationRuleIndex destinationRules = before.destinationRules;
        GatewayIndex gateways = before.gateways;
        RouteIndex routes = before.routes;
        NetworkPolicyIndex networkPolicies = before.networkPolicies;
        GatewayWorkloadIndex gatewayWorkloads = before.gatewayWorkloads;
        switch (ref.kind()) {
            case SERVICE_ENTRY -> {
                serviceEntries = before.serviceEntries.changed(positions, ref, to);
                // Gateway API routes attached to this entry take its hosts: they change with it.
                List<ObjectRef> attached = List.copyOf(before.routes.routesAttachedTo(ref));
                if (!attached.isEmpty()) {
                    RouteIndex.Replaced replaced = new RouteIndex.Replaced();
                    routes = before.routes.changed(positions, attached, routeSources(serviceEntries), replaced);
                    gatewayWorkloads = before.gatewayWorkloads.afterRouteChange(replaced, cluster, gateways, routes);
                }
            }
            case DESTINATION_RULE -> destinationRules = before.destinationRules.changed(ref, to);
            case GATEWAY, KUBERNETES_GATEWAY -> {
                gateways = before.gateways.changed(positions, from, to);
                gatewayWorkloads = before.gatewayWorkloads.afterGatewayChange(before.gateways, gateways, from, to,
                        cluster, routes);
            }
            case VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE -> {
                RouteIndex.Replaced replaced = new RouteIndex.Replaced();
                routes = before.routes.changed(positions, List.of(ref), routeSources(serviceEntries), replaced);
                gatewayWorkloads = before.gatewayWorkloads.afterRouteChange(replaced, cluster, gateways, routes);
            }
            case NETWORK_POLICY -> networkPolicies = before.networkPolicies.changed(positions, from, to);
            default -> {
            }
        }
        this.serviceEntries = serviceEntries;
        this.destinationRules = destinationRules;
        this.gateways = gateways;
        this.routes = routes;
        this.networkPolicies = networkPolicies;
        this.gatewayWorkloads = gatewayWorkloads;
    }

    /** What recompiling a route of this snapshot reads, with the ServiceEntries {@code serviceEntries}. */
    private RouteIndex.Sources routeSources(ServiceEntryIndex serviceEntries) {
        return new RouteIndex.Sources(resources, serviceEntries, cluster, compilations);
    }

    private MeshSnapshot root() {
        return change == null ? this : change.before().root();
    }

    /** Hosts of the ServiceEntry {@code namespace/name}, empty when it does not exist. */
    public List<String> serviceEntryHosts(String namespace, String name) {
        return serviceEntries.hosts(namespace, name);
    }

    // ---------------------------------------------------------------- queries

    /**
     * An index derived from this snapshot, computed once on first use and shared by every rule (and every
     * thread) that asks for it. {@code compute} must not ask for another derived index.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, java.util.function.Function<MeshSnapshot, T> compute) {
        Object v = derived.get(key);
        if (v == null) {
            v = compute.apply(this);
            Object prev = derived.putIfAbsent(key, v);
            v = prev == null ? v : prev;
        }
        return (T) v;
    }

    /**
     * Like {@link #derived}, for an index computed from Namespaces alone: a snapshot derived by a change
     * (which never changes Namespaces) shares it with the one it came from.
     */
    public <T> T derivedFromNamespaces(Object key, java.util.function.Function<MeshSnapshot, T> compute) {
        return change != null ? change.before().derivedFromNamespaces(key, compute) : derived(key, compute);
    }

    /** How this snapshot differs from the one it was derived from by {@link #with}/{@link #without}. */
    public Optional<Change> change() {
        return Optional.ofNullable(change);
    }

    /** Mesh route destinations to {@code subset} of {@code host} that sidecars of {@code client} apply (null: public routes). */
    public List<SubsetUse> subsetUses(String host, String client, String subset) {
        return routes.subsetUses(host, client, subset);
    }

    /** Subsets of {@code host} that mesh routes exported to {@code client} send to (null: public routes). */
    public Set<String> subsetsRoutedFrom(String host, String client) {
        return routes.subsetsRoutedFrom(host, client);
    }

    /** Gateway API routes attached to the ServiceEntry {@code ref} (parentRef of kind ServiceEntry). */
    public List<ObjectRef> routesAttachedTo(ObjectRef serviceEntry) {
        return routes.routesAttachedTo(serviceEntry);
    }

    /** Subsets of {@code host} that some mesh route sends to, public or exported. */
    public Set<String> routedSubsets(String host) {
        return routes.routedSubsets(host);
    }

    /** True when a route exported to named client namespaces sends some of them to {@code subset} of {@code host}. */
    public boolean subsetRoutedByExport(String host, String subset) {
        return routes.subsetRoutedByExport(host, subset);
    }

    /**
     * Client namespaces that routes exported to them send to {@code subset} of {@code host}, sorted. Walks the
     * routes to the host: for whole-state questions.
     */
    public Set<String> subsetClients(String host, String subset) {
        return routes.subsetClients(host, subset, cluster);
    }

    /**
     * Sidecar-injected namespaces that hold clients, sorted. A namespace whose known workloads are all gateway
     * proxies (an egress gateway installed in its own injected namespace, as Istio's gateway chart does) holds
     * no sidecar client: gateways do not apply mesh routes.
     */
    public List<String> injectedNamespaces() {
        return cluster.injectedNamespaces();
    }

    public MeshSettings settings() {
        return settings;
    }

    public String rootNamespace() {
        return settings.rootNamespace();
    }

    public Collection<Resource> resources() {
        return resources.values();
    }

    public Optional<Resource> resource(ObjectRef ref) {
        return Optional.ofNullable(resources.get(ref));
    }

    public int size() {
        return resources.size();
    }

    /**
     * True when the state holds the cluster's namespace list, not just some Namespace objects: a cluster (the
     * informers) always lists the root namespace and kube-system, while manifests often create only their own
     * namespace, which says nothing about the others.
     */
    public boolean namespacesKnown() {
        return cluster.namespacesKnown();
    }

    public Optional<Map<String, String>> namespaceLabels(String ns) {
        return cluster.namespaceLabels(ns);
    }

    public Set<String> namespaces() {
        return cluster.namespaces();
    }

    public boolean sidecarInjected(String ns) {
        return cluster.sidecarInjected(ns);
    }

    /**
     * Namespaces whose sidecars receive an object exported with {@code exportTo}: sidecar-injected
     * namespaces it is visible to. When the state has no Namespace objects, only the object's own namespace
     * is known to hold clients.
     */
    public List<String> clientNamespaces(ExportTo exportTo) {
        return cluster.clientNamespaces(exportTo);
    }

    /**
     * The client namespaces of a mesh route whose sidecars receive it: {@link #clientNamespaces(ExportTo)} less
     * the namespaces whose Sidecar does not import it (a route they never apply cannot break them).
     */
    public List<String> clientNamespaces(RouteRule rule) {
        List<String> all = clientNamespaces(rule.clients());
        if (!cluster.hasNamespaceSidecars()) {
            return all;
        }
        return all.stream().filter(ns -> importsRoutes(ns, rule.source())).toList();
    }

    /** True when the state shows the cluster's workloads (Deployments or Pods). */
    public boolean workloadsKnown() {
        return cluster.workloadsKnown();
    }

    /** The pod labels of the workloads known in {@code ns}. */
    public List<Map<String, String>> workloadLabels(String ns) {
        return cluster.workloadLabels(ns);
    }

    public boolean anyWorkloadMatches(Map<String, String> selector) {
        return cluster.anyWorkloadMatches(selector);
    }

    public Optional<Service> service(String host) {
        return cluster.service(host);
    }

    // ---------------------------------------------------------------- sidecar scope and outbound policy

    /**
     * The outbound traffic policy of sidecars in a namespace: what they do with traffic for which they have no
     * route or listener. ALLOW_ANY (Istio's default) passes it through (PassthroughCluster), REGISTRY_ONLY sends
     * it to BlackHoleCluster (502 for HTTP, a reset otherwise). Gateways are not concerned.
     *
     * @param registryOnly true for REGISTRY_ONLY
     * @param source       what sets it: the namespace's Sidecar, the mesh config ConfigMap, or null (the default)
     */
    public record OutboundTrafficPolicy(boolean registryOnly, ObjectRef source) {

        public String mode() {
            return registryOnly ? "REGISTRY_ONLY" : "ALLOW_ANY";
        }

        /** What sidecars do with traffic they have no route or listener for, in a few words. */
        public String consequence() {
            return registryOnly ? "sidecars answer 502 / reset it (REGISTRY_ONLY)"
                    : "traffic leaves directly, bypassing the gateway (ALLOW_ANY)";
        }
    }

    /**
     * The Sidecar that scopes the proxies of {@code namespace}: its own oldest Sidecar without workloadSelector,
     * else the root namespace's (pilot {@code PushContext.getSidecarScope}); empty when none applies (the
     * namespace sees everything exported to it). Sidecars with a workloadSelector scope the pods they select
     * ({@link #sidecarScope(String, Map)}), not the namespace.
     */
    public Optional<SidecarScope> sidecarScope(String namespace) {
        if (!cluster.hasNamespaceSidecars() || namespace == null) {
            return Optional.empty();
        }
        return derived(new SidecarKey(namespace), snapshot -> cluster.sidecarScope(namespace));
    }

    /**
     * The Sidecar that scopes a pod of {@code namespace} with these labels: the oldest Sidecar of the namespace
     * whose workloadSelector selects the pod, else the namespace's ({@link #sidecarScope(String)}).
     */
    public Optional<SidecarScope> sidecarScope(String namespace, Map<String, String> podLabels) {
        return podLabels.isEmpty() ? sidecarScope(namespace) : cluster.sidecarScope(namespace, podLabels);
    }

    private record SidecarKey(String namespace) {
    }

    /** The hosts of a route object's rules (a VirtualService's spec.hosts), computed once per snapshot. */
    private List<String> routeHosts(ObjectRef source) {
        return derived(new RouteHostsKey(source), snapshot -> {
            Set<String> hosts = new LinkedHashSet<>();
            routes(source).forEach(r -> hosts.addAll(r.hosts()));
            return List.copyOf(hosts);
        });
    }

    private record RouteHostsKey(ObjectRef source) {
    }

    /** The outbound traffic policy of sidecars in {@code namespace}: their Sidecar's, else the mesh config's. */
    public OutboundTrafficPolicy outboundTrafficPolicy(String namespace) {
        return outboundTrafficPolicy(sidecarScope(namespace));
    }

    /** The outbound traffic policy of proxies in this scope: their Sidecar's, else the mesh config's. */
    public OutboundTrafficPolicy outboundTrafficPolicy(Optional<SidecarScope> scope) {
        if (scope.isPresent() && scope.get().registryOnly() != null) {
            return new OutboundTrafficPolicy(scope.get().registryOnly(), scope.get().ref());
        }
        return cluster.meshOutboundTrafficPolicy();
    }

    /**
     * True when sidecars of {@code namespace} import the VirtualService {@code source} (any other route kind is
     * taken as imported): without a Sidecar everything exported to the namespace is.
     */
    public boolean importsRoutes(String namespace, ObjectRef source) {
        return importsRoutes(sidecarScope(namespace), source);
    }

    /** True when proxies in this scope import the VirtualService {@code source} (no scope: they do). */
    public boolean importsRoutes(Optional<SidecarScope> scope, ObjectRef source) {
        if (scope.isEmpty() || source.kind() != Kind.VIRTUAL_SERVICE) {
            return true;
        }
        return scope.get().importsVirtualService(source.namespace(), routeHosts(source));
    }

    /**
     * True when sidecars of {@code namespace} have listeners for {@code host}: a ServiceEntry (or Service) for it
     * visible to the namespace falls under their Sidecar's {@code egress.hosts}. Listeners come from those
     * services only (pilot {@code IstioEgressListenerWrapper.Services}, read by the listener builder); the
     * destinations of imported VirtualServices are added as clusters, not listeners
     * ({@code SidecarScope.collectImportedServices}). Without a Sidecar: true.
     */
    public boolean importsHost(String namespace, String host) {
        return importsHost(sidecarScope(namespace), namespace, host);
    }

    /** {@link #importsHost(String, String)} for proxies of {@code namespace} in this scope. */
    public boolean importsHost(Optional<SidecarScope> scope, String namespace, String host) {
        if (scope.isEmpty()) {
            return true;
        }
        for (ServiceEntryInfo se : serviceEntriesDeclaring(host)) {
            if (!se.exportTo().visibleTo(namespace)) {
                continue;
            }
            for (String h : se.hosts()) {
                if (Hosts.covers(h, host) && scope.get().importsService(se.ref().namespace(), h)) {
                    return true;
                }
            }
        }
        Optional<String> serviceNamespace = Hosts.serviceNamespace(host);
        return serviceNamespace.isPresent() && scope.get().importsService(serviceNamespace.get(), host);
    }

    public Optional<IstiodInfo> istiod() {
        return cluster.istiod();
    }

    // ---------------------------------------------------------------- ServiceEntries and DestinationRules

    public Collection<ServiceEntryInfo> serviceEntries() {
        return serviceEntries.all();
    }

    public Optional<ServiceEntryInfo> serviceEntry(ObjectRef ref) {
        return serviceEntries.get(ref);
    }

    /** ServiceEntries whose hosts cover {@code host} (exactly or by wildcard), in any namespace. */
    public List<ServiceEntryInfo> serviceEntriesDeclaring(String host) {
        return serviceEntries.declaring(host);
    }

    /**
     * The ServiceEntry that declares exactly {@code host}, visible from {@code namespace}: what a gateway route
     * or a Gateway API {@code Hostname} backend needs. Clusters exist only for registry host names
     * ({@code outbound|443||*.wikipedia.org}), and pilot looks a route's destination up exactly
     * ({@code PushContext.ServiceForHostname}): a wildcard entry never serves a destination it covers.
     */
    public Optional<ServiceEntryInfo> exactServiceEntryFor(String host, String namespace) {
        return serviceEntries.exactFor(host, namespace);
    }

    /**
     * The ServiceEntry a proxy in {@code namespace} uses for {@code host}: an exact host before a wildcard,
     * the most specific wildcard first, only entries exported to that namespace.
     */
    public Optional<ServiceEntryInfo> serviceEntryFor(String host, String namespace) {
        return serviceEntries.usedFor(host, namespace);
    }

    public Collection<DestinationRuleInfo> destinationRules() {
        return destinationRules.all();
    }

    public Optional<DestinationRuleInfo> destinationRule(ObjectRef ref) {
        return destinationRules.get(ref);
    }

    /** DestinationRules of one namespace grouped by (fully qualified) host, oldest first. */
    public Map<String, List<DestinationRuleInfo>> destinationRulesIn(String namespace) {
        return destinationRules.in(namespace);
    }

    /** DestinationRules whose (fully qualified) host is exactly {@code host}, in every namespace. */
    public List<DestinationRuleInfo> destinationRulesFor(String host) {
        return destinationRules.forHost(host);
    }

    // ---------------------------------------------------------------- routes

    public List<RouteRule> routes(ObjectRef source) {
        return routes.routes(source);
    }

    /** Mesh (sidecar) routes whose hosts intersect {@code host}. */
    public List<RouteRule> meshRoutesFor(String host) {
        return routes.meshRoutesFor(host);
    }

    /**
     * The sources (VirtualServices, Gateway API mesh routes) of {@code routes} visible to sidecars of
     * {@code clientNamespace}, in pilot's precedence (SelectVirtualServices): those private to the namespace,
     * then those exported to it by name, then the public ones, each oldest first (creation time, then name).
     * For one host the first whose route matches the traffic wins; later ones are ignored on that sidecar.
     */
    public List<ObjectRef> sidecarPrecedence(List<RouteRule> routes, String clientNamespace) {
        return RouteIndex.sidecarPrecedence(routes, clientNamespace,
                ref -> resource(ref).map(Resource::creationOrder).orElse(Long.MAX_VALUE));
    }

    /** Gateway-bound routes whose hosts intersect {@code host} (which must not be a wildcard). */
    public List<RouteRule> gatewayRoutesFor(String host) {
        return routes.gatewayRoutesFor(host);
    }

    /**
     * Mesh routes with a destination on {@code host} that sidecars of {@code client} apply because they are
     * exported to it; {@code client} null: the public ones, which every sidecar-injected namespace applies.
     */
    public List<RouteRule> meshRoutesTo(String host, String client) {
        return routes.meshRoutesTo(host, client);
    }

    /** Mesh routes with a destination on {@code host}. */
    public List<RouteRule> meshRoutesTo(String host) {
        return routes.meshRoutesTo(host);
    }

    /** Gateway-bound routes with a destination on {@code host}. */
    public List<RouteRule> gatewayRoutesTo(String host) {
        return routes.gatewayRoutesTo(host);
    }

    /** Routes bound to one gateway. */
    public List<RouteRule> routesBoundTo(Binding gateway) {
        return routes.routesBoundTo(gateway);
    }

    // ---------------------------------------------------------------- gateways and their workloads

    public Optional<ObjectRef> gateway(Binding b) {
        return gateways.gateway(b);
    }

    /** Every server of a Gateway as written, those pilot skips included. */
    public List<GatewayServer> allServers(Binding gateway) {
        return gateways.servers(gateway);
    }

    /** The servers of a Gateway that its proxies use: those pilot skips ({@link #skippedServer}) left out. */
    public List<GatewayServer> servers(Binding gateway) {
        return gatewayWorkloads.kept(gateways.servers(gateway));
    }

    /**
     * The server pilot keeps instead of {@code server} when it skips it: the older server on the same proxies,
     * port and bind that already serves one of its TLS hosts; empty when {@code server} is kept.
     */
    public Optional<GatewayServer> skippedServer(GatewayServer server) {
        return gatewayWorkloads.skippedServer(server, gateways);
    }

    public Optional<GatewayWorkload> workload(String serviceHost) {
        return gatewayWorkloads.workload(serviceHost);
    }

    public Optional<GatewayWorkload> egressGateway(String serviceHost) {
        return gatewayWorkloads.egressGateway(serviceHost);
    }

    public List<GatewayWorkload> workloadsOf(Binding gateway) {
        return gatewayWorkloads.workloadsOf(gateway);
    }

    public Collection<GatewayWorkload> gatewayWorkloads() {
        return gatewayWorkloads.all();
    }

    /** True when the gateway configuration runs on egress gateway proxies. */
    public boolean isEgressGateway(Binding gateway) {
        return gatewayWorkloads.isEgressGateway(gateway);
    }

    /**
     * How sidecars of {@code namespace} reach egress gateways: through mesh routes exported to it, when the
     * namespace is sidecar-injected. Without Namespace objects, through routes of the namespace itself.
     */
    public Set<EgressUse> egressUsesFrom(String namespace) {
        return gatewayWorkloads.egressUsesFrom(namespace, cluster);
    }

    /** True when a mesh route that sidecars of {@code namespace} apply uses this subset of the gateway. */
    public boolean subsetUsedFrom(String gatewayHost, String namespace, String subset) {
        return gatewayWorkloads.subsetUsedFrom(gatewayHost, namespace, subset);
    }

    public List<NetworkPolicy> networkPolicies(String namespace) {
        return networkPolicies.in(namespace);
    }

    static Map<String, String> labelsOf(HasMetadata o) {
        return o.getMetadata() == null ? Map.of() : nonNull(o.getMetadata().getLabels());
    }

    static <K, V> Map<K, V> nonNull(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    /** The place of the instance {@code o} in {@code l}, {@code l.size()} when it is not there. */
    static int indexOf(List<?> l, Object o) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) == o) {
                return i;
            }
        }
        return l.size();
    }
}
