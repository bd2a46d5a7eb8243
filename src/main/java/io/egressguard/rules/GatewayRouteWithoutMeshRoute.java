package io.egressguard.rules;

import io.egressguard.mesh.VirtualServiceRoutes;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.List;

/**
 * EG205: the VirtualService is bound to {@code mesh} and forwards host H on port P at an egress gateway,
 * but no mesh route for H sends traffic to that gateway on P: the gateway hop is never reached.
 */
final class GatewayRouteWithoutMeshRoute implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG205;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        if (!VirtualServiceRoutes.topLevelBindings((VirtualService) target.object()).contains(Binding.MESH)) {
            return; // not bound to mesh: EG201's case
        }
        List<RouteRule> rules = s.routes(target.ref());
        for (RouteRule r : rules) {
            if (r.appliesToMesh()) {
                continue; // applies at both hops: EG202/EG203
            }
            for (Binding gw : r.bindings()) {
                if (!s.isEgressGateway(gw)) {
                    continue;
                }
                for (String host : r.hosts()) {
                    if (!reached(s, host, r.port(), s.workloadsOf(gw))) {
                        ctx.report(r.path(), "never reached: no mesh route sends " + host + " on "
                                + EgressHops.portText(r.port()) + " to gateway " + gw);
                        return;
                    }
                }
            }
        }
    }

    private static boolean reached(MeshSnapshot s, String host, Integer port, List<GatewayWorkload> workloads) {
        for (RouteRule m : s.meshRoutesFor(host)) {
            for (RouteDestination d : m.destinations()) {
                Integer arrives = d.effectivePort(m.port());
                for (GatewayWorkload w : workloads) {
                    // the gateway route's port is the server's; the mesh route sends to a Service port reaching it
                    if (w.serviceHost().equals(d.host()) && (port == null || arrives == null || w.reaches(arrives, port))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
