package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.MeshSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which DestinationRule a proxy in namespace X applies to a service in namespace Y (pilot
 * {@code PushContext.destinationRule}, Istio 1.24 to 1.31; for a ServiceEntry, Y is its namespace):
 *
 * <ol>
 * <li>X is not the root namespace: the most specific host match among DestinationRules in X visible in X.
 * A match stops the search, even through a wildcard host and without the wanted subset. X is the root
 * namespace: the most specific match among the root namespace's rules that are private to it.</li>
 * <li>Else the most specific match among rules in Y exported to X.</li>
 * <li>Else the most specific match among rules in the root namespace exported to X.</li>
 * <li>Else none: a rule in any other namespace is never used, whatever its exportTo.</li>
 * </ol>
 * Rules for the same host in one namespace merge (subsets are unioned, the oldest wins a name clash); rules
 * are never merged across namespaces.
 */
public final class DestinationRuleLookup {

    public enum Step {
        CLIENT_NAMESPACE("the client namespace"),
        SERVICE_NAMESPACE("the service namespace"),
        ROOT_NAMESPACE("the root namespace");

        private final String description;

        Step(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * The rules the lookup selected.
     *
     * @param rules     the merged rules for the selected host, oldest first
     * @param namespace where they live
     * @param host      the DestinationRule host that matched (may be a wildcard)
     */
    public record Result(Step step, List<DestinationRuleInfo> rules, String namespace, String host, Set<String> subsets) {

        Result(Step step, List<DestinationRuleInfo> rules, String namespace, String host) {
            this(step, rules, namespace, host, merged(rules));
        }

        /** Subsets after Istio's merge of same-host rules. */
        private static Set<String> merged(List<DestinationRuleInfo> rules) {
            Set<String> out = new LinkedHashSet<>();
            for (DestinationRuleInfo d : rules) {
                out.addAll(d.subsets());
            }
            return Set.copyOf(out);
        }

        public boolean hasSubset(String subset) {
            return subsets.contains(subset);
        }

        /**
         * The rules a proxy with {@code podLabels} applies among those found (pilot
         * {@code SidecarScope.DestinationRule}): the first workload-scoped rule that selects it, else the rules
         * without workloadSelector (merged), else none. There is no fall-through to the next lookup step.
         */
        public List<DestinationRuleInfo> applying(Map<String, String> podLabels) {
            for (DestinationRuleInfo d : rules) {
                if (d.selects(podLabels)) {
                    return List.of(d);
                }
            }
            return rules.stream().filter(d -> !d.workloadScoped()).toList();
        }
    }

    private final MeshSnapshot snapshot;

    public DestinationRuleLookup(MeshSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    public Optional<Result> lookup(String clientNamespace, String host, String serviceNamespace) {
        String root = snapshot.rootNamespace();
        if (!clientNamespace.equals(root)) {
            Optional<Result> local = match(Step.CLIENT_NAMESPACE, clientNamespace, host,
                    d -> d.exportTo().visibleLocally());
            if (local.isPresent()) {
                return local;
            }
        } else {
            Optional<Result> local = match(Step.CLIENT_NAMESPACE, root, host, d -> !d.exportTo().exportedBeyondOwner());
            if (local.isPresent()) {
                return local;
            }
        }
        if (serviceNamespace != null && !serviceNamespace.isEmpty()) {
            Optional<Result> svc = exported(Step.SERVICE_NAMESPACE, serviceNamespace, host, clientNamespace);
            if (svc.isPresent()) {
                return svc;
            }
        }
        return exported(Step.ROOT_NAMESPACE, root, host, clientNamespace);
    }

    /**
     * Istio first picks the most specific host among the namespace's exported rules, then checks that
     * this host's rules are exported to the client: a more specific rule hidden from the client is not
     * skipped in favour of a less specific visible one.
     */
    private Optional<Result> exported(Step step, String namespace, String host, String client) {
        Optional<Result> m = match(step, namespace, host, d -> d.exportTo().exportedBeyondOwner());
        if (m.isEmpty()) {
            return m;
        }
        for (DestinationRuleInfo d : m.get().rules()) {
            // exported rules are matched on their literal exportTo: "." is not read as the owner namespace here
            // (pilot getExportedDestinationRuleFromNamespace), so [".", "default"] does not reach the root
            // namespace's own gateways
            if (d.exportTo().isPublic() || d.exportTo().entries().contains(client)) {
                return m;
            }
        }
        return Optional.empty();
    }

    private Optional<Result> match(Step step, String namespace, String host,
            java.util.function.Predicate<DestinationRuleInfo> indexed) {
        Map<String, List<DestinationRuleInfo>> byHost = snapshot.destinationRulesIn(namespace);
        if (byHost.isEmpty()) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>();
        for (var e : byHost.entrySet()) {
            if (e.getValue().stream().anyMatch(indexed)) {
                candidates.add(e.getKey());
            }
        }
        Optional<String> best = Hosts.mostSpecificMatch(host, candidates);
        if (best.isEmpty()) {
            return Optional.empty();
        }
        List<DestinationRuleInfo> rules = byHost.get(best.get()).stream().filter(indexed).toList();
        return Optional.of(new Result(step, merged(rules), namespace, best.get()));
    }

    /**
     * The rules a proxy gets among same-host rules of one namespace (oldest first). Since Istio 1.24
     * ({@code ENABLE_ENHANCED_DESTINATIONRULE_MERGE}, on by default) pilot merges them only when their
     * exportTo are equal (pilot {@code mergeDestinationRule}); otherwise they stay apart and the newest rule
     * without workloadSelector is the one applied ({@code SidecarScope.DestinationRule}), with the rules merged
     * into it. Before 1.24, or with the flag off, every rule merges.
     */
    private List<DestinationRuleInfo> merged(List<DestinationRuleInfo> rules) {
        if (!mergesByExportTo()) {
            return rules;
        }
        DestinationRuleInfo newest = null;
        for (DestinationRuleInfo d : rules) {
            if (!d.workloadScoped()) {
                newest = d;
            }
        }
        if (newest == null) {
            return rules;
        }
        Set<String> exportTo = Set.copyOf(newest.exportTo().entries());
        return rules.stream().filter(d -> d.workloadScoped() || Set.copyOf(d.exportTo().entries()).equals(exportTo)).toList();
    }

    /** True when the state's istiod merges same-host DestinationRules only with equal exportTo (1.24 and later). */
    public boolean mergesByExportTo() {
        return snapshot.istiod().map(i -> !i.disabled("ENABLE_ENHANCED_DESTINATIONRULE_MERGE") && !i.olderThan(1, 24))
                .orElse(true);
    }
}
