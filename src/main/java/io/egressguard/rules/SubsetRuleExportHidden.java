package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;

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
        for (GatewayWorkload gw : EgressHops.gatewaysCovered(s, dr.host())) {
            if (!dr.namespace().equals(gw.namespace()) && !dr.namespace().equals(s.rootNamespace())) {
                continue;
            }
            SubsetReach reach = SubsetReach.of(s, gw);
            Set<String> hidden = new TreeSet<>();
            String used = null;
            for (String subset : dr.subsets()) {
                for (String client : reach.failingClients(subset)) {
                    if (!dr.exportTo().visibleTo(client)) {
                        hidden.add(client);
                        used = used == null ? subset : used;
                    }
                }
            }
            if (!hidden.isEmpty()) {
                ctx.report("spec.exportTo", "503 for clients in " + EgressHops.list(hidden)
                        + ": exportTo hides these subsets of " + gw.serviceHost().split("\\.")[0] + " from them", reach.sources(used, hidden));
                return;
            }
        }
    }
}
