package io.egressguard.rules;

import io.egressguard.istio.DestinationRuleLookup;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
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
            List<String> failing = new ArrayList<>();
            Set<ObjectRef> related = new LinkedHashSet<>();
            for (String client : s.clientNamespaces(hop.rule().exportTo())) {
                Optional<DestinationRuleLookup.Result> r = ctx.destinationRules()
                        .lookup(client, hop.destination().host(), hop.gateway().namespace());
                if (r.isEmpty() || !r.get().hasSubset(subset)) {
                    failing.add(client);
                    r.ifPresent(res -> res.rules().forEach(d -> related.add(d.ref())));
                }
            }
            if (!failing.isEmpty()) {
                ctx.report(hop.destination().path() + ".subset", "subset " + subset + " of "
                        + hop.destination().host().split("\\.")[0] + " not found by DestinationRule lookup for clients in "
                        + EgressHops.list(failing) + ": 503", describe(hop.rule(), failing, subset), related);
                return;
            }
        }
    }

    private static String describe(RouteRule rule, List<String> failing, String subset) {
        return "Clients in " + failing + " route with " + rule.source() + " to subset " + subset
                + ", but the DestinationRule Istio selects for them (client namespace first, then the gateway's "
                + "namespace, then the root namespace) does not define it.";
    }
}
