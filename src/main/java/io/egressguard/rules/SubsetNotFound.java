package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.ImportedRoutes;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * EG206: a mesh route to an egress gateway names a subset, and for some client namespaces Istio's
 * DestinationRule lookup (client namespace, gateway namespace, root namespace; first match wins) finds no
 * rule defining it: clients there get 503.
 */
final class SubsetNotFound implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG206;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.routes(target.ref()))) {
            String subset = hop.destination().subset();
            if (subset == null || subset.isEmpty()) {
                continue;
            }
            SubsetReach reach = SubsetReach.of(s, hop.gateway());
            Collection<String> failing;
            Set<ObjectRef> related = new LinkedHashSet<>();
            if (s.namespacesKnown() && hop.rule().clients().isPublic()) {
                // a public route reaches every client namespace: the gateway's answer as it is (sorted), however
                // many namespaces it holds, less those whose Sidecar does not import this route (they fail, if at
                // all, through another route that they import, reported there)
                failing = reach.failingClients(subset);
                List<String> scoped = ImportedRoutes.scoped(s, failing);
                if (!scoped.isEmpty()) {
                    Set<String> notImported = new java.util.HashSet<>();
                    for (String client : scoped) {
                        if (!ImportedRoutes.imports(s, client, hop.rule())) {
                            notImported.add(client);
                        }
                    }
                    if (!notImported.isEmpty()) {
                        failing = failing.stream().filter(c -> !notImported.contains(c)).toList();
                    }
                }
            } else {
                failing = new ArrayList<>();
                for (String client : s.clientNamespaces(hop.rule())) {
                    if (!reach.found(client, subset)) {
                        failing.add(client);
                    }
                }
            }
            failing.stream().limit(3).forEach(client -> reach.lookup(client).map(DestinationRuleLookup.Result::rules)
                    .ifPresent(rules -> rules.forEach(d -> related.add(d.ref()))));
            if (!failing.isEmpty()) {
                ctx.report(hop.destination().path() + ".subset", "503 for clients in " + EgressHops.list(failing)
                        + ": their DestinationRule lookup finds no subset " + subset + " of "
                        + hop.destination().host().split("\\.")[0],
                        "Clients in " + EgressHops.list(failing) + " route with " + hop.rule().source() + " to subset "
                                + subset + ", but the DestinationRule Istio selects for them (client namespace first, "
                                + "then the gateway's namespace, then the root namespace) does not define it.", related);
                return;
            }
        }
    }
}
