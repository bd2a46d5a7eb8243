package io.egressguard.mesh;

import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sidecar-injected namespaces, grouped by what their sidecars see of one egress gateway besides the
 * configuration every namespace sees. A route or DestinationRule visible to every namespace (no exportTo, Istio's
 * default) reaches each namespace the same way; what makes one namespace's answer differ is its own: the
 * DestinationRules it holds (Istio's lookup stops at the client namespace when one matches the gateway host, so
 * their subsets decide which routed subsets it finds), its NetworkPolicies and labels, its workloads, the routes
 * exported to it by name, where the lookup lands when it holds none, and what its Sidecar imports. Namespaces alike in all of these give
 * the same findings on their own objects for a change to public configuration: one namespace of a group answers
 * for all of them.
 *
 * <p>Groups are built once per snapshot from scratch. A snapshot derived by one change reuses the groups of the
 * snapshot it came from and sets apart the namespaces the change touches (its own namespace, the namespaces a
 * route names in exportTo or sourceNamespace): their view may have changed, so each is its own group. A change
 * that can alter every namespace's view (a DestinationRule in the gateway's or the root namespace, a gateway
 * whose role or ports changed, any other kind) builds the groups again.
 */
public final class ClientGroups {

    /** What a namespace's sidecars see of the gateway beyond the public configuration. */
    private record View(Map<String, String> labels, List<Object> destinationRules, List<Object> networkPolicies,
            List<Map<String, String>> workloads, Set<String> routedSubsets, Set<MeshSnapshot.EgressUse> egressUses,
            List<Object> lookup, Object sidecar) {
    }

    private final List<List<String>> groups;
    /** Namespaces set apart by the changes since the groups were built: each one is its own group. */
    private final Set<String> apart;

    private ClientGroups(List<List<String>> groups, Set<String> apart) {
        this.groups = groups;
        this.apart = apart;
    }

    /** The groups of the sidecar-injected namespaces for {@code gateway} in {@code s}. */
    public static ClientGroups of(MeshSnapshot s, GatewayWorkload gateway) {
        return s.derived(List.of(ClientGroups.class, gateway.serviceHost()), x -> x.change()
                .flatMap(c -> patched(x, c, gateway)).orElseGet(() -> build(x, gateway)));
    }

    /**
     * One namespace of each group, and every namespace set apart: the namespaces whose objects answer for all.
     * The gateway's and the root namespace (which Istio's lookup treats apart) are always among them.
     */
    public List<String> representatives() {
        List<String> out = new ArrayList<>();
        for (List<String> g : groups) {
            for (String ns : g) {
                if (!apart.contains(ns)) {
                    out.add(ns);
                    break;
                }
            }
        }
        out.addAll(apart);
        return out;
    }

    /** The other namespaces of {@code representative}'s group (empty for a namespace set apart). */
    public List<String> alike(String representative) {
        if (apart.contains(representative)) {
            return List.of();
        }
        for (List<String> g : groups) {
            if (g.contains(representative)) {
                return g.stream().filter(ns -> !ns.equals(representative) && !apart.contains(ns)).toList();
            }
        }
        return List.of();
    }

    private static ClientGroups build(MeshSnapshot s, GatewayWorkload gateway) {
        Map<View, List<String>> byView = new LinkedHashMap<>();
        List<List<String>> groups = new ArrayList<>();
        Set<String> apart = new TreeSet<>();
        DestinationRuleLookup lookup = new DestinationRuleLookup(s);
        for (String ns : s.injectedNamespaces()) {
            if (ns.equals(gateway.namespace()) || ns.equals(s.rootNamespace())) {
                apart.add(ns);
                continue;
            }
            byView.computeIfAbsent(view(s, lookup, gateway, ns), v -> {
                List<String> g = new ArrayList<>();
                groups.add(g);
                return g;
            }).add(ns);
        }
        return new ClientGroups(groups, apart);
    }

    /** The groups of the snapshot {@code s} came from, with the namespaces its change touches set apart. */
    private static Optional<ClientGroups> patched(MeshSnapshot s, MeshSnapshot.Change c, GatewayWorkload gateway) {
        MeshSnapshot before = c.before();
        ObjectRef ref = c.ref();
        boolean route = ref.kind() == Kind.VIRTUAL_SERVICE || ref.kind() == Kind.HTTP_ROUTE || ref.kind() == Kind.TLS_ROUTE;
        boolean localRule = ref.kind() == Kind.DESTINATION_RULE && !ref.namespace().equals(gateway.namespace())
                && !ref.namespace().equals(s.rootNamespace());
        if (!(route || localRule || ref.kind() == Kind.NETWORK_POLICY)
                || !before.workload(gateway.serviceHost()).map(gateway::equals).orElse(false)) {
            return Optional.empty();
        }
        ClientGroups previous = of(before, gateway);
        Set<String> apart = new TreeSet<>(previous.apart);
        apart.add(ref.namespace());
        if (route) {
            List<RouteRule> rules = new ArrayList<>(before.routes(ref));
            rules.addAll(s.routes(ref));
            for (RouteRule r : rules) {
                if (!r.clients().isPublic()) {
                    apart.addAll(s.clientNamespaces(r.clients()));
                }
            }
        }
        List<String> injected = s.injectedNamespaces(); // sorted
        apart.removeIf(ns -> java.util.Collections.binarySearch(injected, ns) < 0);
        return Optional.of(new ClientGroups(previous.groups, apart));
    }

    private static View view(MeshSnapshot s, DestinationRuleLookup lookup, GatewayWorkload gateway, String ns) {
        List<Object> rules = new ArrayList<>();
        s.destinationRulesIn(ns).values().stream().flatMap(List::stream)
                .sorted(Comparator.comparingLong(DestinationRuleInfo::order))
                .forEach(d -> rules.add(Arrays.asList(d.ref().name(), d.host(), d.subsets(), d.trafficPolicy(),
                        d.exportTo().entries(), d.workloadScoped(), d.selector())));
        List<Object> policies = new ArrayList<>();
        s.networkPolicies(ns).forEach(p -> policies.add(Arrays.asList(p.getMetadata().getName(), p.getSpec())));
        List<Object> found = new ArrayList<>();
        lookup.lookup(ns, gateway.serviceHost(), gateway.namespace()).ifPresent(r -> {
            found.add(r.step());
            found.add(r.host());
            found.add(r.subsets());
            if (r.step() != DestinationRuleLookup.Step.CLIENT_NAMESPACE) {
                found.add(r.namespace());
                r.rules().forEach(d -> found.add(d.ref()));
            }
        });
        Map<String, String> labels = new java.util.HashMap<>(s.namespaceLabels(ns).orElse(Map.of()));
        labels.remove("kubernetes.io/metadata.name");
        Object sidecar = s.sidecarScope(ns).map(SidecarScope::view).orElse(null);
        // Where a Sidecar scopes the namespace, what it routes is what its sidecars import: two namespaces with
        // the same Sidecar view still differ by the routes of their own namespace ("./*").
        Set<String> routedSubsets = sidecar == null ? Set.copyOf(s.subsetsRoutedFrom(gateway.serviceHost(), ns))
                : Set.copyOf(ImportedRoutes.subsetsRoutedFrom(s, gateway.serviceHost(), ns).keySet());
        return new View(labels, rules, policies, s.workloadLabels(ns), routedSubsets,
                Set.copyOf(ImportedRoutes.egressUsesFrom(s, ns)), found, sidecar);
    }
}
