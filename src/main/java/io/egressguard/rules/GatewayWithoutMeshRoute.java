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
import java.util.Set;

/**
 * EG201: a VirtualService bound to an egress gateway but not to {@code mesh}, while no route anywhere sends
 * the host's mesh traffic to that gateway. Sidecars then never route to the gateway: traffic leaves directly.
 */
final class GatewayWithoutMeshRoute implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG201;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        VirtualService vs = (VirtualService) target.object();
        Set<Binding> top = VirtualServiceRoutes.topLevelBindings(vs);
        if (top.contains(Binding.MESH)) {
            return;
        }
        List<String> hosts = VirtualServiceRoutes.hosts(vs);
        for (Binding gw : top) {
            if (!s.isEgressGateway(gw)) {
                continue;
            }
            for (String host : hosts) {
                if (!meshTrafficReaches(s, host, s.workloadsOf(gw))) {
                    ctx.report("spec.gateways", "sidecars bypass the gateway: bound to egress gateway " + gw
                            + " but not to mesh, and no mesh route sends " + host + " to it");
                    return;
                }
            }
        }
    }

    static boolean meshTrafficReaches(MeshSnapshot s, String host, List<GatewayWorkload> workloads) {
        for (RouteRule r : s.meshRoutesFor(host)) {
            for (RouteDestination d : r.destinations()) {
                for (GatewayWorkload w : workloads) {
                    if (w.serviceHost().equals(d.host())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
