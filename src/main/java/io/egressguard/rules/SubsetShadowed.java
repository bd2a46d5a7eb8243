package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;


/**
 * EG303: a DestinationRule in a client namespace matches the egress gateway host (exactly or through a
 * wildcard such as {@code *.svc.cluster.local}) but lacks the subset the mesh route uses. Istio's lookup stops
 * at the first namespace with a match, so the subset defined elsewhere is never used.
 */
final class SubsetShadowed implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG303;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
        if (dr == null) {
            return;
        }
        for (GatewayWorkload gw : EgressHops.gatewaysCovered(s, dr.host())) {
            SubsetReach reach = SubsetReach.of(s, gw);
            var result = reach.lookup(dr.namespace()).orElse(null);
            if (result == null || result.step() != DestinationRuleLookup.Step.CLIENT_NAMESPACE || !result.rules().contains(dr)) {
                continue;
            }
            for (var e : reach.usedBy(dr.namespace()).entrySet()) {
                String subset = e.getKey();
                if (!result.hasSubset(subset) && definedElsewhere(s, dr, gw, subset)) {
                    ctx.report("spec.host", "subset not found (503): host " + dr.host() + " shadows subset " + subset
                            + " of " + gw.serviceHost().split("\\.")[0] + " defined elsewhere; lookup stops here",
                            e.getValue().rule().source());
                    return;
                }
            }
        }
    }

    /** The subset exists where the lookup would have gone next: the gateway's namespace or the root namespace. */
    private static boolean definedElsewhere(MeshSnapshot s, DestinationRuleInfo shadowing, GatewayWorkload gw, String subset) {
        for (String ns : new String[] {gw.namespace(), s.rootNamespace()}) {
            if (ns.equals(shadowing.namespace())) {
                continue;
            }
            for (var rules : s.destinationRulesIn(ns).values()) {
                for (DestinationRuleInfo other : rules) {
                    if (other.subsets().contains(subset) && Hosts.covers(other.host(), gw.serviceHost())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
