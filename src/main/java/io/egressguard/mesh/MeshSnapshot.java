package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.GatewayApiRoutes;
import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.istio.VirtualServiceRoutes;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.Server;
import io.fabric8.istio.api.api.networking.v1alpha3.ServicePort;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.time.Instant;
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

    private final MeshSettings settings;
    private final Map<ObjectRef, Resource> resources;

    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final List<String> injectedNamespaces = new ArrayList<>();
    private List<String> injectedNamespacesView = List.of();

    private final Map<String, Service> servicesByHost = new HashMap<>();
    private final List<Map<String, String>> workloadLabels = new ArrayList<>();
    private final Map<String, List<Map<String, String>>> workloadLabelsByNamespace = new HashMap<>();
    private IstiodInfo istiod;

    private final Map<ObjectRef, ServiceEntryInfo> serviceEntries = new LinkedHashMap<>();
    private final Map<String, List<ServiceEntryInfo>> serviceEntriesByHost = new HashMap<>();
    private final List<ServiceEntryInfo> wildcardServiceEntries = new ArrayList<>();

    private final Map<ObjectRef, DestinationRuleInfo> destinationRules = new LinkedHashMap<>();
    private final Map<String, Map<String, List<DestinationRuleInfo>>> destinationRulesByNamespace = new HashMap<>();

    private final Map<Binding, ObjectRef> gateways = new HashMap<>();
    private final Map<Binding, List<GatewayServer>> serversByGateway = new HashMap<>();
    private final Map<String, GatewayWorkload> workloadsByServiceHost = new LinkedHashMap<>();
    private final Map<Binding, List<GatewayWorkload>> workloadsByGateway = new HashMap<>();

    private final Map<ObjectRef, List<RouteRule>> routesBySource = new LinkedHashMap<>();
    private final Map<String, List<RouteRule>> meshRoutesByHost = new HashMap<>();
    private final List<RouteRule> wildcardMeshRoutes = new ArrayList<>();
    private final Map<Binding, List<RouteRule>> routesByGateway = new HashMap<>();
    private final Map<String, List<RouteRule>> gatewayRoutesByHost = new HashMap<>();
    private final List<RouteRule> wildcardGatewayRoutes = new ArrayList<>();
    private final Map<String, List<RouteRule>> meshRoutesByDestination = new HashMap<>();
    private final Map<String, List<RouteRule>> gatewayRoutesByDestination = new HashMap<>();

    private final Map<String, List<NetworkPolicy>> networkPoliciesByNamespace = new HashMap<>();
    private final Map<Object, Object> derived = new java.util.concurrent.ConcurrentHashMap<>();

    private final Set<EgressUse> publicEgressUses = new LinkedHashSet<>();
    private final Map<String, Set<EgressUse>> egressUsesByVisibleNamespace = new HashMap<>();
    private final Map<String, Set<EgressUse>> egressUsesByRouteNamespace = new HashMap<>();
    private final Map<String, Set<String>> publicSubsetsByGateway = new HashMap<>();
    private final Map<String, Map<String, Set<String>>> exportedSubsetsByGateway = new HashMap<>();
    private final Map<String, List<DestinationRuleInfo>> destinationRulesByHost = new HashMap<>();

    /** Sidecars send to an egress gateway on a Service port (null when the caller's port is kept). */
    public record EgressUse(GatewayWorkload gateway, Integer port) {
    }

    /** What the state tells about istiod, for version-dependent behaviour. */
    public record IstiodInfo(String version, Map<String, String> env) {
    }

    /** What was derived from one object alone, kept so that the next snapshot need not derive it again. */
    private record Compiled(Resource source, Object value) {
    }

    private final Map<ObjectRef, Compiled> compiled = new HashMap<>();
    private final Map<Kind, List<Resource>> byKind = new java.util.EnumMap<>(Kind.class);
    private final Map<ObjectRef, Compiled> previous;

    private MeshSnapshot(MeshSettings settings, Collection<Resource> input, Map<ObjectRef, Compiled> previous) {
        this.settings = settings;
        this.previous = previous;
        Map<ObjectRef, Resource> byRef = new LinkedHashMap<>();
        for (Resource r : input) {
            byRef.put(r.ref(), r);
        }
        this.resources = byRef;
        for (Resource r : byRef.values()) {
            byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
        }
        indexNamespacesAndWorkloads();
        indexServiceEntries();
        indexDestinationRules();
        indexGateways();
        indexRoutes();
        indexGatewayWorkloads();
        indexEgressUses();
        for (Resource r : ofKind(Kind.NETWORK_POLICY)) {
            networkPoliciesByNamespace.computeIfAbsent(r.ref().namespace(), k -> new ArrayList<>())
                    .add((NetworkPolicy) r.object());
        }
    }

    public static MeshSnapshot of(MeshSettings settings, Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, Map.of());
    }

    /**
     * A new state from {@code resources}, reusing what this one derived from the objects that did not change
     * (the same {@link Resource} instance): informer rebuilds recompile only what changed.
     */
    public MeshSnapshot rebuild(Collection<Resource> resources) {
        return new MeshSnapshot(settings, resources, compiled);
    }

    /** This state with {@code r} created or replaced. */
    public MeshSnapshot with(Resource r) {
        Map<ObjectRef, Resource> copy = new LinkedHashMap<>(resources);
        copy.put(r.ref(), r);
        return new MeshSnapshot(settings, copy.values(), compiled);
    }

    /** This state with {@code ref} deleted. */
    public MeshSnapshot without(ObjectRef ref) {
        Map<ObjectRef, Resource> copy = new LinkedHashMap<>(resources);
        copy.remove(ref);
        return new MeshSnapshot(settings, copy.values(), compiled);
    }

    /** The value derived from {@code r} alone: reused from the previous snapshot when {@code r} is unchanged. */
    @SuppressWarnings("unchecked")
    private <T> T compile(Resource r, java.util.function.Supplier<T> derive) {
        Compiled c = previous.get(r.ref());
        if (c == null || c.source() != r) {
            c = new Compiled(r, derive.get());
        }
        compiled.put(r.ref(), c);
        return (T) c.value();
    }

    // ---------------------------------------------------------------- building

    private List<Resource> ofKind(Kind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    private void indexNamespacesAndWorkloads() {
        for (Resource r : resources.values()) {
            switch (r.kind()) {
                case NAMESPACE -> {
                    Namespace ns = (Namespace) r.object();
                    Map<String, String> labels = new HashMap<>(labelsOf(ns));
                    labels.putIfAbsent(NAMESPACE_NAME_LABEL, r.ref().name());
                    namespaceLabels.put(r.ref().name(), labels);
                    if (sidecarInjected(labels)) {
                        injectedNamespaces.add(r.ref().name());
                    }
                }
                case SERVICE -> {
                    Service s = (Service) r.object();
                    servicesByHost.put(Hosts.serviceHost(r.ref().name(), r.ref().namespace()), s);
                }
                case DEPLOYMENT -> {
                    Deployment d = (Deployment) r.object();
                    Map<String, String> labels = d.getSpec() == null || d.getSpec().getTemplate() == null
                            || d.getSpec().getTemplate().getMetadata() == null ? Map.of()
                            : nonNull(d.getSpec().getTemplate().getMetadata().getLabels());
                    addWorkload(r.ref().namespace(), labels);
                    if ("istiod".equals(r.ref().name()) && r.ref().namespace().equals(settings.rootNamespace())) {
                        istiod = istiodInfo(d);
                    }
                }
                case POD -> addWorkload(r.ref().namespace(), labelsOf(r.object()));
                default -> {
                }
            }
        }
        injectedNamespaces.sort(Comparator.naturalOrder());
        injectedNamespacesView = java.util.Collections.unmodifiableList(injectedNamespaces);
    }

    private void addWorkload(String ns, Map<String, String> labels) {
        workloadLabels.add(labels);
        workloadLabelsByNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(labels);
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

    private void indexServiceEntries() {
        for (Resource r : ofKind(Kind.SERVICE_ENTRY)) {
            ServiceEntryInfo info = compile(r, () -> serviceEntryInfo(r));
            if (info == null) {
                continue;
            }
            List<String> hosts = info.hosts();
            serviceEntries.put(r.ref(), info);
            for (String h : hosts) {
                if (Hosts.isWildcard(h)) {
                    wildcardServiceEntries.add(info);
                } else {
                    serviceEntriesByHost.computeIfAbsent(h, k -> new ArrayList<>()).add(info);
                }
            }
        }
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

    private void indexDestinationRules() {
        List<DestinationRuleInfo> all = new ArrayList<>();
        for (Resource r : ofKind(Kind.DESTINATION_RULE)) {
            DestinationRuleInfo info = compile(r, () -> destinationRuleInfo(r));
            if (info != null) {
                all.add(info);
            }
        }
        // Istio sorts by creation time, then name: on merges the older rule wins.
        all.sort(Comparator.comparingLong(DestinationRuleInfo::order).thenComparing(d -> d.ref().name()));
        for (DestinationRuleInfo d : all) {
            destinationRules.put(d.ref(), d);
            destinationRulesByHost.computeIfAbsent(d.host(), k -> new ArrayList<>()).add(d);
            destinationRulesByNamespace.computeIfAbsent(d.namespace(), k -> new HashMap<>())
                    .computeIfAbsent(d.host(), k -> new ArrayList<>()).add(d);
        }
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
                creationOrder(r), spec.getWorkloadSelector() != null);
    }

    private static long creationOrder(Resource r) {
        String ts = r.object().getMetadata().getCreationTimestamp();
        if (ts != null) {
            try {
                return Instant.parse(ts).getEpochSecond() * 1_000_000L;
            } catch (RuntimeException ignored) {
                // not a timestamp: fall back to arrival order
            }
        }
        return Long.MAX_VALUE / 2 + r.order();
    }

    private void indexGateways() {
        for (Resource r : ofKind(Kind.GATEWAY)) {
            Binding b = Binding.istioGateway(r.ref().namespace(), r.ref().name());
            gateways.put(b, r.ref());
            serversByGateway.put(b, compile(r, () -> istioServers(r, b)));
        }
        for (Resource r : ofKind(Kind.KUBERNETES_GATEWAY)) {
            var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
            Binding b = Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
            gateways.put(b, r.ref());
            List<GatewayServer> servers = new ArrayList<>();
            List<Listener> ls = g.getSpec() == null ? List.of() : nonNull(g.getSpec().getListeners());
            for (int i = 0; i < ls.size(); i++) {
                Listener l = ls.get(i);
                if (l == null || l.getPort() == null) {
                    continue;
                }
                servers.add(GatewayServer.ofListener(r.ref(), b, "spec.listeners[" + i + "]", l));
            }
            serversByGateway.put(b, servers);
        }
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

    private void indexRoutes() {
        for (Resource r : resources.values()) {
            List<RouteRule> rules = switch (r.kind()) {
                case VIRTUAL_SERVICE -> compile(r, () -> VirtualServiceRoutes.compile(r.ref(), (VirtualService) r.object()));
                case HTTP_ROUTE, TLS_ROUTE -> GatewayApiRoutes.compile(r.ref(), r.object(), this::serviceEntryHosts);
                default -> null;
            };
            if (rules == null) {
                continue;
            }
            routesBySource.put(r.ref(), rules);
            for (RouteRule rule : rules) {
                for (Binding b : rule.bindings()) {
                    if (b.isMesh()) {
                        indexHostsAndDestinations(rule, meshRoutesByHost, wildcardMeshRoutes, meshRoutesByDestination);
                    } else {
                        addUnique(routesByGateway, b, rule);
                        indexHostsAndDestinations(rule, gatewayRoutesByHost, wildcardGatewayRoutes, gatewayRoutesByDestination);
                    }
                }
            }
        }
    }

    /** Indexes a route by the hosts it serves (wildcards apart) and by the hosts it sends to. */
    private static void indexHostsAndDestinations(RouteRule rule, Map<String, List<RouteRule>> byHost,
            List<RouteRule> wildcards, Map<String, List<RouteRule>> byDestination) {
        for (String h : rule.hosts()) {
            if (!Hosts.isWildcard(h)) {
                addUnique(byHost, h, rule);
            } else if (wildcards.isEmpty() || wildcards.get(wildcards.size() - 1) != rule) {
                wildcards.add(rule);
            }
        }
        for (RouteDestination d : rule.destinations()) {
            addUnique(byDestination, d.host(), rule);
        }
    }

    private static <K> void addUnique(Map<K, List<RouteRule>> map, K key, RouteRule rule) {
        List<RouteRule> l = map.computeIfAbsent(key, k -> new ArrayList<>());
        if (l.isEmpty() || l.get(l.size() - 1) != rule) {
            l.add(rule);
        }
    }

    /** Hosts of the ServiceEntry {@code namespace/name}, empty when it does not exist. */
    public List<String> serviceEntryHosts(String namespace, String name) {
        ServiceEntryInfo se = serviceEntries.get(new ObjectRef(Kind.SERVICE_ENTRY, namespace, name));
        return se == null ? List.of() : se.hosts();
    }

    /**
     * Finds the proxies behind every gateway. Istio API: a Gateway's {@code selector} picks gateway pods in
     * any namespace; the Services that front those pods are what sidecars send to. Gateway API: Istio deploys
     * each Gateway of its class with a Service {@code <name>-istio} in the Gateway's namespace.
     */
    private void indexGatewayWorkloads() {
        Map<Map<String, String>, List<Binding>> bySelector = new LinkedHashMap<>();
        for (Resource r : ofKind(Kind.GATEWAY)) {
            Gateway g = (Gateway) r.object();
            Map<String, String> selector = g.getSpec() == null ? Map.of() : nonNull(g.getSpec().getSelector());
            if (!selector.isEmpty()) {
                bySelector.computeIfAbsent(selector, k -> new ArrayList<>())
                        .add(Binding.istioGateway(r.ref().namespace(), r.ref().name()));
            }
        }
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
                wb.egress |= Labels.subsetOf(settings.egressGatewayLabels(), selector)
                        || Labels.subsetOf(settings.egressGatewayLabels(), wb.podLabels);
            }
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
                // Gateway API: backends of kind Hostname (or ServiceEntry) are Istio's egress pattern. An Istio API
                // gateway forwarding to a ServiceEntry host may be an ingress proxying to an outside backend: it
                // counts as egress only by its labels or when sidecars route to it (below).
                for (RouteRule rule : routesByGateway.getOrDefault(b, List.of())) {
                    for (RouteDestination d : rule.destinations()) {
                        wb.egress |= "Hostname".equals(d.kind()) || "ServiceEntry".equals(d.kind());
                    }
                }
            }
            wb.egress |= meshRoutesByDestination.containsKey(wb.host);
            GatewayWorkload w = new GatewayWorkload(wb.host, wb.namespace, Map.copyOf(wb.ports), Map.copyOf(wb.podLabels),
                    wb.service == null ? null : new ObjectRef(Kind.SERVICE, wb.namespace, wb.service.getMetadata().getName()),
                    Set.copyOf(wb.bindings), List.copyOf(servers), wb.egress);
            workloadsByServiceHost.put(w.serviceHost(), w);
            for (Binding b : w.bindings()) {
                workloadsByGateway.computeIfAbsent(b, k -> new ArrayList<>()).add(w);
            }
        }
    }

    private void indexEgressUses() {
        for (var e : meshRoutesByDestination.entrySet()) {
            GatewayWorkload w = workloadsByServiceHost.get(e.getKey());
            if (w == null || !w.egress()) {
                continue;
            }
            for (RouteRule r : e.getValue()) {
                for (RouteDestination d : r.destinations()) {
                    if (!d.host().equals(w.serviceHost())) {
                        continue;
                    }
                    EgressUse use = new EgressUse(w, d.effectivePort(r.port()));
                    egressUsesByRouteNamespace.computeIfAbsent(r.namespace(), k -> new LinkedHashSet<>()).add(use);
                    if (r.exportTo().isPublic()) {
                        publicEgressUses.add(use);
                        if (d.subset() != null) {
                            publicSubsetsByGateway.computeIfAbsent(w.serviceHost(), k -> new HashSet<>()).add(d.subset());
                        }
                    } else {
                        for (String ns : r.exportTo().entries()) {
                            String visible = ns.equals(".") ? r.namespace() : ns;
                            egressUsesByVisibleNamespace.computeIfAbsent(visible, k -> new LinkedHashSet<>()).add(use);
                            if (d.subset() != null) {
                                exportedSubsetsByGateway.computeIfAbsent(w.serviceHost(), k -> new HashMap<>())
                                        .computeIfAbsent(visible, k -> new HashSet<>()).add(d.subset());
                            }
                        }
                    }
                }
            }
        }
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

    /** Sidecar-injected namespaces, sorted. */
    public List<String> injectedNamespaces() {
        return injectedNamespacesView;
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
    public boolean namespacesKnown() {
        return !namespaceLabels.isEmpty();
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
            return injectedNamespacesView;
        }
        Set<String> out = new TreeSet<>();
        for (String e : exportTo.entries()) {
            String ns = e.equals(".") ? exportTo.owner() : e;
            if (sidecarInjected(ns)) {
                out.add(ns);
            }
        }
        return List.copyOf(out);
    }

    /** True when the state shows the cluster's workloads (Deployments or Pods). */
    public boolean workloadsKnown() {
        return !workloadLabels.isEmpty();
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
        List<ServiceEntryInfo> out = new ArrayList<>(serviceEntriesByHost.getOrDefault(host, List.of()));
        for (ServiceEntryInfo se : wildcardServiceEntries) {
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
    public Optional<ServiceEntryInfo> serviceEntryFor(String host, String namespace) {
        if (host == null) {
            return Optional.empty();
        }
        for (ServiceEntryInfo se : serviceEntriesByHost.getOrDefault(host, List.of())) {
            if (se.exportTo().visibleTo(namespace)) {
                return Optional.of(se);
            }
        }
        ServiceEntryInfo best = null;
        String bestHost = null;
        for (ServiceEntryInfo se : wildcardServiceEntries) {
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
            for (List<RouteRule> l : meshRoutesByHost.values()) {
                for (RouteRule r : l) {
                    if (r.servesHost(host)) {
                        out.add(r);
                    }
                }
            }
        } else {
            out.addAll(meshRoutesByHost.getOrDefault(host, List.of()));
        }
        for (RouteRule r : wildcardMeshRoutes) {
            if (r.servesHost(host) && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Gateway-bound routes whose hosts intersect {@code host} (which must not be a wildcard). */
    public List<RouteRule> gatewayRoutesFor(String host) {
        List<RouteRule> out = new ArrayList<>(gatewayRoutesByHost.getOrDefault(host, List.of()));
        for (RouteRule r : wildcardGatewayRoutes) {
            if (r.servesHost(host) && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Mesh routes with a destination on {@code host}. */
    public List<RouteRule> meshRoutesTo(String host) {
        return meshRoutesByDestination.getOrDefault(host, List.of());
    }

    /** Gateway-bound routes with a destination on {@code host}. */
    public List<RouteRule> gatewayRoutesTo(String host) {
        return gatewayRoutesByDestination.getOrDefault(host, List.of());
    }

    /** Routes bound to one gateway. */
    public List<RouteRule> routesBoundTo(Binding gateway) {
        return routesByGateway.getOrDefault(gateway, List.of());
    }

    public Optional<ObjectRef> gateway(Binding b) {
        return Optional.ofNullable(gateways.get(b));
    }

    public List<GatewayServer> servers(Binding gateway) {
        return serversByGateway.getOrDefault(gateway, List.of());
    }

    public Optional<GatewayWorkload> workload(String serviceHost) {
        return Optional.ofNullable(workloadsByServiceHost.get(serviceHost));
    }

    public Optional<GatewayWorkload> egressGateway(String serviceHost) {
        GatewayWorkload w = workloadsByServiceHost.get(serviceHost);
        return w != null && w.egress() ? Optional.of(w) : Optional.empty();
    }

    public List<GatewayWorkload> workloadsOf(Binding gateway) {
        return workloadsByGateway.getOrDefault(gateway, List.of());
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
            return egressUsesByRouteNamespace.getOrDefault(namespace, Set.of());
        }
        if (!sidecarInjected(namespace)) {
            return Set.of();
        }
        Set<EgressUse> out = new LinkedHashSet<>(publicEgressUses);
        out.addAll(egressUsesByVisibleNamespace.getOrDefault(namespace, Set.of()));
        return out;
    }

    /** True when a mesh route that sidecars of {@code namespace} apply uses this subset of the gateway. */
    public boolean subsetUsedFrom(String gatewayHost, String namespace, String subset) {
        return publicSubsetsByGateway.getOrDefault(gatewayHost, Set.of()).contains(subset)
                || exportedSubsetsByGateway.getOrDefault(gatewayHost, Map.of()).getOrDefault(namespace, Set.of()).contains(subset);
    }

    /** DestinationRules whose (fully qualified) host is exactly {@code host}, in every namespace. */
    public List<DestinationRuleInfo> destinationRulesFor(String host) {
        return destinationRulesByHost.getOrDefault(host, List.of());
    }

    public List<NetworkPolicy> networkPolicies(String namespace) {
        return networkPoliciesByNamespace.getOrDefault(namespace, List.of());
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
