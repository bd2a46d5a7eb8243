package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.model.ObjectRef;

import java.util.List;

/**
 * A DestinationRule, normalised.
 *
 * @param host          the host, fully qualified as Istio resolves it
 * @param subsets       subset names in declaration order
 * @param trafficPolicy the top-level traffic policy as a comparable tree, or null
 * @param order         position in Istio's precedence (creation time, then name): lower wins
 * @param workloadScoped true when a {@code workloadSelector} limits it to some workloads
 */
public record DestinationRuleInfo(ObjectRef ref, String host, List<String> subsets, Object trafficPolicy,
        ExportTo exportTo, long order, boolean workloadScoped) {

    public DestinationRuleInfo {
        subsets = List.copyOf(subsets);
    }

    public String namespace() {
        return ref.namespace();
    }
}
