package io.egressguard.rules;

import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Resource;


/**
 * EG202 and EG203: a route with no gateway match in a VirtualService bound to both {@code mesh} and an
 * egress gateway applies at both hops. Sending to the egress gateway Service, the gateway routes to itself
 * (EG202, a loop); sending to the external host, sidecars skip the gateway (EG203, a bypass).
 */
final class RouteAppliesToMeshAndGateway implements Rule {

    private final Catalogue code;

    private RouteAppliesToMeshAndGateway(Catalogue code) {
        this.code = code;
    }

    static RouteAppliesToMeshAndGateway loop() {
        return new RouteAppliesToMeshAndGateway(Catalogue.EG202);
    }

    static RouteAppliesToMeshAndGateway bypass() {
        return new RouteAppliesToMeshAndGateway(Catalogue.EG203);
    }

    @Override
    public Catalogue code() {
        return code;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (RouteRule r : s.routes(target.ref())) {
            if (!r.appliesToMesh()) {
                continue;
            }
            for (Binding gw : r.bindings()) {
                if (gw.isMesh() || !s.isEgressGateway(gw)) {
                    continue;
                }
                for (RouteDestination d : r.destinations()) {
                    boolean toThisGateway = s.workloadsOf(gw).stream().map(GatewayWorkload::serviceHost)
                            .anyMatch(d.host()::equals);
                    if (code == Catalogue.EG202 && toThisGateway) {
                        ctx.report(r.path(), "the gateway routes to itself (loop): route to " + d.host()
                                + " applies to mesh and to gateway " + gw + "; match gateways: [mesh]");
                        return;
                    }
                    if (code == Catalogue.EG203 && !toThisGateway && s.workload(d.host()).isEmpty()) {
                        ctx.report(r.path(), "sidecars bypass the gateway: route to " + d.host()
                                + " applies to mesh and to gateway " + gw + "; match gateways: [" + gw.name() + "]");
                        return;
                    }
                }
            }
        }
    }
}
