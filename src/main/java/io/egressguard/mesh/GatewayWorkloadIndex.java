package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.kubernetes.api.model.Service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.egressguard.mesh.MeshSnapshot.indexOf;
import static io.egressguard.mesh.MeshSnapshot.nonNull;

/**
 * The proxies behind the gateways and what sidecars send to the egress gateways among them. Cross-kind: a
 * gateway workload depends on the Services and workloads, the Gateways that select it and the routes that
 * send to it. Rebuilt when a Gateway changes or a gateway starts or stops being an egress gateway; otherwise
 * patched.
 */
final class GatewayWorkloadIndex {

    static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
    private static final String ALL = "*";

    /** An egress use as indexed: by the gateway's Service host, so that a changed Gateway leaves it valid. */
    private record GatewayPort(String host, Integer port) implements Comparable<GatewayPort> {
        private static final Comparator<GatewayPort> ORDER = Comparator.comparing(GatewayPort::host)
                .thenComparing(GatewayPort::port, Comparator.nullsFirst(Comparator.naturalOrder()));

        @Override
        public int compareTo(GatewayPort o) {
            return ORDER.compare(this, o);
        }

        // Written out, as ObjectRef does: an index key, hashed on every lookup.
        @Override
        public boolean equals(Object o) {
            return this == o || o instanceof GatewayPort g && Objects.equals(host, g.host) && Objects.equals(port, g.port);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(host) * 31 + Objects.hashCode(port);
        }
    }

    private final MeshSettings settings;
    private Map<String, GatewayWorkload> workloadsByServiceHost;
    private Map<Binding, List<String>> workloadsByGateway;
    private Set<String> egressByLabels;
    private CountIndex<String, GatewayPort> publicEgressUses;
    private CountIndex<String, GatewayPort> egressUsesByVisibleNamespace;
    private CountIndex<String, GatewayPort> egressUsesByRouteNamespace;
    private CountIndex<String, String> publicSubsetsByGateway;
    private CountIndex<HostClient, String> exportedSubsetsByGateway;
    /** Servers pilot skips on every proxy they apply to: a TLS host already served on the port (EG405). */
    private Set<GatewayServer> skippedServers = Set.of();

    GatewayWorkloadIndex(MeshSettings settings, ClusterInventory cluster, GatewayIndex gateways, RouteIndex routes) {
        this.settings = settings;
        index(cluster, gateways, routes);
    }

    private GatewayWorkloadIndex(GatewayWorkloadIndex before) {
        settings = before.settings;
        workloadsByServiceHost = before.workloadsByServiceHost;
        workloadsByGateway = before.workloadsByGateway;
        egressByLabels = before.egressByLabels;
        publicEgressUses = new CountIndex<>(before.publicEgressUses);
        egressUsesByVisibleNamespace = new CountIndex<>(before.egressUsesByVisibleNamespace);
        egressUsesByRouteNamespace = new CountIndex<>(before.egressUsesByRouteNamespace);
        publicSubsetsByGateway = new CountIndex<>(before.publicSubsetsByGateway);
        exportedSubsetsByGateway = new CountIndex<>(before.exportedSubsetsByGateway);
        skippedServers = before.skippedServers;
    }

    // ---------------------------------------------------------------- derived by one change

    /**
     * The index after the Gateway {@code from} (null: created) became {@code to} (null: deleted): its servers
     * replaced in place when it still runs on the same proxies, else the workloads found again.
     */
    GatewayWorkloadIndex afterGatewayChange(GatewayIndex gatewaysBefore, GatewayIndex gateways, Resource from,
            Resource to, ClusterInventory cluster, RouteIndex routes) {
        GatewayWorkloadIndex next = new GatewayWorkloadIndex(this);
        if (next.replaceServers(gatewaysBefore, gateways, from, to)) {
            next.skippedServers = next.skippedServers(gateways);
        } else {
            next.index(cluster, gateways, routes);
        }
        return next;
    }

    /**
     * The index after route rules were replaced ({@code routes} already has them): their egress uses
     * replaced, and the workloads found again when a gateway became, or stopped being, an egress gateway.
     */
    GatewayWorkloadIndex afterRouteChange(RouteIndex.Replaced replaced, ClusterInventory cluster, GatewayIndex gateways,
            RouteIndex routes) {
        if (replaced.removed().isEmpty() && replaced.added().isEmpty()) {
            return this;
        }
        GatewayWorkloadIndex next = new GatewayWorkloadIndex(this);
        Set<String> touchedHosts = new LinkedHashSet<>();
        for (RouteRule rule : replaced.removed()) {
            next.egressUses(rule, null, false);
            next.touched(rule, touchedHosts);
        }
        for (RouteRule rule : replaced.added()) {
            next.egressUses(rule, null, true);
            next.touched(rule, touchedHosts);
        }
        boolean gatewaysChanged = false;
        for (String host : touchedHosts) {
            GatewayWorkload w = next.workloadsByServiceHost.get(host);
            if (w != null && w.egress() != next.carriesEgress(host, w.bindings(), routes)) {
                gatewaysChanged = true; // a gateway became, or stopped being, an egress gateway
            }
        }
        if (gatewaysChanged) {
            next.index(cluster, gateways, routes);
        }
        return next;
    }

    /**
     * A Gateway whose servers changed but that still runs on the same proxies (same selector, or same
     * GatewayClass): its servers are replaced in place in the workloads it is bound to. False when the
     * workloads themselves may change and must be found again.
     */
    private boolean replaceServers(GatewayIndex gatewaysBefore, GatewayIndex gateways, Resource from, Resource to) {
        if (from == null || to == null || !sameProxies(from, to)) {
            return false;
        }
        Binding b = GatewayIndex.binding(to);
        List<GatewayServer> old = gatewaysBefore.servers(b);
        List<GatewayServer> now = gateways.servers(b);
        Map<String, GatewayWorkload> replaced = new LinkedHashMap<>(workloadsByServiceHost);
        for (GatewayWorkload w : workloadsOf(b)) {
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

    // ---------------------------------------------------------------- gateway workloads

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
                        exportedSubsetsByGateway.edit(new HostClient(w.serviceHost(), visible), d.subset(), add);
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
    private boolean carriesEgress(String host, Set<Binding> bindings, RouteIndex routes) {
        if (egressByLabels.contains(host) || routes.anyMeshRouteTo(host)) {
            return true;
        }
        for (Binding b : bindings) {
            for (RouteRule rule : routes.routesBoundTo(b)) {
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
    private void index(ClusterInventory cluster, GatewayIndex gateways, RouteIndex routes) {
        Set<String> unchangedEgressGateways = workloadsByServiceHost == null ? null : egressHosts();
        workloadsByServiceHost = new LinkedHashMap<>();
        workloadsByGateway = new HashMap<>();
        egressByLabels = new HashSet<>();
        Map<Map<String, String>, List<Binding>> bySelector = new LinkedHashMap<>();
        List<Binding> everyGateway = new ArrayList<>();
        for (Resource r : gateways.ofKind(Kind.GATEWAY)) {
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
            List<String> hosts = cluster.servicesFronting(selector);
            if (hosts.isEmpty() && !cluster.workloadsKnown() && Labels.subsetOf(selector, defaultEgressPodLabels())) {
                hosts = List.of(Hosts.serviceHost(settings.defaultEgressService(), settings.rootNamespace()));
            }
            for (String host : hosts) {
                WorkloadBuilder wb = builders.computeIfAbsent(host,
                        h -> new WorkloadBuilder(h, cluster.service(h).orElse(null), selector));
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
        for (Resource r : gateways.ofKind(Kind.KUBERNETES_GATEWAY)) {
            var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
            if (g.getSpec() == null || !settings.gatewayClassName().equals(g.getSpec().getGatewayClassName())) {
                continue;
            }
            String host = Hosts.serviceHost(r.ref().name() + "-" + settings.gatewayClassName(), r.ref().namespace());
            WorkloadBuilder wb = new WorkloadBuilder(host, cluster.service(host).orElse(null),
                    Map.of(GATEWAY_NAME_LABEL, r.ref().name()));
            Binding b = Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
            wb.bindings.add(b);
            if (wb.service == null) {
                for (GatewayServer s : gateways.servers(b)) {
                    wb.ports.put(s.port(), s.port());
                }
            }
            builders.put(host, wb);
        }
        for (WorkloadBuilder wb : builders.values()) {
            List<GatewayServer> servers = new ArrayList<>();
            for (Binding b : wb.bindings) {
                servers.addAll(gateways.servers(b));
            }
            GatewayWorkload w = new GatewayWorkload(wb.host, wb.namespace, Map.copyOf(wb.ports), Map.copyOf(wb.podLabels),
                    wb.service == null ? null : new ObjectRef(Kind.SERVICE, wb.namespace, wb.service.getMetadata().getName()),
                    Set.copyOf(wb.bindings), List.copyOf(servers), carriesEgress(wb.host, wb.bindings, routes));
            workloadsByServiceHost.put(w.serviceHost(), w);
            for (Binding b : w.bindings()) {
                workloadsByGateway.computeIfAbsent(b, k -> new ArrayList<>(1)).add(w.serviceHost());
            }
        }
        skippedServers = skippedServers(gateways);
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
                for (RouteRule r : routes.meshRoutesTo(w.serviceHost())) {
                    egressUses(r, w, true);
                }
            }
        }
    }

    private Map<String, String> defaultEgressPodLabels() {
        Map<String, String> m = new HashMap<>(settings.egressGatewayLabels());
        m.put("app", settings.defaultEgressService());
        return m;
    }

    private static final class WorkloadBuilder {
        final String host;
        final String namespace;
        final Service service;
        final Map<String, String> podLabels;
        final Map<Integer, Integer> ports = new HashMap<>();
        final Set<Binding> bindings = new LinkedHashSet<>();

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

    // ---------------------------------------------------------------- servers pilot skips

    /**
     * Servers pilot skips when it merges the Gateways of one proxy (pilot {@code model.mergeGateways}): Gateways
     * oldest first, their servers in order; a server with {@code tls} whose hosts repeat a host that an earlier
     * TLS server already serves on the same (resolved) port is skipped as a whole ("duplicate host names":
     * Envoy would reject two filter chains with the same SNI match). Hosts are compared as written. Only Istio
     * API Gateways merge; a server is skipped when no proxy it applies to keeps it.
     */
    private Set<GatewayServer> skippedServers(GatewayIndex gateways) {
        Set<GatewayServer> skipped = new HashSet<>();
        Set<GatewayServer> kept = new HashSet<>();
        for (GatewayWorkload w : workloadsByServiceHost.values()) {
            Map<Integer, Set<String>> tlsHostsByPort = new HashMap<>();
            for (GatewayServer srv : mergeOrder(w, gateways)) {
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
    private static List<GatewayServer> mergeOrder(GatewayWorkload w, GatewayIndex gateways) {
        List<Resource> gws = new ArrayList<>();
        for (Binding b : w.bindings()) {
            if (b.type() == Binding.Type.ISTIO_GATEWAY) {
                Resource r = gateways.resource(b);
                if (r != null) {
                    gws.add(r);
                }
            }
        }
        gws.sort(Comparator.comparingLong(Resource::creationOrder)
                .thenComparing((Resource r) -> r.ref().namespace()).thenComparing(r -> r.ref().name()));
        List<GatewayServer> out = new ArrayList<>();
        for (Resource r : gws) {
            out.addAll(gateways.servers(Binding.istioGateway(r.ref().namespace(), r.ref().name())));
        }
        return out;
    }

    private static boolean samePort(GatewayWorkload w, GatewayServer a, GatewayServer b) {
        return java.util.Objects.equals(w.listeningPort(a.port()), w.listeningPort(b.port()));
    }

    /** {@code servers} of a Gateway less those pilot skips ({@link #skippedServer}). */
    List<GatewayServer> kept(List<GatewayServer> servers) {
        if (skippedServers.isEmpty()) {
            return servers;
        }
        return servers.stream().filter(x -> !skippedServers.contains(x)).toList();
    }

    /**
     * The server pilot keeps instead of {@code server} when it skips it: the older server on the same proxies,
     * port and bind that already serves one of its TLS hosts; empty when {@code server} is kept.
     */
    Optional<GatewayServer> skippedServer(GatewayServer server, GatewayIndex gateways) {
        if (!skippedServers.contains(server)) {
            return Optional.empty();
        }
        for (GatewayWorkload w : workloadsOf(server.binding())) {
            for (GatewayServer kept : mergeOrder(w, gateways)) {
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

    // ---------------------------------------------------------------- queries

    Optional<GatewayWorkload> workload(String serviceHost) {
        return Optional.ofNullable(workloadsByServiceHost.get(serviceHost));
    }

    Optional<GatewayWorkload> egressGateway(String serviceHost) {
        GatewayWorkload w = workloadsByServiceHost.get(serviceHost);
        return w != null && w.egress() ? Optional.of(w) : Optional.empty();
    }

    List<GatewayWorkload> workloadsOf(Binding gateway) {
        List<String> hosts = workloadsByGateway.getOrDefault(gateway, List.of());
        if (hosts.size() == 1) {
            return List.of(workloadsByServiceHost.get(hosts.get(0)));
        }
        List<GatewayWorkload> out = new ArrayList<>(hosts.size());
        hosts.forEach(h -> out.add(workloadsByServiceHost.get(h)));
        return out;
    }

    Collection<GatewayWorkload> all() {
        return workloadsByServiceHost.values();
    }

    /** True when the gateway configuration runs on egress gateway proxies. */
    boolean isEgressGateway(Binding gateway) {
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
    Set<MeshSnapshot.EgressUse> egressUsesFrom(String namespace, ClusterInventory cluster) {
        if (!cluster.namespacesKnown()) {
            return egressUses(egressUsesByRouteNamespace.get(namespace), Set.of());
        }
        if (!cluster.sidecarInjected(namespace)) {
            return Set.of();
        }
        return egressUses(publicEgressUses.get(ALL), egressUsesByVisibleNamespace.get(namespace));
    }

    /** Indexed uses with the gateways of this snapshot, by gateway then port (the caller's port first). */
    private Set<MeshSnapshot.EgressUse> egressUses(Set<GatewayPort> a, Set<GatewayPort> b) {
        TreeSet<GatewayPort> keys = new TreeSet<>(a);
        keys.addAll(b);
        Set<MeshSnapshot.EgressUse> out = new LinkedHashSet<>();
        for (GatewayPort k : keys) {
            out.add(new MeshSnapshot.EgressUse(workloadsByServiceHost.get(k.host()), k.port()));
        }
        return out;
    }

    /** True when a mesh route that sidecars of {@code namespace} apply uses this subset of the gateway. */
    boolean subsetUsedFrom(String gatewayHost, String namespace, String subset) {
        return publicSubsetsByGateway.contains(gatewayHost, subset)
                || exportedSubsetsByGateway.contains(new HostClient(gatewayHost, namespace), subset);
    }
}
