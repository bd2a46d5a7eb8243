package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;


/**
 * EG212: the gateway hop forwards to a host that no ServiceEntry visible to the gateway declares: the host is
 * unknown to the mesh registry and the gateway has no cluster for it.
 */
final class GatewayHostWithoutServiceEntry implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG212;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.GatewayHop hop : EgressHops.gatewayHops(s, s.routes(target.ref()))) {
            String host = hop.destination().host();
            if (EgressHops.isClusterLocal(host) || s.service(host).isPresent()) {
                continue;
            }
            if (EgressHops.serviceEntry(s, hop).isEmpty()) {
                ctx.report(hop.destination().path() + ".host", "the gateway cannot forward: egress gateway " + hop.gateway()
                        + " forwards to " + host + ", which no ServiceEntry visible to the gateway declares");
                return;
            }
        }
    }
}
