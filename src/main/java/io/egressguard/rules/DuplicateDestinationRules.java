package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;

import java.util.List;
import java.util.Set;
import java.util.Objects;

/**
 * EG304: DestinationRules for the same host in one namespace are merged by Istio: a subset name defined twice
 * keeps the oldest definition, and only the oldest top-level traffic policy applies. Reported on the newer rule.
 */
final class DuplicateDestinationRules implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG304;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
        if (dr == null || dr.workloadScoped()) {
            return;
        }
        List<DestinationRuleInfo> sameHost = s.destinationRulesIn(dr.namespace()).getOrDefault(dr.host(), List.of());
        for (DestinationRuleInfo older : sameHost) {
            if (older.equals(dr)) {
                return; // only rules before this one win over it
            }
            if (older.workloadScoped()) {
                continue;
            }
            if (ctx.destinationRules().mergesByExportTo()
                    && !Set.copyOf(older.exportTo().entries()).equals(Set.copyOf(dr.exportTo().entries()))) {
                // Istio 1.24+ merges same-host rules only with equal exportTo: the newest rule is applied alone
                if (!older.subsets().isEmpty() && !dr.subsets().containsAll(older.subsets())) {
                    ctx.report("spec.exportTo", "subsets " + older.subsets() + " lost: not merged with older " + older.ref()
                            + " (exportTo differs); proxies that see both apply this one alone", older.ref());
                    return;
                }
                continue;
            }
            for (String subset : dr.subsets()) {
                if (older.subsets().contains(subset)) {
                    ctx.report("spec.subsets", "definition ignored: older " + older.ref() + " also defines subset "
                            + subset + " of " + dr.host() + " and wins", older.ref());
                    return;
                }
            }
            if (dr.trafficPolicy() != null && older.trafficPolicy() != null
                    && !Objects.equals(dr.trafficPolicy(), older.trafficPolicy())) {
                ctx.report("spec.trafficPolicy", "traffic policy ignored: older " + older.ref()
                        + " sets a different one for " + dr.host(), older.ref());
                return;
            }
        }
    }
}
