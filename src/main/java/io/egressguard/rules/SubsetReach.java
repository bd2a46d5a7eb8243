package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.ImportedRoutes;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For one egress gateway: which client namespaces send to which of its subsets, and whether Istio's
 * DestinationRule lookup finds the subset for them. Answers come from the snapshot's subset indexes and are
 * remembered per snapshot and gateway. A client namespace sends to a subset only through a mesh route its
 * sidecars import: a namespace whose Sidecar leaves the route out never applies it ({@link ImportedRoutes}).
 * In a snapshot derived by one change, answers start from those of the state before it and only the client
 * namespaces the change touches are looked at again, so an admission request costs the change, not the number
 * of namespaces.
 */
final class SubsetReach {

    private final MeshSnapshot snapshot;
    private final GatewayWorkload gateway;
    private final String host;
    private final DestinationRuleLookup lookup;
    /** The answers in the state before the change, or null when they cannot be reused. */
    private final SubsetReach before;
    /** Client namespaces whose routes to the gateway the change touches. */
    private final Set<String> routeClients = new HashSet<>();
    /** Namespaces whose DestinationRule lookup the change touches; null means every namespace. */
    private Set<String> lookupClients = new HashSet<>();
    private final Map<String, Optional<DestinationRuleLookup.Result>> lookups = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> failingClients = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> orphanedSubsets = new ConcurrentHashMap<>();
    /** Subsets the sidecars of a Sidecar-scoped client namespace route to, by namespace. */
    private final Map<String, Map<String, MeshSnapshot.SubsetUse>> scopedUses = new ConcurrentHashMap<>();

    private SubsetReach(MeshSnapshot snapshot, GatewayWorkload gateway) {
        this.snapshot = snapshot;
        this.gateway = gateway;
        this.host = gateway.serviceHost();
        this.lookup = new DestinationRuleLookup(snapshot);
        this.before = snapshot.change().map(this::reusable).orElse(null);
    }

    static SubsetReach of(MeshSnapshot s, GatewayWorkload gateway) {
        return s.derived(List.of(SubsetReach.class, gateway.serviceHost()), x -> new SubsetReach(x, gateway));
    }

    /**
     * The state before the change, when its answers can be patched: a DestinationRule changes the lookup of
     * its namespace (of every namespace when it is in the gateway's or the root namespace); a route changes
     * its own client namespaces; a ServiceEntry the Gateway API routes attached to it; a Gateway or a
     * NetworkPolicy nothing here. When the gateway itself changed (its bindings or its egress role),
     * everything is computed again.
     */
    private SubsetReach reusable(MeshSnapshot.Change change) {
        GatewayWorkload previous = change.before().workload(host).orElse(null);
        if (previous == null || !previous.bindings().equals(gateway.bindings()) || previous.egress() != gateway.egress()) {
            return null;
        }
        ObjectRef ref = change.ref();
        if (ref.kind() == Kind.SIDECAR) {
            return null; // what client namespaces import changes
        }
        switch (ref.kind()) {
            case DESTINATION_RULE -> {
                String ns = ref.namespace();
                if (ns.equals(gateway.namespace()) || ns.equals(snapshot.rootNamespace())) {
                    lookupClients = null;
                } else {
                    lookupClients.add(ns);
                }
                // the orphan check reads the DestinationRules of the namespace
                routeClients.add(ns);
            }
            case VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE -> routeClientsOf(change, ref);
            case SERVICE_ENTRY -> {
                for (ObjectRef route : change.before().routesAttachedTo(ref)) {
                    routeClientsOf(change, route);
                }
                for (ObjectRef route : snapshot.routesAttachedTo(ref)) {
                    routeClientsOf(change, route);
                }
            }
            default -> {
            }
        }
        return SubsetReach.of(change.before(), previous);
    }

    private void routeClientsOf(MeshSnapshot.Change change, ObjectRef route) {
        List<RouteRule> rules = new ArrayList<>(change.before().routes(route));
        rules.addAll(snapshot.routes(route));
        boolean publicRoute = false;
        for (RouteRule r : rules) {
            if (!r.appliesToMesh() || r.destinations().stream().noneMatch(d -> d.host().equals(host))) {
                continue;
            }
            if (!(snapshot.namespacesKnown() && r.clients().isPublic())) {
                routeClients.addAll(snapshot.clientNamespaces(r.clients()));
            } else {
                publicRoute = true;
            }
        }
        if (publicRoute) {
            // public routes change every client's view only where a subset starts or stops being public,
            // which the per-subset checks below detect, and in the namespaces whose Sidecar imports from the
            // route's namespace: their imports of the route may have changed with it (the Sidecars did not)
            routeClients.addAll(ImportedRoutes.importingFrom(change.before(), snapshot.injectedNamespaces(), route.namespace()));
        }
    }

    /** Whether an answer for {@code subset} can start from the state before: its public use did not flip. */
    private boolean patchable(String subset) {
        return before != null && lookupClients != null && publiclyRouted(subset) == before.publiclyRouted(subset);
    }

    /**
     * An answer of the state before, with the namespaces the change touches (its routes' clients, the
     * lookups it changes) looked at again: {@code member} decides each of them in this state.
     */
    private Set<String> patched(Set<String> previous, java.util.function.Predicate<String> member) {
        Set<String> touched = new HashSet<>(routeClients);
        touched.addAll(lookupClients);
        if (touched.isEmpty()) {
            return previous; // a change to public routes only: the answer may hold every namespace, kept as it is
        }
        Set<String> out = new TreeSet<>(previous);
        for (String ns : touched) {
            out.remove(ns);
            if (member.test(ns)) {
                out.add(ns);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    GatewayWorkload gateway() {
        return gateway;
    }

    /** What the lookup gives a sidecar in {@code client} for the gateway host. */
    Optional<DestinationRuleLookup.Result> lookup(String client) {
        if (before != null && lookupClients != null && !lookupClients.contains(client)) {
            return before.lookup(client);
        }
        return lookups.computeIfAbsent(client, c -> lookup.lookup(c, host, gateway.namespace()));
    }

    boolean found(String client, String subset) {
        return lookup(client).map(r -> r.hasSubset(subset)).orElse(false);
    }

    private boolean publiclyRouted(String subset) {
        return !snapshot.subsetUses(host, null, subset).isEmpty();
    }

    /** Subsets the sidecars of {@code client} route to (through routes they import), with one route as the example. */
    Map<String, MeshSnapshot.SubsetUse> usedBy(String client) {
        if (snapshot.sidecarScope(client).isPresent()) {
            return scopedUses.computeIfAbsent(client, c -> ImportedRoutes.subsetsRoutedFrom(snapshot, host, c));
        }
        return ImportedRoutes.subsetsRoutedFrom(snapshot, host, client);
    }

    /** Client namespaces that route to {@code subset} and do not find it, sorted. */
    Set<String> failingClients(String subset) {
        return failingClients.computeIfAbsent(subset, s -> {
            if (patchable(s)) {
                return patched(before.failingClients(s), client -> routesTo(client, s) && !found(client, s));
            }
            Set<String> failing = new TreeSet<>();
            if (publiclyRouted(s)) {
                for (String client : snapshot.injectedNamespaces()) {
                    if (imported(client, s) && !found(client, s)) {
                        failing.add(client);
                    }
                }
            }
            for (String client : snapshot.subsetClients(host, s)) {
                if (imported(client, s) && !found(client, s)) {
                    failing.add(client);
                }
            }
            return Collections.unmodifiableSet(failing);
        });
    }

    private boolean routesTo(String client, String subset) {
        return (publiclyRouted(subset) && snapshot.sidecarInjected(client)
                || !snapshot.subsetUses(host, client, subset).isEmpty()) && imported(client, subset);
    }

    /**
     * False when a Sidecar scopes {@code client} and imports none of the routes that would send it to
     * {@code subset} (pilot {@code SelectVirtualServices}): its sidecars never use the subset. True at once
     * for a namespace no Sidecar scopes.
     */
    private boolean imported(String client, String subset) {
        return snapshot.sidecarScope(client).isEmpty() || usedBy(client).containsKey(subset);
    }

    /**
     * Sidecar-injected namespaces holding a DestinationRule for the gateway with a subset that no route
     * visible there uses: namespaces prepared as clients of a route hidden from them.
     */
    Set<String> orphanedSubsetNamespaces(String subset) {
        return orphanedSubsets.computeIfAbsent(subset, s -> {
            if (patchable(s)) {
                return patched(before.orphanedSubsetNamespaces(s), ns -> orphaned(ns, s));
            }
            Set<String> out = new TreeSet<>();
            for (DestinationRuleInfo dr : snapshot.destinationRulesFor(host)) {
                if (dr.subsets().contains(s) && orphaned(dr.namespace(), s)) {
                    out.add(dr.namespace());
                }
            }
            return Collections.unmodifiableSet(out);
        });
    }

    private boolean orphaned(String ns, String subset) {
        if (!snapshot.sidecarInjected(ns) || routesTo(ns, subset)) {
            return false;
        }
        for (DestinationRuleInfo dr : snapshot.destinationRulesIn(ns).getOrDefault(host, List.of())) {
            if (dr.subsets().contains(subset)) {
                return true;
            }
        }
        return false;
    }

    /** True when some mesh route sends to {@code subset}. */
    boolean routedTo(String subset) {
        return publiclyRouted(subset) || snapshot.subsetRoutedByExport(host, subset);
    }

    /** Routes that send {@code clients} to {@code subset} (at most a few), for the findings' related objects. */
    List<ObjectRef> sources(String subset, Set<String> clients) {
        Set<ObjectRef> out = new java.util.LinkedHashSet<>();
        // the public routes that the first clients import (all of them, where no Sidecar scopes those clients)
        List<String> first = clients.stream().limit(5).toList();
        for (MeshSnapshot.SubsetUse u : snapshot.subsetUses(host, null, subset)) {
            if (first.isEmpty() || first.stream().anyMatch(c -> snapshot.importsRoutes(c, u.rule().source()))) {
                out.add(u.rule().source());
            }
        }
        if (!snapshot.subsetRoutedByExport(host, subset)) {
            return new ArrayList<>(out); // no route exported by name sends to it: no client has a use of its own
        }
        for (String client : clients) {
            if (out.size() >= 5) {
                break;
            }
            for (MeshSnapshot.SubsetUse u : snapshot.subsetUses(host, client, subset)) {
                if (snapshot.importsRoutes(client, u.rule().source())) {
                    out.add(u.rule().source());
                }
            }
        }
        return new ArrayList<>(out);
    }
}
