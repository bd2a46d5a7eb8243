package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;


/** EG102: the gateway hop forwards host H on port P, but the ServiceEntry for H does not declare P. */
final class GatewayPortNotInServiceEntry implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG102;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (EgressHops.GatewayHop hop : EgressHops.gatewayHops(s, s.routes(target.ref()))) {
            Integer port = hop.port();
            if (port == null) {
                continue;
            }
            EgressHops.serviceEntry(s, hop).ifPresent(se -> {
                if (!se.ports().isEmpty() && !se.ports().containsKey(port)) {
                    ctx.report(hop.destination().path() + ".port", "the gateway answers 503 or resets: it forwards "
                            + hop.destination().host() + " on port " + port + ", which " + se.ref() + " does not declare", se.ref());
                }
            });
        }
    }
}
