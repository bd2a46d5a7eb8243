package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * EG301: a DestinationRule defines egress gateway subsets in a namespace N that is neither the gateway's
 * namespace nor the root namespace. Istio's lookup only finds it for clients in N: clients in other
 * namespaces that route to those subsets get 503. When the state has no Namespace objects the client
 * namespaces are unknown: the finding is advice (info).
 */
final class SubsetRuleOutOfReach implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG301;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
        if (dr == null || dr.subsets().isEmpty()) {
            return;
        }
        String ns = dr.namespace();
        for (GatewayWorkload gw : EgressHops.gatewaysCovered(s, dr.host())) {
            if (ns.equals(gw.namespace()) || ns.equals(s.rootNamespace())) {
                continue;
            }
            SubsetReach reach = SubsetReach.of(s, gw);
            String name = gw.serviceHost().split("\\.")[0];
            List<Set<String>> failingBySubset = new ArrayList<>();
            String used = null;
            for (String subset : dr.subsets()) {
                if (reach.routedTo(subset)) {
                    used = used == null ? subset : used;
                    failingBySubset.add(reach.failingClients(subset));
                }
            }
            // Client namespaces other than the rule's own that miss a subset, sorted. One subset's answer (the
            // usual case) is taken as it is: it may hold every namespace of the mesh.
            Set<String> failing;
            if (failingBySubset.size() == 1 && !failingBySubset.get(0).contains(ns)) {
                failing = failingBySubset.get(0);
            } else {
                failing = new TreeSet<>();
                failingBySubset.forEach(failing::addAll);
                failing.remove(ns);
            }
            if (used == null) {
                continue;
            }
            if (!s.namespacesKnown()) {
                ctx.reportWithSeverity(Severity.INFO, "spec.subsets", "only clients in " + ns + " find these subsets of "
                        + name + " (defined in " + ns + ")", reach.sources(used, Set.of(ns)));
                return;
            }
            if (!failing.isEmpty()) {
                ctx.report("metadata.namespace", "503 for clients in " + EgressHops.list(failing) + ": subsets of "
                        + name + " defined in " + ns + " are outside their DestinationRule lookup", reach.sources(used, failing));
                return;
            }
        }
    }
}
