package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.mesh.GatewayApiRoutes;
import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.mesh.VirtualServiceRoutes;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.OutboundTrafficPolicyMode;
import io.fabric8.istio.api.api.networking.v1alpha3.Server;
import io.fabric8.istio.api.api.networking.v1alpha3.ServicePort;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, indexed view of the mesh configuration. Everything a rule asks is answered from an index
 * built here, so checking one object costs the same in a small and in a large mesh.
 */
public final class MeshSnapshot {

    /** Label Kubernetes puts on every Namespace (since 1.21): selectors can always match it. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
    private static final String ALL = "*";

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

    /** What was derived from one object alone, kept so that the next snapshot need not derive it again. */
    private record Compiled(Resource source, Object value) {
    }

    private record SubsetKey(String host, String client, String subset) {
    }

    private record HostKey(String host, String key) {
    }

    /** An egress use as indexed: by the gateway's Service host, so that a changed Gateway leaves it valid. */
    private record GatewayPort(String host, Integer port) implements Comparable<GatewayPort> {
        private static final Comparator<GatewayPort> ORDER = Comparator.comparing(GatewayPort::host)
                .thenComparing(GatewayPort::port, Comparator.nullsFirst(Comparator.naturalOrder()));

        @Override
        public int compareTo(GatewayPort o) {
            return ORDER.compare(this, o);
        }
    }

    private final MeshSettings settings;
    private final Change change;

    private final Layer<ObjectRef, Resource> resources;
    private final Layer<ObjectRef, Long> positions;
    private long nextPosition;
    private final MultiIndex<Kind, Resource> byKind;

    // Namespaces, Services and workloads: a change to one of them builds a new snapshot from scratch, so
    // snapshots derived by a change share these with the one they came from.
    private final Map<String, Map<String, String>> namespaceLabels;
    private final List<String> injectedNamespaces;
    private final Map<String, Service> servicesByHost;
    private final List<Map<String, String>> workloadLabels;
    private final Map<String, List<Map<String, String>>> workloadLabelsByNamespace;
    private final IstiodInfo istiod;
    /** Sidecars without workloadSelector by namespace, oldest first: the first scopes the namespace. */
    private final Map<String, List<Resource>> namespaceSidecars;
    /** The mesh config ConfigMap ({@code istio} in the root namespace), null when not in the state. */
    private final Resource meshConfig;
    /** The mesh-wide {@code outboundTrafficPolicy.mode}: true for REGISTRY_ONLY (Istio's default is ALLOW_ANY). */
    private final boolean meshRegistryOnly;

    private final Layer<ObjectRef, ServiceEntryInfo> serviceEntries;
    private final MultiIndex<String, ServiceEntryInfo> serviceEntriesByHost;
    private final MultiIndex<String, ServiceEntryInfo> wildcardServiceEntries;
    /** Gateway API routes attached to a ServiceEntry (parentRef of kind ServiceEntry), by that entry. */
    private final MultiIndex<ObjectRef, ObjectRef> routesAttachedToServiceEntry;
    private final Layer<ObjectRef, List<ObjectRef>> serviceEntriesAttachedTo;

    private final Layer<ObjectRef, DestinationRuleInfo> destinationRules;
    private final Layer<String, Map<String, List<DestinationRuleInfo>>> destinationRulesByNamespace;
    private final MultiIndex<String, DestinationRuleInfo> destinationRulesByHost;

    private final Layer<Binding, ObjectRef> gateways;
    private final Layer<Binding, List<GatewayServer>> serversByGateway;

    private final Layer<ObjectRef, List<RouteRule>> routesBySource;
    private final MultiIndex<String, RouteRule> meshRoutesByHost;
    private final MultiIndex<String, RouteRule> wildcardMeshRoutes;
    private final MultiIndex<Binding, RouteRule> routesByGateway;
    private final MultiIndex<String, RouteRule> gatewayRoutesByHost;
    private final MultiIndex<String, RouteRule> wildcardGatewayRoutes;
    private final MultiIndex<String, RouteRule> meshRoutesByDestination;
    private final MultiIndex<String, RouteRule> gatewayRoutesByDestination;
    private final MultiIndex<HostKey, RouteRule> meshRoutesByDestinationAndClient;
    private final MultiIndex<SubsetKey, SubsetUse> subsetUses;
    private final CountIndex<String, String> exportedSubsets;
    private final CountIndex<HostKey, String> clientSubsets;

    private final MultiIndex<String, NetworkPolicy> networkPoliciesByNamespace;

    // Gateway workloads and what sidecars send to them: rebuilt when a Gateway changes or a gateway starts
    // or stops being an egress gateway; otherwise patched.
    private Map<String, GatewayWorkload> workloadsByServiceHost;
    private Map<Binding, List<String>> workloadsByGateway;
    private Set<String> egressByLabels;
    private CountIndex<String, GatewayPort> publicEgressUses;
    private CountIndex<String, GatewayPort> egressUsesByVisibleNamespace;
    private CountIndex<String, GatewayPort> egressUsesByRouteNamespace;
    private CountIndex<String, String> publicSubsetsByGateway;
    private CountIndex<HostKey, String> exportedSubsetsByGateway;
    /** Servers pilot skips on every proxy they apply to: a TLS host already served on the port (EG405). */
    private Set<GatewayServer> skippedServers = Set.of();

    private final Map<Object, Object> derived = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ObjectRef, Compiled> compiled;
    private final Map<ObjectRef, Compiled> previous;

    // ---------------------------------------------------------------- full build

    private MeshSnapshot(MeshSettings settings, Collection<Resource> input, Map<ObjectRef, Compiled> previous) {
        this.settings = settings;
        this.change = null;
        this.previous = previous;
        this.compiled = new HashMap<>();
        this.resources = new Layer<>();
        this.positions = new Layer<>();
        this.byKind = new MultiIndex<>(this::byPosition);
        for (Resource r : input) {
            if (resources.get(r.ref()) == null) {
                positions.put(r.ref(), nextPosition++);
            }
            resources.put(r.ref(), r);
        }
        for (Resource r : resources.values()) {
            byKind.add(r.kind(), r);
        }
        namespaceLabels = new HashMap<>();
        List<String> injected = new ArrayList<>();
        servicesByHost = new HashMap<>();
        workloadLabels = new ArrayList<>();
        workloadLabelsByNamespace = new HashMap<>();
        IstiodInfo istiodFound = null;
        Map<String, List<Resource>> sidecars = new HashMap<>();
        Resource meshConfigFound = null;
        for (Resource r : resources.values()) {
            switch (r.kind()) {
                case NAMESPACE -> {
                    Map<String, String> labels = new HashMap<>(labelsOf(r.object()));
                    labels.putIfAbsent(NAMESPACE_NAME_LABEL, r.ref().name());
                    namespaceLabels.put(r.ref().name(), labels);
                    if (sidecarInjected(labels)) {
                        injected.add(r.ref().name());
                    }
                }
                case SERVICE -> servicesByHost.put(Hosts.serviceHost(r.ref().name(), r.ref().namespace()), (Service) r.object());
                case DEPLOYMENT -> {
                    Deployment d = (Deployment) r.object();
                    Map<String, String> labels = d.getSpec() == null || d.getSpec().getTemplate() == null
                            || d.getSpec().getTemplate().getMetadata() == null ? Map.of()
                            : nonNull(d.getSpec().getTemplate().getMetadata().getLabels());
                    addWorkload(r.ref().namespace(), labels);
                    if ("istiod".equals(r.ref().name()) && r.ref().namespace().equals(settings.rootNamespace())) {
                        istiodFound = istiodInfo(d);
                    }
                }
                case POD -> addWorkload(r.ref().namespace(), labelsOf(r.object()));
                case SIDECAR -> {
                    Sidecar sc = (Sidecar) r.object();
                    if (sc.getSpec() == null || sc.getSpec().getWorkloadSelector() == null) {
                        sidecars.computeIfAbsent(r.ref().namespace(), k -> new ArrayList<>()).add(r);
                    }
                }
                case CONFIG_MAP -> {
                    if (r.ref().namespace().equals(settings.rootNamespace()) && r.ref().name().equals(io.egressguard.load.ModelTypes.MESH_CONFIG_NAME)) {
                        meshConfigFound = r;
                    }
                }
                default -> {
                }
            }
        }
        injected.removeIf(this::runsOnlyGateways);
        injected.sort(Comparator.naturalOrder());
        injectedNamespaces = java.util.Collections.unmodifiableList(injected);
        istiod = istiodFound;
        sidecars.values().forEach(l -> l.sort(Comparator.comparingLong(Resource::creationOrder)
                .thenComparing(x -> x.ref().name())));
        namespaceSidecars = sidecars;
        meshConfig = meshConfigFound;
        meshRegistryOnly = meshConfigFound != null && registryOnly((ConfigMap) meshConfigFound.object());

        serviceEntries = new Layer<>();
        serviceEntriesByHost = new MultiIndex<>(this::serviceEntryOrder);
        wildcardServiceEntries = new MultiIndex<>(this::serviceEntryOrder);
        routesAttachedToServiceEntry = new MultiIndex<>(this::byPosition);
        serviceEntriesAttachedTo = new Layer<>();
        destinationRules = new Layer<>();
        destinationRulesByNamespace = new Layer<>();
        destinationRulesByHost = new MultiIndex<>(DESTINATION_RULE_ORDER);
        gateways = new Layer<>();
        serversByGateway = new Layer<>();
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
        networkPoliciesByNamespace = new MultiIndex<>(this::networkPolicyOrder);

        for (Resource r : ofKind(Kind.SERVICE_ENTRY)) {
            indexServiceEntry(compile(r, () -> serviceEntryInfo(r)), true);
        }
        List<DestinationRuleInfo> rules = new ArrayList<>();
        for (Resource r : ofKind(Kind.DESTINATION_RULE)) {
            DestinationRuleInfo info = compile(r, () -> destinationRuleInfo(r));
            if (info != null) {
                rules.add(info);
            }
        }
        rules.sort(DESTINATION_RULE_ORDER);
        rules.forEach(d -> indexDestinationRule(d, true));
        for (Resource r : ofKind(Kind.GATEWAY)) {
            indexGateway(r, true);
        }
        for (Resource r : ofKind(Kind.KUBERNETES_GATEWAY)) {
            indexGateway(r, true);
        }
        for (Resource r : resources.values()) {
            if (isRoute(r.kind())) {
                List<RouteRule> compiledRules = compileRoutes(r);
                routesBySource.put(r.ref(), compiledRules);
                compiledRules.forEach(rule -> indexRoute(rule, true));
            }
        }
        for (Resource r : ofKind(Kind.NETWORK_POLICY)) {
            networkPoliciesByNamespace.add(r.ref().namespace(), (NetworkPolicy) r.object());
        }
        indexGatewayWorkloads();
    }

    public static MeshSnapshot of(MeshSettings settings, Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, Map.of());
    }

    /**
     * A new state from {@code resources}, reusing what this one derived from the objects that did not change
     * (the same {@link Resource} instance): informer rebuilds recompile only what changed.
     */
    public MeshSnapshot rebuild(Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, root().compiled);
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

    private MeshSnapshot(MeshSnapshot before, ObjectRef ref, Resource to) {
        Resource from = before.resources.get(ref);
        this.settings = before.settings;
        this.change = new Change(before, ref, from, to);
        this.previous = Map.of();
        this.compiled = Map.of();
        this.resources = new Layer<>(before.resources);
        this.positions = new Layer<>(before.positions);
        this.nextPosition = before.nextPosition;
        this.byKind = new MultiIndex<>(before.byKind, this::byPosition);
        namespaceLabels = before.namespaceLabels;
        injectedNamespaces = before.injectedNamespaces;
        servicesByHost = before.servicesByHost;
        workloadLabels = before.workloadLabels;
        workloadLabelsByNamespace = before.workloadLabelsByNamespace;
        istiod = before.istiod;
        namespaceSidecars = before.namespaceSidecars;
        meshConfig = before.meshConfig;
        meshRegistryOnly = before.meshRegistryOnly;
        serviceEntries = new Layer<>(before.serviceEntries);
        serviceEntriesByHost = new MultiIndex<>(before.serviceEntriesByHost, this::serviceEntryOrder);
        wildcardServiceEntries = new MultiIndex<>(before.wildcardServiceEntries, this::serviceEntryOrder);
        routesAttachedToServiceEntry = new MultiIndex<>(before.routesAttachedToServiceEntry, this::byPosition);
        serviceEntriesAttachedTo = new Layer<>(before.serviceEntriesAttachedTo);
        destinationRules = new Layer<>(before.destinationRules);
        destinationRulesByNamespace = new Layer<>(before.destinationRulesByNamespace);
        destinationRulesByHost = new MultiIndex<>(before.destinationRulesByHost, DESTINATION_RULE_ORDER);
        gateways = new Layer<>(before.gateways);
        serversByGateway = new Layer<>(before.serversByGateway);
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
        networkPoliciesByNamespace = new MultiIndex<>(before.networkPoliciesByNamespace, this::networkPolicyOrder);
        workloadsByServiceHost = before.workloadsByServiceHost;
        workloadsByGateway = before.workloadsByGateway;
        egressByLabels = before.egressByLabels;
        publicEgressUses = new CountIndex<>(before.publicEgressUses);
        egressUsesByVisibleNamespace = new CountIndex<>(before.egressUsesByVisibleNamespace);
        egressUsesByRouteNamespace = new CountIndex<>(before.egressUsesByRouteNamespace);
        publicSubsetsByGateway = new CountIndex<>(before.publicSubsetsByGateway);
        exportedSubsetsByGateway = new CountIndex<>(before.exportedSubsetsByGateway);
        skippedServers = before.skippedServers;

        // Objects by kind are listed again only to find the gateway workloads: other kinds need not be kept.
        boolean listed = ref.kind() == Kind.GATEWAY || ref.kind() == Kind.KUBERNETES_GATEWAY;
        if (from != null && listed) {
            byKind.remove(ref.kind(), from);
        }
        if (to == null) {
            resources.remove(ref);
        } else {
            if (from == null) {
                positions.put(ref, nextPosition++);
            }
            resources.put(ref, to);
            if (listed) {
                byKind.add(ref.kind(), to);
            }
        }
        Set<String> touchedHosts = new LinkedHashSet<>();
        boolean gatewaysChanged = false;
        switch (ref.kind()) {
            case SERVICE_ENTRY -> {
                indexServiceEntry(before.serviceEntries.get(ref), false);
                indexServiceEntry(to == null ? null : serviceEntryInfo(to), true);
                // Gateway API routes attached to this entry take its hosts: they change with it.
                for (ObjectRef route : List.copyOf(before.routesAttachedToServiceEntry.get(ref))) {
                    replaceRoutes(route, resources.get(route), touchedHosts);
                }
            }
            case DESTINATION_RULE -> {
                DestinationRuleInfo old = before.destinationRules.get(ref);
                if (old != null) {
                    indexDestinationRule(old, false);
                }
                DestinationRuleInfo now = to == null ? null : destinationRuleInfo(to);
                if (now != null) {
                    indexDestinationRule(now, true);
                }
            }
            case GATEWAY, KUBERNETES_GATEWAY -> {
                if (from != null) {
                    indexGateway(from, false);
                }
                if (to != null) {
                    indexGateway(to, true);
                }
                gatewaysChanged = !replaceServers(before, from, to);
                if (!gatewaysChanged) {
                    skippedServers = skippedServers();
                }
            }
            case VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE -> replaceRoutes(ref, to, touchedHosts);
            case NETWORK_POLICY -> {
                if (from != null) {
                    networkPoliciesByNamespace.remove(ref.namespace(), (NetworkPolicy) from.object());
                }
                if (to != null) {
                    networkPoliciesByNamespace.add(ref.namespace(), (NetworkPolicy) to.object());
                }
            }
            default -> {
            }
        }
        for (String host : touchedHosts) {
            GatewayWorkload w = workloadsByServiceHost.get(host);
            if (w != null && w.egress() != carriesEgress(host, w.bindings())) {
                gatewaysChanged = true; // a gateway became, or stopped being, an egress gateway
            }
        }
        if (gatewaysChanged) {
            indexGatewayWorkloads();
        }
    }

    /** Replaces the routes of one VirtualService, HTTPRoute or TLSRoute ({@code to} null: removes them). */
    private void replaceRoutes(ObjectRef ref, Resource to, Set<String> touchedHosts) {
        for (RouteRule rule : routesBySource.getOrDefault(ref, List.of())) {
            indexRoute(rule, false);
            egressUses(rule, null, false);
            touched(rule, touchedHosts);
        }
        routesBySource.remove(ref);
        for (ObjectRef se : serviceEntriesAttachedTo.getOrDefault(ref, List.of())) {
            routesAttachedToServiceEntry.remove(se, ref);
        }
        serviceEntriesAttachedTo.remove(ref);
        if (to == null) {
            return;
        }
        List<RouteRule> rules = compileRoutes(to);
        routesBySource.put(ref, rules);
        for (RouteRule rule : rules) {
            indexRoute(rule, true);
            egressUses(rule, null, true);
            touched(rule, touchedHosts);
        }
    }

    /**
     * A Gateway whose servers changed but that still runs on the same proxies (same selector, or same
     * GatewayClass): its servers are replaced in place in the workloads it is bound to. False when the
     * workloads themselves may change and must be found again.
     */
    private boolean replaceServers(MeshSnapshot before, Resource from, Resource to) {
        if (from == null || to == null || !sameProxies(from, to)) {
            return false;
        }
        Binding b = to.kind() == Kind.GATEWAY ? Binding.istioGateway(to.ref().namespace(), to.ref().name())
                : Binding.kubernetesGateway(to.ref().namespace(), to.ref().name());
        List<GatewayServer> old = before.serversByGateway.getOrDefault(b, List.of());
        List<GatewayServer> now = serversByGateway.getOrDefault(b, List.of());
        Map<String, GatewayWorkload> replaced = new LinkedHashMap<>(workloadsByServiceHost);
        for (GatewayWorkload w : before.workloadsOf(b)) {
            if (to.kind() == Kind.KUBERNETES_GATEWAY && w.service() == null) {
                return false; // its ports come from the listeners
            }
            int at = indexOf(w.servers(), old.isEmpty() ? null : old.get(0));
            if (at == w.servers().size()) {
                return false; // no server of it to put the new ones in place of
            }
            List<GatewayServer> servers = new ArrayList<>(w.servers().subList(0, at));
            servers.addAll(now);
            servers.addAll(w.servers().subList(at + old.size(), w.servers().size()));
            replaced.put(w.serviceHost(), new GatewayWorkload(w.serviceHost(), w.namespace(), w.servicePorts(),
                    w.podLabels(), w.service(), w.bindings(), List.copyOf(servers), w.egress()));
        }
        workloadsByServiceHost = replaced;
        return true;
    }

    private static boolean sameProxies(Resource from, Resource to) {
        if (to.kind() == Kind.GATEWAY) {
            Gateway a = (Gateway) from.object();
            Gateway b = (Gateway) to.object();
            return (a.getSpec() == null ? Map.of() : nonNull(a.getSpec().getSelector()))
                    .equals(b.getSpec() == null ? Map.of() : nonNull(b.getSpec().getSelector()));
        }
        var a = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) from.object();
        var b = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) to.object();
        return a.getSpec() != null && b.getSpec() != null
                && java.util.Objects.equals(a.getSpec().getGatewayClassName(), b.getSpec().getGatewayClassName());
    }

    /** Gateway hosts whose egress role a route may decide: where it sends sidecars, and its gateways' hosts. */
    private void touched(RouteRule rule, Set<String> hosts) {
        for (RouteDestination d : rule.destinations()) {
            hosts.add(d.host());
        }
        for (Binding b : rule.bindings()) {
            hosts.addAll(workloadsByGateway.getOrDefault(b, List.of()));
        }
    }

    private MeshSnapshot root() {
        return change == null ? this : change.before().root();
    }

    // ---------------------------------------------------------------- indexes, one object at a time

    private static boolean isRoute(Kind k) {
        return k == Kind.VIRTUAL_SERVICE || k == Kind.HTTP_ROUTE || k == Kind.TLS_ROUTE;
    }

    private long position(ObjectRef ref) {
        Long p = positions.get(ref);
        return p == null ? Long.MAX_VALUE : p;
    }

    private int byPosition(Resource a, Resource b) {
        return Long.compare(position(a.ref()), position(b.ref()));
    }

    private int byPosition(ObjectRef a, ObjectRef b) {
        return Long.compare(position(a), position(b));
    }

    private int serviceEntryOrder(ServiceEntryInfo a, ServiceEntryInfo b) {
        return Long.compare(position(a.ref()), position(b.ref()));
    }

    private int networkPolicyOrder(NetworkPolicy a, NetworkPolicy b) {
        return Long.compare(position(new ObjectRef(Kind.NETWORK_POLICY, a.getMetadata().getNamespace(), a.getMetadata().getName())),
                position(new ObjectRef(Kind.NETWORK_POLICY, b.getMetadata().getNamespace(), b.getMetadata().getName())));
    }

    /** Routes in the order of their objects, then of their place in the object. */
    private int routeOrder(RouteRule a, RouteRule b) {
        int c = Long.compare(position(a.source()), position(b.source()));
        if (c != 0 || a == b) {
            return c;
        }
        List<RouteRule> rules = routesBySource.getOrDefault(a.source(), List.of());
        return Integer.compare(indexOf(rules, a), indexOf(rules, b));
    }

    private int subsetUseOrder(SubsetUse a, SubsetUse b) {
        int c = routeOrder(a.rule(), b.rule());
        return c != 0 ? c : Integer.compare(indexOf(a.rule().destinations(), a.destination()),
                indexOf(a.rule().destinations(), b.destination()));
    }

    private static int indexOf(List<?> l, Object o) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) == o) {
                return i;
            }
        }
        return l.size();
    }

    /**
     * Istio orders DestinationRules by creation time, then name, then namespace ({@code
     * sortConfigByCreationTime}): on merges the older rule wins.
     */
    private static final Comparator<DestinationRuleInfo> DESTINATION_RULE_ORDER = Comparator
            .comparingLong(DestinationRuleInfo::order).thenComparing(d -> d.ref().name())
            .thenComparing(d -> d.ref().namespace());

    private void addWorkload(String ns, Map<String, String> labels) {
        workloadLabels.add(labels);
        workloadLabelsByNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(labels);
    }

    private <T> T compile(Resource r, java.util.function.Supplier<T> derive) {
        if (change != null) {
            return derive.get(); // a derived snapshot compiles only the changed object
        }
        Compiled c = previous.get(r.ref());
        if (c == null || c.source() != r) {
            c = new Compiled(r, derive.get());
        }
        compiled.put(r.ref(), c);
        @SuppressWarnings("unchecked")
        T value = (T) c.value();
        return value;
    }

    private List<Resource> ofKind(Kind kind) {
        return byKind.get(kind);
    }

    private void indexServiceEntry(ServiceEntryInfo info, boolean add) {
        if (info == null) {
            return;
        }
        if (add) {
            serviceEntries.put(info.ref(), info);
        } else {
            serviceEntries.remove(info.ref());
        }
        for (String h : info.hosts()) {
            MultiIndex<String, ServiceEntryInfo> index = Hosts.isWildcard(h) ? wildcardServiceEntries : serviceEntriesByHost;
            index.edit(Hosts.isWildcard(h) ? ALL : h, info, add);
        }
    }

    private void indexDestinationRule(DestinationRuleInfo d, boolean add) {
        if (add) {
            destinationRules.put(d.ref(), d);
            destinationRulesByHost.add(d.host(), d);
        } else {
            destinationRules.remove(d.ref());
            destinationRulesByHost.remove(d.host(), d);
        }
        Map<String, List<DestinationRuleInfo>> inNamespace = destinationRulesByNamespace.get(d.namespace());
        if (change == null && inNamespace != null) {
            inNamespace.computeIfAbsent(d.host(), k -> new ArrayList<>()).add(d); // a full build adds in order
            return;
        }
        // a derived snapshot copies the (small) per-namespace map it changes
        Map<String, List<DestinationRuleInfo>> copy = new HashMap<>(inNamespace == null ? Map.of() : inNamespace);
        List<DestinationRuleInfo> list = new ArrayList<>(copy.getOrDefault(d.host(), List.of()));
        if (add) {
            int at = 0;
            while (at < list.size() && DESTINATION_RULE_ORDER.compare(list.get(at), d) <= 0) {
                at++;
            }
            list.add(at, d);
        } else {
            list.removeIf(x -> x.ref().equals(d.ref()));
        }
        if (list.isEmpty()) {
            copy.remove(d.host());
        } else {
            copy.put(d.host(), list);
        }
        if (copy.isEmpty()) {
            destinationRulesByNamespace.remove(d.namespace());
        } else {
            destinationRulesByNamespace.put(d.namespace(), copy);
        }
    }

    private void indexGateway(Resource r, boolean add) {
        Binding b = r.kind() == Kind.GATEWAY ? Binding.istioGateway(r.ref().namespace(), r.ref().name())
                : Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
        if (!add) {
            gateways.remove(b);
            serversByGateway.remove(b);
            return;
        }
        gateways.put(b, r.ref());
        if (r.kind() == Kind.GATEWAY) {
            serversByGateway.put(b, compile(r, () -> istioServers(r, b)));
            return;
        }
        var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
        List<GatewayServer> servers = new ArrayList<>();
        List<Listener> ls = g.getSpec() == null ? List.of() : nonNull(g.getSpec().getListeners());
        for (int i = 0; i < ls.size(); i++) {
            Listener l = ls.get(i);
            if (l != null && l.getPort() != null) {
                servers.add(GatewayServer.ofListener(r.ref(), b, "spec.listeners[" + i + "]", l));
            }
        }
        serversByGateway.put(b, List.copyOf(servers));
    }

    /** The routes of a VirtualService, HTTPRoute or TLSRoute; notes which ServiceEntries a route attaches to. */
    private List<RouteRule> compileRoutes(Resource r) {
        if (r.kind() == Kind.VIRTUAL_SERVICE) {
            VirtualService vs = (VirtualService) r.object();
            if (VirtualServiceRoutes.delegates(vs)) {
                // depends on its delegates too: compiled afresh, never reused from a previous state
                return VirtualServiceRoutes.compile(r.ref(), vs, (ns, name) -> resource(new ObjectRef(Kind.VIRTUAL_SERVICE, ns, name))
                        .map(d -> (VirtualService) d.object()).orElse(null));
            }
            return compile(r, () -> VirtualServiceRoutes.compile(r.ref(), vs));
        }
        List<ObjectRef> attached = new ArrayList<>();
        List<RouteRule> rules = GatewayApiRoutes.compile(r.ref(), r.object(), (ns, name) -> {
            attached.add(new ObjectRef(Kind.SERVICE_ENTRY, ns, name));
            return serviceEntryHosts(ns, name);
        });
        if (!attached.isEmpty()) {
            serviceEntriesAttachedTo.put(r.ref(), attached);
            attached.forEach(se -> routesAttachedToServiceEntry.add(se, r.ref()));
        }
        return rules;
    }

    private void indexRoute(RouteRule rule, boolean add) {
        for (Binding b : rule.bindings()) {
            if (b.isMesh()) {
                indexHostsAndDestinations(rule, add, meshRoutesByHost, wildcardMeshRoutes, meshRoutesByDestination);
                indexSubsetUses(rule, add);
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
    private void indexSubsetUses(RouteRule rule, boolean add) {
        boolean everyClient = namespacesKnown() && rule.clients().isPublic();
        List<String> clients = everyClient ? List.of() : clientNamespaces(rule.clients());
        for (RouteDestination d : rule.destinations()) {
            if (everyClient) {
                meshRoutesByDestinationAndClient.edit(new HostKey(d.host(), null), rule, add);
            }
            for (String client : clients) {
                meshRoutesByDestinationAndClient.edit(new HostKey(d.host(), client), rule, add);
            }
            if (d.subset() == null || d.subset().isEmpty()) {
                continue;
            }
            SubsetUse use = new SubsetUse(rule, d);
            if (everyClient) {
                editSubsetUse(new SubsetKey(d.host(), null, d.subset()), use, add);
                clientSubsets.edit(new HostKey(d.host(), null), d.subset(), add);
            } else {
                for (String client : clients) {
                    editSubsetUse(new SubsetKey(d.host(), client, d.subset()), use, add);
                    clientSubsets.edit(new HostKey(d.host(), client), d.subset(), add);
                    exportedSubsets.edit(d.host(), d.subset(), add);
                }
            }
        }
    }

    private void editSubsetUse(SubsetKey key, SubsetUse use, boolean add) {
        if (add) {
            subsetUses.add(key, use);
            return;
        }
        for (SubsetUse u : subsetUses.get(key)) {
            if (u.rule() == use.rule() && u.destination() == use.destination()) {
                subsetUses.remove(key, u);
                return;
            }
        }
    }

    /**
     * What one mesh route adds to the egress uses: its destinations on egress gateways ({@code only}: on that
     * gateway alone, when not null).
     */
    private void egressUses(RouteRule r, GatewayWorkload only, boolean add) {
        if (!r.appliesToMesh()) {
            return;
        }
        for (RouteDestination d : r.destinations()) {
            if (only != null && !only.serviceHost().equals(d.host())) {
                continue;
            }
            GatewayWorkload w = workloadsByServiceHost.get(d.host());
            if (w == null || !w.egress()) {
                continue;
            }
            GatewayPort use = new GatewayPort(w.serviceHost(), d.effectivePort(r.port()));
            egressUsesByRouteNamespace.edit(r.namespace(), use, add);
            if (r.clients().isPublic()) {
                publicEgressUses.edit(ALL, use, add);
                if (d.subset() != null) {
                    publicSubsetsByGateway.edit(w.serviceHost(), d.subset(), add);
                }
            } else {
                for (String ns : r.clients().entries()) {
                    String visible = ns.equals(".") ? r.namespace() : ns;
                    egressUsesByVisibleNamespace.edit(visible, use, add);
                    if (d.subset() != null) {
                        exportedSubsetsByGateway.edit(new HostKey(w.serviceHost(), visible), d.subset(), add);
                    }
                }
            }
        }
    }

    /**
     * An egress gateway carries traffic out of the mesh: its labels say so, sidecars route to its Service, or
     * (Gateway API) its routes forward to Hostname or ServiceEntry backends. An Istio API gateway forwarding to
     * a ServiceEntry host may be an ingress proxying to an outside backend: that alone does not count.
     */
    private boolean carriesEgress(String host, Set<Binding> bindings) {
        if (egressByLabels.contains(host) || meshRoutesByDestination.containsKey(host)) {
            return true;
        }
        for (Binding b : bindings) {
            for (RouteRule rule : routesByGateway.get(b)) {
                for (RouteDestination d : rule.destinations()) {
                    if ("Hostname".equals(d.kind()) || "ServiceEntry".equals(d.kind())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private Set<String> egressHosts() {
        Set<String> out = new HashSet<>();
        workloadsByServiceHost.values().forEach(w -> {
            if (w.egress()) {
                out.add(w.serviceHost());
            }
        });
        return out;
    }

    /**
     * Finds the proxies behind every gateway. Istio API: a Gateway's {@code selector} picks gateway pods in
     * any namespace; the Services that front those pods are what sidecars send to. Gateway API: Istio deploys
     * each Gateway of its class with a Service {@code <name>-istio} in the Gateway's namespace. Then what
     * sidecars send to the egress gateways among them.
     */
    private void indexGatewayWorkloads() {
        Set<String> unchangedEgressGateways = workloadsByServiceHost == null ? null : egressHosts();
        workloadsByServiceHost = new LinkedHashMap<>();
        workloadsByGateway = new HashMap<>();
        egressByLabels = new HashSet<>();
        Map<Map<String, String>, List<Binding>> bySelector = new LinkedHashMap<>();
        List<Binding> everyGateway = new ArrayList<>();
        for (Resource r : ofKind(Kind.GATEWAY)) {
            Gateway g = (Gateway) r.object();
            Map<String, String> selector = g.getSpec() == null ? Map.of() : nonNull(g.getSpec().getSelector());
            Binding b = Binding.istioGateway(r.ref().namespace(), r.ref().name());
            if (selector.isEmpty()) {
                everyGateway.add(b);
            } else {
                bySelector.computeIfAbsent(selector, k -> new ArrayList<>()).add(b);
            }
        }
        // The egress gateway pods are a gateway workload even when no Gateway selects them: sidecars still send
        // to their Service, and the pods, configured by no Gateway, have no listener for the traffic. A Gateway
        // without selector applies to every gateway workload of the mesh (pilot mergeGateways: "Applies to all
        // workloads asking for the gateway"), the egress gateway included.
        bySelector.computeIfAbsent(settings.egressGatewayLabels(), k -> new ArrayList<>());
        Map<String, WorkloadBuilder> builders = new LinkedHashMap<>();
        for (var e : bySelector.entrySet()) {
            Map<String, String> selector = e.getKey();
            List<String> hosts = servicesFrontingSelector(selector);
            if (hosts.isEmpty() && !workloadsKnown() && Labels.subsetOf(selector, defaultEgressPodLabels())) {
                hosts = List.of(Hosts.serviceHost(settings.defaultEgressService(), settings.rootNamespace()));
            }
            for (String host : hosts) {
                WorkloadBuilder wb = builders.computeIfAbsent(host, h -> new WorkloadBuilder(h, servicesByHost.get(h), selector));
                wb.bindings.addAll(e.getValue());
                if (Labels.subsetOf(settings.egressGatewayLabels(), selector)
                        || Labels.subsetOf(settings.egressGatewayLabels(), wb.podLabels)) {
                    egressByLabels.add(host);
                }
            }
        }
        for (WorkloadBuilder wb : builders.values()) {
            wb.bindings.addAll(everyGateway);
        }
        for (Resource r : ofKind(Kind.KUBERNETES_GATEWAY)) {
            var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
            if (g.getSpec() == null || !settings.gatewayClassName().equals(g.getSpec().getGatewayClassName())) {
                continue;
            }
            String host = Hosts.serviceHost(r.ref().name() + "-" + settings.gatewayClassName(), r.ref().namespace());
            WorkloadBuilder wb = new WorkloadBuilder(host, servicesByHost.get(host), Map.of(GATEWAY_NAME_LABEL, r.ref().name()));
            Binding b = Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
            wb.bindings.add(b);
            if (wb.service == null) {
                for (GatewayServer s : serversByGateway.getOrDefault(b, List.of())) {
                    wb.ports.put(s.port(), s.port());
                }
            }
            builders.put(host, wb);
        }
        for (WorkloadBuilder wb : builders.values()) {
            List<GatewayServer> servers = new ArrayList<>();
            for (Binding b : wb.bindings) {
                servers.addAll(serversByGateway.getOrDefault(b, List.of()));
            }
            GatewayWorkload w = new GatewayWorkload(wb.host, wb.namespace, Map.copyOf(wb.ports), Map.copyOf(wb.podLabels),
                    wb.service == null ? null : new ObjectRef(Kind.SERVICE, wb.namespace, wb.service.getMetadata().getName()),
                    Set.copyOf(wb.bindings), List.copyOf(servers), carriesEgress(wb.host, wb.bindings));
            workloadsByServiceHost.put(w.serviceHost(), w);
            for (Binding b : w.bindings()) {
                workloadsByGateway.computeIfAbsent(b, k -> new ArrayList<>(1)).add(w.serviceHost());
            }
        }
        skippedServers = skippedServers();
        if (unchangedEgressGateways != null && unchangedEgressGateways.equals(egressHosts())) {
            return; // the same egress gateways: what sidecars send to them is unchanged
        }
        publicEgressUses = new CountIndex<>(Comparator.naturalOrder());
        egressUsesByVisibleNamespace = new CountIndex<>(Comparator.naturalOrder());
        egressUsesByRouteNamespace = new CountIndex<>(Comparator.naturalOrder());
        publicSubsetsByGateway = new CountIndex<>(Comparator.naturalOrder());
        exportedSubsetsByGateway = new CountIndex<>(Comparator.naturalOrder());
        for (GatewayWorkload w : workloadsByServiceHost.values()) {
            if (w.egress()) {
                for (RouteRule r : meshRoutesByDestination.get(w.serviceHost())) {
                    egressUses(r, w, true);
                }
            }
        }
    }

    private static IstiodInfo istiodInfo(Deployment d) {
        Map<String, String> env = new HashMap<>();
        String version = null;
        if (d.getSpec() != null && d.getSpec().getTemplate() != null && d.getSpec().getTemplate().getSpec() != null) {
            for (Container c : nonNull(d.getSpec().getTemplate().getSpec().getContainers())) {
                if (c == null) {
                    continue;
                }
                if (c.getImage() != null && c.getImage().contains(":")) {
                    version = c.getImage().substring(c.getImage().lastIndexOf(':') + 1);
                }
                for (EnvVar e : nonNull(c.getEnv())) {
                    if (e != null && e.getName() != null && e.getValue() != null) {
                        env.put(e.getName(), e.getValue());
                    }
                }
            }
        }
        return new IstiodInfo(version, env);
    }

    /**
     * Istio injects sidecars into pods of namespaces labelled {@code istio-injection=enabled}, or carrying
     * {@code istio.io/rev} without {@code istio-injection=disabled}.
     */
    static boolean sidecarInjected(Map<String, String> labels) {
        String injection = labels.get("istio-injection");
        if ("enabled".equals(injection)) {
            return true;
        }
        return labels.containsKey("istio.io/rev") && !"disabled".equals(injection);
    }

    private static ServiceEntryInfo serviceEntryInfo(Resource r) {
        var spec = ((ServiceEntry) r.object()).getSpec();
        if (spec == null) {
            return null;
        }
        List<String> hosts = new ArrayList<>();
        for (String h : nonNull(spec.getHosts())) {
            if (h != null) {
                hosts.add(h);
            }
        }
        Map<Integer, String> ports = new HashMap<>();
        for (ServicePort p : nonNull(spec.getPorts())) {
            if (p != null && p.getNumber() != null) {
                ports.put((int) (long) p.getNumber(), p.getProtocol() == null ? "" : p.getProtocol().toUpperCase(Locale.ROOT));
            }
        }
        String resolution = spec.getResolution() == null ? "NONE" : spec.getResolution().name();
        return new ServiceEntryInfo(r.ref(), hosts, ports, resolution, new ExportTo(r.ref().namespace(), spec.getExportTo()),
                spec.getEndpoints() != null && !spec.getEndpoints().isEmpty());
    }

    private static DestinationRuleInfo destinationRuleInfo(Resource r) {
        var spec = ((DestinationRule) r.object()).getSpec();
        if (spec == null || spec.getHost() == null) {
            return null;
        }
        List<String> subsets = new ArrayList<>();
        for (var s : nonNull(spec.getSubsets())) {
            if (s != null && s.getName() != null) {
                subsets.add(s.getName());
            }
        }
        return new DestinationRuleInfo(r.ref(), Hosts.fqdn(spec.getHost(), r.ref().namespace()), subsets,
                spec.getTrafficPolicy(), new ExportTo(r.ref().namespace(), spec.getExportTo()),
                r.creationOrder(), spec.getWorkloadSelector() != null,
                spec.getWorkloadSelector() == null ? Map.of() : spec.getWorkloadSelector().getMatchLabels());
    }

    private static List<GatewayServer> istioServers(Resource r, Binding b) {
        Gateway g = (Gateway) r.object();
        List<GatewayServer> servers = new ArrayList<>();
        List<Server> ss = g.getSpec() == null ? List.of() : nonNull(g.getSpec().getServers());
        for (int i = 0; i < ss.size(); i++) {
            Server s = ss.get(i);
            if (s == null || s.getPort() == null || s.getPort().getNumber() == null) {
                continue;
            }
            String mode = s.getTls() == null || s.getTls().getMode() == null ? null : s.getTls().getMode().name();
            servers.add(new GatewayServer(r.ref(), b, "spec.servers[" + i + "]", s.getPort().getName(),
                    (int) (long) s.getPort().getNumber(), s.getPort().getProtocol(), mode, nonNull(s.getHosts())));
        }
        return List.copyOf(servers);
    }

    /** Hosts of the ServiceEntry {@code namespace/name}, empty when it does not exist. */
    public List<String> serviceEntryHosts(String namespace, String name) {
        ServiceEntryInfo se = serviceEntries.get(new ObjectRef(Kind.SERVICE_ENTRY, namespace, name));
        return se == null ? List.of() : se.hosts();
    }

    private Map<String, String> defaultEgressPodLabels() {
        Map<String, String> m = new HashMap<>(settings.egressGatewayLabels());
        m.put("app", settings.defaultEgressService());
        return m;
    }

    private final class WorkloadBuilder {
        final String host;
        final String namespace;
        final Service service;
        final Map<String, String> podLabels;
        final Map<Integer, Integer> ports = new HashMap<>();
        final Set<Binding> bindings = new LinkedHashSet<>();
        boolean egress;

        WorkloadBuilder(String host, Service service, Map<String, String> selector) {
            this.host = host;
            this.namespace = Hosts.serviceNamespace(host).orElse("");
            this.service = service;
            Map<String, String> labels = new HashMap<>(selector);
            if (service != null && service.getSpec() != null) {
                labels.putAll(nonNull(service.getSpec().getSelector()));
                for (var p : nonNull(service.getSpec().getPorts())) {
                    if (p != null && p.getPort() != null) {
                        Integer target = p.getTargetPort() == null ? p.getPort()
                                : p.getTargetPort().getIntVal() != null ? p.getTargetPort().getIntVal()
                                : GatewayWorkload.NAMED_TARGET;
                        ports.put(p.getPort(), target);
                    }
                }
            }
            labels.entrySet().removeIf(e -> e.getKey() == null || e.getValue() == null); // `app: ~` selects nothing
            this.podLabels = labels;
        }
    }

    /**
     * Services whose pods carry the selector's labels: the Service selector already implies them, or a
     * Deployment/Pod in the Service's namespace carries both.
     */
    private List<String> servicesFrontingSelector(Map<String, String> selector) {
        Set<String> out = new TreeSet<>();
        for (var e : servicesByHost.entrySet()) {
            Service s = e.getValue();
            Map<String, String> svcSelector = s.getSpec() == null ? Map.of() : nonNull(s.getSpec().getSelector());
            if (svcSelector.isEmpty()) {
                continue;
            }
            if (Labels.subsetOf(selector, svcSelector)) {
                out.add(e.getKey());
                continue;
            }
            for (Map<String, String> pod : workloadLabelsByNamespace.getOrDefault(s.getMetadata().getNamespace(), List.of())) {
                if (Labels.subsetOf(svcSelector, pod) && Labels.subsetOf(selector, pod)) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return new ArrayList<>(out);
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
        return subsetUses.get(new SubsetKey(host, client, subset));
    }

    /** Subsets of {@code host} that mesh routes exported to {@code client} send to (null: public routes). */
    public Set<String> subsetsRoutedFrom(String host, String client) {
        return clientSubsets.get(new HostKey(host, client));
    }

    /** Gateway API routes attached to the ServiceEntry {@code ref} (parentRef of kind ServiceEntry). */
    public List<ObjectRef> routesAttachedTo(ObjectRef serviceEntry) {
        return routesAttachedToServiceEntry.get(serviceEntry);
    }

    /** Subsets of {@code host} that some mesh route sends to, public or exported. */
    public Set<String> routedSubsets(String host) {
        Set<String> out = new java.util.TreeSet<>(clientSubsets.get(new HostKey(host, null)));
        out.addAll(exportedSubsets.get(host));
        return out;
    }

    /** True when a route exported to named client namespaces sends some of them to {@code subset} of {@code host}. */
    public boolean subsetRoutedByExport(String host, String subset) {
        return exportedSubsets.contains(host, subset);
    }

    /**
     * Client namespaces that routes exported to them send to {@code subset} of {@code host}, sorted. Walks the
     * routes to the host: for whole-state questions.
     */
    public Set<String> subsetClients(String host, String subset) {
        Set<String> out = new java.util.TreeSet<>();
        for (RouteRule r : meshRoutesByDestination.get(host)) {
            if (namespacesKnown() && r.clients().isPublic()) {
                continue;
            }
            for (RouteDestination d : r.destinations()) {
                if (d.host().equals(host) && subset.equals(d.subset())) {
                    out.addAll(clientNamespaces(r.clients()));
                }
            }
        }
        return out;
    }

    /**
     * Sidecar-injected namespaces that hold clients, sorted. A namespace whose known workloads are all gateway
     * proxies (an egress gateway installed in its own injected namespace, as Istio's gateway chart does) holds
     * no sidecar client: gateways do not apply mesh routes.
     */
    public List<String> injectedNamespaces() {
        return injectedNamespaces;
    }

    private boolean runsOnlyGateways(String ns) {
        List<Map<String, String>> workloads = workloadLabelsByNamespace.get(ns);
        return workloads != null && !workloads.isEmpty() && workloads.stream().allMatch(this::gatewayPod);
    }

    private boolean gatewayPod(Map<String, String> labels) {
        return Labels.subsetOf(settings.egressGatewayLabels(), labels)
                || labels.containsKey("gateway.networking.k8s.io/gateway-name") || labels.containsKey("istio.io/gateway-name");
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

    /** True when the state holds Namespace objects, so labels and sidecar injection can be judged. */
    /**
     * True when the state holds the cluster's namespace list, not just some Namespace objects: a cluster (the
     * informers) always lists the root namespace and kube-system, while manifests often create only their own
     * namespace, which says nothing about the others.
     */
    public boolean namespacesKnown() {
        return namespaceLabels.containsKey(settings.rootNamespace()) || namespaceLabels.containsKey("kube-system");
    }

    public Optional<Map<String, String>> namespaceLabels(String ns) {
        return Optional.ofNullable(namespaceLabels.get(ns));
    }

    public Set<String> namespaces() {
        return namespaceLabels.keySet();
    }

    public boolean sidecarInjected(String ns) {
        Map<String, String> l = namespaceLabels.get(ns);
        return l != null && sidecarInjected(l);
    }

    /**
     * Namespaces whose sidecars receive an object exported with {@code exportTo}: sidecar-injected
     * namespaces it is visible to. When the state has no Namespace objects, only the object's own namespace
     * is known to hold clients.
     */
    public List<String> clientNamespaces(ExportTo exportTo) {
        if (!namespacesKnown()) {
            return List.of(exportTo.owner());
        }
        if (exportTo.isPublic()) {
            return injectedNamespaces;
        }
        Set<String> out = new TreeSet<>();
        for (String e : exportTo.entries()) {
            String ns = e.equals(".") ? exportTo.owner() : e;
            if (sidecarInjected(ns) && !runsOnlyGateways(ns)) {
                out.add(ns);
            }
        }
        return List.copyOf(out);
    }

    /**
     * The client namespaces of a mesh route whose sidecars receive it: {@link #clientNamespaces(ExportTo)} less
     * the namespaces whose Sidecar does not import it (a route they never apply cannot break them).
     */
    public List<String> clientNamespaces(RouteRule rule) {
        List<String> all = clientNamespaces(rule.clients());
        if (namespaceSidecars.isEmpty()) {
            return all;
        }
        return all.stream().filter(ns -> importsRoutes(ns, rule.source())).toList();
    }

    /** True when the state shows the cluster's workloads (Deployments or Pods). */
    public boolean workloadsKnown() {
        return !workloadLabels.isEmpty();
    }

    /** The pod labels of the workloads known in {@code ns}. */
    public List<Map<String, String>> workloadLabels(String ns) {
        return List.copyOf(workloadLabelsByNamespace.getOrDefault(ns, List.of()));
    }

    public boolean anyWorkloadMatches(Map<String, String> selector) {
        for (Map<String, String> l : workloadLabels) {
            if (Labels.subsetOf(selector, l)) {
                return true;
            }
        }
        return false;
    }

    public Optional<Service> service(String host) {
        return Optional.ofNullable(servicesByHost.get(host));
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
     * namespace sees everything exported to it). Sidecars with a workloadSelector scope some pods only and are
     * not read.
     */
    public Optional<SidecarScope> sidecarScope(String namespace) {
        if (namespaceSidecars.isEmpty() || namespace == null) {
            return Optional.empty();
        }
        return derived(new SidecarKey(namespace), snapshot -> {
            List<Resource> own = namespaceSidecars.get(namespace);
            List<Resource> root = namespaceSidecars.get(settings.rootNamespace());
            Resource r = own != null ? own.get(0) : root != null ? root.get(0) : null;
            if (r == null) {
                return Optional.<SidecarScope>empty();
            }
            var spec = ((Sidecar) r.object()).getSpec();
            List<List<String>> hosts = new ArrayList<>();
            if (spec != null && spec.getEgress() != null) {
                spec.getEgress().forEach(e -> hosts.add(e == null || e.getHosts() == null ? List.of() : e.getHosts()));
            }
            Boolean registryOnly = spec == null || spec.getOutboundTrafficPolicy() == null
                    || spec.getOutboundTrafficPolicy().getMode() == null ? null
                    : spec.getOutboundTrafficPolicy().getMode() == OutboundTrafficPolicyMode.REGISTRY_ONLY;
            return Optional.of(new SidecarScope(r.ref(), namespace, SidecarScope.parse(namespace, hosts), registryOnly));
        });
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
        Optional<SidecarScope> scope = sidecarScope(namespace);
        if (scope.isPresent() && scope.get().registryOnly() != null) {
            return new OutboundTrafficPolicy(scope.get().registryOnly(), scope.get().ref());
        }
        return new OutboundTrafficPolicy(meshRegistryOnly, meshConfig == null ? null : meshConfig.ref());
    }

    /**
     * True when sidecars of {@code namespace} import the VirtualService {@code source} (any other route kind is
     * taken as imported): without a Sidecar everything exported to the namespace is.
     */
    public boolean importsRoutes(String namespace, ObjectRef source) {
        Optional<SidecarScope> scope = sidecarScope(namespace);
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
        Optional<SidecarScope> scope = sidecarScope(namespace);
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

    /** True when the mesh config sets {@code outboundTrafficPolicy.mode: REGISTRY_ONLY}. */
    private static boolean registryOnly(ConfigMap cm) {
        String mesh = cm.getData() == null ? null : cm.getData().get("mesh");
        if (mesh == null || mesh.isBlank()) {
            return false;
        }
        try {
            Object doc = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder()
                    .setMaxAliasesForCollections(16).setCodePointLimit(1 << 20).build()).loadFromString(mesh);
            return doc instanceof Map<?, ?> m && m.get("outboundTrafficPolicy") instanceof Map<?, ?> p
                    && "REGISTRY_ONLY".equals(p.get("mode"));
        } catch (RuntimeException e) {
            return false; // not YAML: istiod would refuse it and keep its previous (default) mesh config
        }
    }

    public Optional<IstiodInfo> istiod() {
        return Optional.ofNullable(istiod);
    }

    public Collection<ServiceEntryInfo> serviceEntries() {
        return serviceEntries.values();
    }

    public Optional<ServiceEntryInfo> serviceEntry(ObjectRef ref) {
        return Optional.ofNullable(serviceEntries.get(ref));
    }

    /** ServiceEntries whose hosts cover {@code host} (exactly or by wildcard), in any namespace. */
    public List<ServiceEntryInfo> serviceEntriesDeclaring(String host) {
        List<ServiceEntryInfo> out = new ArrayList<>(serviceEntriesByHost.get(host));
        for (ServiceEntryInfo se : wildcardServiceEntries.get(ALL)) {
            if (se.declaresHost(host) && !out.contains(se)) {
                out.add(se);
            }
        }
        return out;
    }

    /**
     * The ServiceEntry a proxy in {@code namespace} uses for {@code host}: an exact host before a wildcard,
     * the most specific wildcard first, only entries exported to that namespace.
     */
    /**
     * The ServiceEntry that declares exactly {@code host}, visible from {@code namespace}: what a gateway route
     * or a Gateway API {@code Hostname} backend needs. Clusters exist only for registry host names
     * ({@code outbound|443||*.wikipedia.org}), and pilot looks a route's destination up exactly
     * ({@code PushContext.ServiceForHostname}): a wildcard entry never serves a destination it covers.
     */
    public Optional<ServiceEntryInfo> exactServiceEntryFor(String host, String namespace) {
        if (host == null) {
            return Optional.empty();
        }
        for (ServiceEntryInfo se : Hosts.isWildcard(host) ? wildcardServiceEntries.get(ALL) : serviceEntriesByHost.get(host)) {
            if (se.hosts().contains(host) && se.exportTo().visibleTo(namespace)) {
                return Optional.of(se);
            }
        }
        return Optional.empty();
    }

    public Optional<ServiceEntryInfo> serviceEntryFor(String host, String namespace) {
        if (host == null) {
            return Optional.empty();
        }
        for (ServiceEntryInfo se : serviceEntriesByHost.get(host)) {
            if (se.exportTo().visibleTo(namespace)) {
                return Optional.of(se);
            }
        }
        ServiceEntryInfo best = null;
        String bestHost = null;
        for (ServiceEntryInfo se : wildcardServiceEntries.get(ALL)) {
            if (!se.exportTo().visibleTo(namespace)) {
                continue;
            }
            for (String h : se.hosts()) {
                if (Hosts.isWildcard(h) && Hosts.covers(h, host) && (bestHost == null || h.length() > bestHost.length())) {
                    best = se;
                    bestHost = h;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    public Collection<DestinationRuleInfo> destinationRules() {
        return destinationRules.values();
    }

    public Optional<DestinationRuleInfo> destinationRule(ObjectRef ref) {
        return Optional.ofNullable(destinationRules.get(ref));
    }

    /** DestinationRules of one namespace grouped by (fully qualified) host, oldest first. */
    public Map<String, List<DestinationRuleInfo>> destinationRulesIn(String namespace) {
        return destinationRulesByNamespace.getOrDefault(namespace, Map.of());
    }

    public List<RouteRule> routes(ObjectRef source) {
        return routesBySource.getOrDefault(source, List.of());
    }

    /** Mesh (sidecar) routes whose hosts intersect {@code host}. */
    public List<RouteRule> meshRoutesFor(String host) {
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

    /**
     * The sources (VirtualServices, Gateway API mesh routes) of {@code routes} visible to sidecars of
     * {@code clientNamespace}, in pilot's precedence (SelectVirtualServices): those private to the namespace,
     * then those exported to it by name, then the public ones, each oldest first (creation time, then name).
     * For one host the first whose route matches the traffic wins; later ones are ignored on that sidecar.
     */
    public List<ObjectRef> sidecarPrecedence(List<RouteRule> routes, String clientNamespace) {
        Map<ObjectRef, RouteRule> first = new LinkedHashMap<>();
        for (RouteRule r : routes) {
            if (r.exportTo().visibleTo(clientNamespace)) {
                first.putIfAbsent(r.source(), r);
            }
        }
        List<ObjectRef> out = new ArrayList<>(first.keySet());
        out.sort(Comparator.comparingInt((ObjectRef ref) -> visibilityGroup(first.get(ref), clientNamespace))
                .thenComparingLong(ref -> resource(ref).map(Resource::creationOrder).orElse(Long.MAX_VALUE))
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

    /** Gateway-bound routes whose hosts intersect {@code host} (which must not be a wildcard). */
    public List<RouteRule> gatewayRoutesFor(String host) {
        List<RouteRule> out = new ArrayList<>(gatewayRoutesByHost.get(host));
        for (RouteRule r : wildcardGatewayRoutes.get(ALL)) {
            if (r.servesHost(host) && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Mesh routes with a destination on {@code host} that sidecars of {@code client} apply because they are
     * exported to it; {@code client} null: the public ones, which every sidecar-injected namespace applies.
     */
    public List<RouteRule> meshRoutesTo(String host, String client) {
        return meshRoutesByDestinationAndClient.get(new HostKey(host, client));
    }

    /** Mesh routes with a destination on {@code host}. */
    public List<RouteRule> meshRoutesTo(String host) {
        return meshRoutesByDestination.get(host);
    }

    /** Gateway-bound routes with a destination on {@code host}. */
    public List<RouteRule> gatewayRoutesTo(String host) {
        return gatewayRoutesByDestination.get(host);
    }

    /** Routes bound to one gateway. */
    public List<RouteRule> routesBoundTo(Binding gateway) {
        return routesByGateway.get(gateway);
    }

    public Optional<ObjectRef> gateway(Binding b) {
        return Optional.ofNullable(gateways.get(b));
    }

    /** Every server of a Gateway as written, those pilot skips included. */
    public List<GatewayServer> allServers(Binding gateway) {
        return serversByGateway.getOrDefault(gateway, List.of());
    }

    /** The servers of a Gateway that its proxies use: those pilot skips ({@link #skippedServer}) left out. */
    public List<GatewayServer> servers(Binding gateway) {
        List<GatewayServer> all = serversByGateway.getOrDefault(gateway, List.of());
        if (skippedServers.isEmpty()) {
            return all;
        }
        return all.stream().filter(x -> !skippedServers.contains(x)).toList();
    }

    /**
     * The server pilot keeps instead of {@code server} when it skips it: the older server on the same proxies,
     * port and bind that already serves one of its TLS hosts; empty when {@code server} is kept.
     */
    public Optional<GatewayServer> skippedServer(GatewayServer server) {
        if (!skippedServers.contains(server)) {
            return Optional.empty();
        }
        for (GatewayWorkload w : workloadsOf(server.binding())) {
            for (GatewayServer kept : mergeOrder(w)) {
                if (kept.equals(server)) {
                    break;
                }
                if (kept.tlsMode() != null && !skippedServers.contains(kept) && samePort(w, kept, server)
                        && kept.hosts().stream().anyMatch(server.hosts()::contains)) {
                    return Optional.of(kept);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Servers pilot skips when it merges the Gateways of one proxy (pilot {@code model.mergeGateways}): Gateways
     * oldest first, their servers in order; a server with {@code tls} whose hosts repeat a host that an earlier
     * TLS server already serves on the same (resolved) port is skipped as a whole ("duplicate host names":
     * Envoy would reject two filter chains with the same SNI match). Hosts are compared as written. Only Istio
     * API Gateways merge; a server is skipped when no proxy it applies to keeps it.
     */
    private Set<GatewayServer> skippedServers() {
        Set<GatewayServer> skipped = new HashSet<>();
        Set<GatewayServer> kept = new HashSet<>();
        for (GatewayWorkload w : workloadsByServiceHost.values()) {
            Map<Integer, Set<String>> tlsHostsByPort = new HashMap<>();
            for (GatewayServer srv : mergeOrder(w)) {
                if (srv.tlsMode() == null) {
                    continue;
                }
                Integer port = w.listeningPort(srv.port());
                Set<String> known = tlsHostsByPort.computeIfAbsent(port == null ? srv.port() : port, k -> new HashSet<>());
                if (srv.hosts().stream().anyMatch(known::contains)) {
                    skipped.add(srv);
                } else {
                    known.addAll(srv.hosts());
                    kept.add(srv);
                }
            }
        }
        skipped.removeAll(kept);
        return skipped.isEmpty() ? Set.of() : Set.copyOf(skipped);
    }

    /** The Istio API Gateway servers of one proxy in the order pilot merges them: oldest Gateway first. */
    private List<GatewayServer> mergeOrder(GatewayWorkload w) {
        List<ObjectRef> gws = new ArrayList<>();
        for (Binding b : w.bindings()) {
            if (b.type() == Binding.Type.ISTIO_GATEWAY) {
                ObjectRef ref = gateways.get(b);
                if (ref != null && resources.get(ref) != null) {
                    gws.add(ref);
                }
            }
        }
        gws.sort(Comparator.comparingLong((ObjectRef r) -> resources.get(r).creationOrder())
                .thenComparing(ObjectRef::namespace).thenComparing(ObjectRef::name));
        List<GatewayServer> out = new ArrayList<>();
        for (ObjectRef ref : gws) {
            out.addAll(serversByGateway.getOrDefault(Binding.istioGateway(ref.namespace(), ref.name()), List.of()));
        }
        return out;
    }

    private static boolean samePort(GatewayWorkload w, GatewayServer a, GatewayServer b) {
        return java.util.Objects.equals(w.listeningPort(a.port()), w.listeningPort(b.port()));
    }

    public Optional<GatewayWorkload> workload(String serviceHost) {
        return Optional.ofNullable(workloadsByServiceHost.get(serviceHost));
    }

    public Optional<GatewayWorkload> egressGateway(String serviceHost) {
        GatewayWorkload w = workloadsByServiceHost.get(serviceHost);
        return w != null && w.egress() ? Optional.of(w) : Optional.empty();
    }

    public List<GatewayWorkload> workloadsOf(Binding gateway) {
        List<String> hosts = workloadsByGateway.getOrDefault(gateway, List.of());
        if (hosts.size() == 1) {
            return List.of(workloadsByServiceHost.get(hosts.get(0)));
        }
        List<GatewayWorkload> out = new ArrayList<>(hosts.size());
        hosts.forEach(h -> out.add(workloadsByServiceHost.get(h)));
        return out;
    }

    public Collection<GatewayWorkload> gatewayWorkloads() {
        return workloadsByServiceHost.values();
    }

    /** True when the gateway configuration runs on egress gateway proxies. */
    public boolean isEgressGateway(Binding gateway) {
        for (GatewayWorkload w : workloadsOf(gateway)) {
            if (w.egress()) {
                return true;
            }
        }
        return false;
    }

    /**
     * How sidecars of {@code namespace} reach egress gateways: through mesh routes exported to it, when the
     * namespace is sidecar-injected. Without Namespace objects, through routes of the namespace itself.
     */
    public Set<EgressUse> egressUsesFrom(String namespace) {
        if (!namespacesKnown()) {
            return egressUses(egressUsesByRouteNamespace.get(namespace), Set.of());
        }
        if (!sidecarInjected(namespace)) {
            return Set.of();
        }
        return egressUses(publicEgressUses.get(ALL), egressUsesByVisibleNamespace.get(namespace));
    }

    /** Indexed uses with the gateways of this snapshot, by gateway then port (the caller's port first). */
    private Set<EgressUse> egressUses(Set<GatewayPort> a, Set<GatewayPort> b) {
        java.util.TreeSet<GatewayPort> keys = new java.util.TreeSet<>(a);
        keys.addAll(b);
        Set<EgressUse> out = new LinkedHashSet<>();
        for (GatewayPort k : keys) {
            out.add(new EgressUse(workloadsByServiceHost.get(k.host()), k.port()));
        }
        return out;
    }

    /** True when a mesh route that sidecars of {@code namespace} apply uses this subset of the gateway. */
    public boolean subsetUsedFrom(String gatewayHost, String namespace, String subset) {
        return publicSubsetsByGateway.contains(gatewayHost, subset)
                || exportedSubsetsByGateway.contains(new HostKey(gatewayHost, namespace), subset);
    }

    /** DestinationRules whose (fully qualified) host is exactly {@code host}, in every namespace. */
    public List<DestinationRuleInfo> destinationRulesFor(String host) {
        return destinationRulesByHost.get(host);
    }

    public List<NetworkPolicy> networkPolicies(String namespace) {
        return networkPoliciesByNamespace.get(namespace);
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
}
