package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.model.ObjectRef;

import io.egressguard.istio.Labels;

import java.util.List;
import java.util.Map;

/**
 * A DestinationRule, normalised.
 *
 * @param host          the host, fully qualified as Istio resolves it
 * @param subsets       subset names in declaration order
 * @param trafficPolicy the top-level traffic policy as a comparable tree, or null
 * @param order         position in Istio's precedence (creation time, then name): lower wins
 * @param workloadScoped true when a {@code workloadSelector} limits it to some workloads
 * @param selector      the workloadSelector's labels (empty when not workload-scoped)
 */
public record DestinationRuleInfo(ObjectRef ref, String host, List<String> subsets, Object trafficPolicy,
        ExportTo exportTo, long order, boolean workloadScoped, Map<String, String> selector) {

    public DestinationRuleInfo {
        subsets = List.copyOf(subsets);
        selector = selector == null ? Map.of() : Map.copyOf(selector);
        if (workloadScoped) {
            // pilot PushContext.setDestinationRules: a rule with a workloadSelector is never exported, whatever
            // its exportTo says: only proxies of its own namespace can find it
            exportTo = new ExportTo(ref.namespace(), List.of("."));
        }
    }

    /** True when a proxy with {@code podLabels} is one the rule's workloadSelector selects. */
    public boolean selects(Map<String, String> podLabels) {
        return workloadScoped && Labels.subsetOf(selector, podLabels);
    }

    public String namespace() {
        return ref.namespace();
    }
}
