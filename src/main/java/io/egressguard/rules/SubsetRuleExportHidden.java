package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * EG302: a subset DestinationRule in the gateway's or the root namespace whose {@code exportTo} hides it from
 * client namespaces that route to its subsets and find them nowhere else.
 */
final class SubsetRuleExportHidden implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG302;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
        if (dr == null || dr.subsets().isEmpty() || dr.exportTo().isPublic()) {
            return;
        }
        for (GatewayWorkload gw : EgressSubsets.gatewaysCovered(s, dr)) {
            if (!dr.namespace().equals(gw.namespace()) && !dr.namespace().equals(s.rootNamespace())) {
                continue;
            }
            List<EgressSubsets.SubsetUse> uses = EgressSubsets.uses(ctx, gw).stream()
                    .filter(u -> dr.subsets().contains(u.subset())).toList();
            Set<String> hidden = new TreeSet<>();
            for (EgressSubsets.SubsetUse u : uses) {
                if (!u.found() && !dr.exportTo().visibleTo(u.client())) {
                    hidden.add(u.client());
                }
            }
            if (!hidden.isEmpty()) {
                ctx.report("spec.exportTo", "exportTo hides subsets of " + gw.serviceHost().split("\\.")[0]
                        + " from client namespaces " + EgressHops.list(hidden) + ": 503", EgressSubsets.sources(uses));
                return;
            }
        }
    }
}
