package io.egressguard.rules;

import io.egressguard.istio.DestinationRuleLookup;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For one egress gateway: which client namespaces send to which of its subsets, and whether Istio's
 * DestinationRule lookup finds the subset for them. Built once per snapshot and gateway, so that rules on
 * any DestinationRule or VirtualService ask in constant time instead of walking every route and client.
 */
final class SubsetReach {

    /** One route destination that names a subset of the gateway. */
    record Use(RouteRule rule, RouteDestination destination) {
        String subset() {
            return destination.subset();
        }
    }

    private final MeshSnapshot snapshot;
    private final GatewayWorkload gateway;
    private final DestinationRuleLookup lookup;
    /** Uses by routes visible to every namespace, by subset. */
    private final Map<String, List<Use>> publicUses = new LinkedHashMap<>();
    /** Uses by routes exported to named namespaces: namespace, then subset. */
    private final Map<String, Map<String, List<Use>>> exportedUses = new HashMap<>();
    /** The same, by subset: which namespaces the exported uses of a subset reach. */
    private final Map<String, Set<String>> exportedClients = new HashMap<>();
    private final Map<String, Optional<DestinationRuleLookup.Result>> lookups = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> failingClients = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> orphanedSubsets;

    private SubsetReach(MeshSnapshot snapshot, GatewayWorkload gateway) {
        this.snapshot = snapshot;
        this.gateway = gateway;
        this.lookup = new DestinationRuleLookup(snapshot);
        for (RouteRule r : snapshot.meshRoutesTo(gateway.serviceHost())) {
            for (RouteDestination d : r.destinations()) {
                if (!d.host().equals(gateway.serviceHost()) || d.subset() == null || d.subset().isEmpty()) {
                    continue;
                }
                Use use = new Use(r, d);
                if (snapshot.namespacesKnown() && r.exportTo().isPublic()) {
                    publicUses.computeIfAbsent(d.subset(), k -> new ArrayList<>()).add(use);
                } else {
                    for (String client : snapshot.clientNamespaces(r.exportTo())) {
                        exportedUses.computeIfAbsent(client, k -> new LinkedHashMap<>())
                                .computeIfAbsent(d.subset(), k -> new ArrayList<>()).add(use);
                        exportedClients.computeIfAbsent(d.subset(), k -> new TreeSet<>()).add(client);
                    }
                }
            }
        }
        this.orphanedSubsets = orphans();
    }

    static SubsetReach of(MeshSnapshot s, GatewayWorkload gateway) {
        return s.derived(List.of(SubsetReach.class, gateway.serviceHost()), x -> new SubsetReach(x, gateway));
    }

    GatewayWorkload gateway() {
        return gateway;
    }

    /** What the lookup gives a sidecar in {@code client} for the gateway host. */
    Optional<DestinationRuleLookup.Result> lookup(String client) {
        return lookups.computeIfAbsent(client, c -> lookup.lookup(c, gateway.serviceHost(), gateway.namespace()));
    }

    boolean found(String client, String subset) {
        return lookup(client).map(r -> r.hasSubset(subset)).orElse(false);
    }

    /** Subsets the sidecars of {@code client} route to, with one route as the example. */
    Map<String, Use> usedBy(String client) {
        Map<String, Use> out = new LinkedHashMap<>();
        if (snapshot.sidecarInjected(client)) {
            publicUses.forEach((subset, uses) -> out.put(subset, uses.get(0)));
        }
        exportedUses.getOrDefault(client, Map.of()).forEach((subset, uses) -> out.putIfAbsent(subset, uses.get(0)));
        return out;
    }

    /** Client namespaces that route to {@code subset} and do not find it, sorted. */
    Set<String> failingClients(String subset) {
        return failingClients.computeIfAbsent(subset, s -> {
            Set<String> failing = new TreeSet<>();
            if (publicUses.containsKey(s)) {
                for (String client : snapshot.injectedNamespaces()) {
                    if (!found(client, s)) {
                        failing.add(client);
                    }
                }
            }
            for (String client : exportedClients.getOrDefault(s, Set.of())) {
                if (!found(client, s)) {
                    failing.add(client);
                }
            }
            return java.util.Collections.unmodifiableSet(failing);
        });
    }

    /**
     * Sidecar-injected namespaces holding a DestinationRule for the gateway with a subset that no route
     * visible there uses, by subset: namespaces prepared as clients of a route hidden from them.
     */
    Set<String> orphanedSubsetNamespaces(String subset) {
        return orphanedSubsets.getOrDefault(subset, Set.of());
    }

    private Map<String, Set<String>> orphans() {
        Map<String, Set<String>> out = new HashMap<>();
        for (var dr : snapshot.destinationRulesFor(gateway.serviceHost())) {
            String ns = dr.namespace();
            if (!snapshot.sidecarInjected(ns)) {
                continue;
            }
            Map<String, Use> used = usedBy(ns);
            for (String subset : dr.subsets()) {
                if (!used.containsKey(subset)) {
                    out.computeIfAbsent(subset, k -> new TreeSet<>()).add(ns);
                }
            }
        }
        return out;
    }

    /** True when some mesh route sends to {@code subset}. */
    boolean routedTo(String subset) {
        return publicUses.containsKey(subset) || exportedClients.containsKey(subset);
    }

    /** Routes that send {@code clients} to {@code subset} (at most a few), for the findings' related objects. */
    List<ObjectRef> sources(String subset, Set<String> clients) {
        Set<ObjectRef> out = new java.util.LinkedHashSet<>();
        publicUses.getOrDefault(subset, List.of()).forEach(u -> out.add(u.rule().source()));
        for (String client : clients) {
            if (out.size() >= 5) {
                break;
            }
            exportedUses.getOrDefault(client, Map.of()).getOrDefault(subset, List.of()).forEach(u -> out.add(u.rule().source()));
        }
        return new ArrayList<>(out);
    }
}
