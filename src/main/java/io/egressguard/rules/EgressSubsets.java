package io.egressguard.rules;

import io.egressguard.istio.DestinationRuleLookup;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where mesh routes use subsets of an egress gateway, and what the DestinationRule lookup gives their clients. */
final class EgressSubsets {

    private EgressSubsets() {
    }

    /** One client namespace of one mesh route that uses a subset of an egress gateway. */
    record SubsetUse(RouteRule rule, RouteDestination destination, GatewayWorkload gateway, String client,
            Optional<DestinationRuleLookup.Result> lookup) {

        String subset() {
            return destination.subset();
        }

        boolean found() {
            return lookup.isPresent() && lookup.get().hasSubset(subset());
        }
    }

    /** Egress gateways whose Service host the DestinationRule's host covers. */
    static List<GatewayWorkload> gatewaysCovered(MeshSnapshot s, DestinationRuleInfo dr) {
        List<GatewayWorkload> out = new ArrayList<>();
        if (!Hosts.isWildcard(dr.host())) {
            s.egressGateway(dr.host()).ifPresent(out::add);
            return out;
        }
        for (GatewayWorkload w : s.gatewayWorkloads()) {
            if (w.egress() && Hosts.covers(dr.host(), w.serviceHost())) {
                out.add(w);
            }
        }
        return out;
    }

    /** Every (route, client namespace) that sends to a subset of {@code gateway}. */
    static List<SubsetUse> uses(RuleContext ctx, GatewayWorkload gateway) {
        MeshSnapshot s = ctx.snapshot();
        List<SubsetUse> out = new ArrayList<>();
        for (RouteRule r : s.meshRoutesTo(gateway.serviceHost())) {
            for (RouteDestination d : r.destinations()) {
                if (!d.host().equals(gateway.serviceHost()) || d.subset() == null || d.subset().isEmpty()) {
                    continue;
                }
                for (String client : s.clientNamespaces(r.exportTo())) {
                    out.add(new SubsetUse(r, d, gateway, client,
                            ctx.destinationRules().lookup(client, d.host(), gateway.namespace())));
                }
            }
        }
        return out;
    }

    static List<ObjectRef> sources(List<SubsetUse> uses) {
        return uses.stream().map(u -> u.rule().source()).distinct().toList();
    }
}
