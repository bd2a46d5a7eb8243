package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.istio.Labels;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.egressguard.mesh.MeshSnapshot.labelsOf;
import static io.egressguard.mesh.MeshSnapshot.nonNull;

/**
 * What the cluster runs beside the Istio configuration: Namespaces, Services and workloads, istiod, the
 * namespace-wide Sidecars and the mesh config. Many indexes depend on them, so a change to one of them builds
 * the state again, and snapshots derived by a change share this inventory with the one they came from.
 */
final class ClusterInventory {

    private final MeshSettings settings;
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final List<String> injectedNamespaces;
    private final Map<String, Service> servicesByHost = new HashMap<>();
    private final List<Map<String, String>> workloadLabels = new ArrayList<>();
    private final Map<String, List<Map<String, String>>> workloadLabelsByNamespace = new HashMap<>();
    private final MeshSnapshot.IstiodInfo istiod;
    /** Sidecars without workloadSelector by namespace, oldest first: the first scopes the namespace. */
    private final Map<String, List<Resource>> namespaceSidecars;
    /** Sidecars with a workloadSelector by namespace, oldest first: the first that selects a pod scopes it. */
    private final Map<String, List<Resource>> workloadSidecars;
    /** The mesh config ConfigMap ({@code istio} in the root namespace), null when not in the state. */
    private final Resource meshConfig;
    /** The mesh-wide {@code outboundTrafficPolicy.mode}: true for REGISTRY_ONLY (Istio's default is ALLOW_ANY). */
    private final boolean meshRegistryOnly;

    ClusterInventory(MeshSettings settings, Collection<Resource> resources) {
        this.settings = settings;
        List<String> injected = new ArrayList<>();
        MeshSnapshot.IstiodInfo istiodFound = null;
        Map<String, List<Resource>> sidecars = new HashMap<>();
        Map<String, List<Resource>> selecting = new HashMap<>();
        Resource meshConfigFound = null;
        for (Resource r : resources) {
            switch (r.kind()) {
                case NAMESPACE -> {
                    Map<String, String> labels = new HashMap<>(labelsOf(r.object()));
                    labels.putIfAbsent(MeshSnapshot.NAMESPACE_NAME_LABEL, r.ref().name());
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
                    (sc.getSpec() == null || sc.getSpec().getWorkloadSelector() == null ? sidecars : selecting)
                            .computeIfAbsent(r.ref().namespace(), k -> new ArrayList<>()).add(r);
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
        for (Map<String, List<Resource>> m : List.of(sidecars, selecting)) {
            m.values().forEach(l -> l.sort(Comparator.comparingLong(Resource::creationOrder)
                    .thenComparing(x -> x.ref().name())));
        }
        namespaceSidecars = sidecars;
        workloadSidecars = selecting;
        meshConfig = meshConfigFound;
        meshRegistryOnly = meshConfigFound != null && registryOnly((ConfigMap) meshConfigFound.object());
    }

    private void addWorkload(String ns, Map<String, String> labels) {
        workloadLabels.add(labels);
        workloadLabelsByNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(labels);
    }

    private static MeshSnapshot.IstiodInfo istiodInfo(Deployment d) {
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
        return new MeshSnapshot.IstiodInfo(version, env);
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

    // ---------------------------------------------------------------- namespaces

    /**
     * Sidecar-injected namespaces that hold clients, sorted. A namespace whose known workloads are all gateway
     * proxies (an egress gateway installed in its own injected namespace, as Istio's gateway chart does) holds
     * no sidecar client: gateways do not apply mesh routes.
     */
    List<String> injectedNamespaces() {
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

    /**
     * True when the state holds the cluster's namespace list, not just some Namespace objects: a cluster (the
     * informers) always lists the root namespace and kube-system, while manifests often create only their own
     * namespace, which says nothing about the others.
     */
    boolean namespacesKnown() {
        return namespaceLabels.containsKey(settings.rootNamespace()) || namespaceLabels.containsKey("kube-system");
    }

    Optional<Map<String, String>> namespaceLabels(String ns) {
        return Optional.ofNullable(namespaceLabels.get(ns));
    }

    Set<String> namespaces() {
        return namespaceLabels.keySet();
    }

    boolean sidecarInjected(String ns) {
        Map<String, String> l = namespaceLabels.get(ns);
        return l != null && sidecarInjected(l);
    }

    /**
     * Namespaces whose sidecars receive an object exported with {@code exportTo}: sidecar-injected
     * namespaces it is visible to. When the state has no Namespace objects, only the object's own namespace
     * is known to hold clients.
     */
    List<String> clientNamespaces(ExportTo exportTo) {
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

    // ---------------------------------------------------------------- Services and workloads

    /** True when the state shows the cluster's workloads (Deployments or Pods). */
    boolean workloadsKnown() {
        return !workloadLabels.isEmpty();
    }

    /** The pod labels of the workloads known in {@code ns}. */
    List<Map<String, String>> workloadLabels(String ns) {
        return List.copyOf(workloadLabelsByNamespace.getOrDefault(ns, List.of()));
    }

    boolean anyWorkloadMatches(Map<String, String> selector) {
        for (Map<String, String> l : workloadLabels) {
            if (Labels.subsetOf(selector, l)) {
                return true;
            }
        }
        return false;
    }

    Optional<Service> service(String host) {
        return Optional.ofNullable(servicesByHost.get(host));
    }

    /**
     * Services whose pods carry the selector's labels: the Service selector already implies them, or a
     * Deployment/Pod in the Service's namespace carries both.
     */
    List<String> servicesFronting(Map<String, String> selector) {
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

    Optional<MeshSnapshot.IstiodInfo> istiod() {
        return Optional.ofNullable(istiod);
    }

    // ---------------------------------------------------------------- Sidecars and mesh config

    /** True when some namespace-wide Sidecar scopes proxies. */
    boolean hasNamespaceSidecars() {
        return !namespaceSidecars.isEmpty();
    }

    /**
     * The Sidecar that scopes the proxies of {@code namespace}: its own oldest Sidecar without workloadSelector,
     * else the root namespace's (pilot {@code PushContext.getSidecarScope}); empty when none applies.
     */
    Optional<SidecarScope> sidecarScope(String namespace) {
        List<Resource> own = namespaceSidecars.get(namespace);
        List<Resource> root = namespaceSidecars.get(settings.rootNamespace());
        Resource r = own != null ? own.get(0) : root != null ? root.get(0) : null;
        return r == null ? Optional.empty() : Optional.of(SidecarScope.of(r, namespace));
    }

    /**
     * The Sidecar that scopes a pod with these labels: the oldest Sidecar of its namespace whose workloadSelector
     * selects it, else the namespace's scope (pilot {@code PushContext.getSidecarScope}: Sidecars with a selector
     * come first).
     */
    Optional<SidecarScope> sidecarScope(String namespace, Map<String, String> podLabels) {
        for (Resource r : workloadSidecars.getOrDefault(namespace, List.of())) {
            if (Labels.subsetOf(SidecarScope.workloadSelector(r), podLabels)) {
                return Optional.of(SidecarScope.of(r, namespace));
            }
        }
        return sidecarScope(namespace);
    }

    /** The mesh-wide outbound traffic policy: the mesh config's, else Istio's default (ALLOW_ANY). */
    MeshSnapshot.OutboundTrafficPolicy meshOutboundTrafficPolicy() {
        ObjectRef source = meshConfig == null ? null : meshConfig.ref();
        return new MeshSnapshot.OutboundTrafficPolicy(meshRegistryOnly, source);
    }
}
