package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;

/**
 * EG210: a mesh route sends to the egress gateway Service on a port the Service does not expose, or on
 * which no server of the gateway's Gateways listens.
 */
final class EgressGatewayPortNotExposed implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG210;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.routes(target.ref()))) {
            Integer port = hop.gatewayPort();
            if (port == null) {
                continue;
            }
            String gw = hop.gateway().serviceHost();
            if (hop.gateway().portsKnown() && !hop.gateway().servicePorts().containsKey(port)) {
                ctx.report(hop.destination().path() + ".port", "sidecars cannot reach the gateway: its Service " + gw.split("\\.")[0]
                        + " does not expose port " + port + " (it exposes " + hop.gateway().servicePorts().keySet() + ")");
                return;
            }
            if (!hop.gateway().listensFor(port)) {
                ctx.report(hop.destination().path() + ".port", "the gateway drops this traffic: no Gateway server of egress gateway "
                        + gw.split("\\.")[0] + " listens on port " + port);
                return;
            }
        }
    }
}
