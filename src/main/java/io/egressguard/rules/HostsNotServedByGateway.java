package io.egressguard.rules;

import io.egressguard.mesh.VirtualServiceRoutes;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.List;

/**
 * EG208: no host of the VirtualService matches a host of the referenced Gateway's servers (with their
 * {@code namespace/host} restrictions): the gateway ignores the VirtualService.
 */
final class HostsNotServedByGateway implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG208;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        VirtualService vs = (VirtualService) target.object();
        List<String> hosts = VirtualServiceRoutes.hosts(vs);
        for (Binding gw : VirtualServiceRoutes.topLevelBindings(vs)) {
            if (gw.isMesh() || ctx.snapshot().gateway(gw).isEmpty()) {
                continue;
            }
            List<GatewayServer> servers = ctx.snapshot().servers(gw);
            boolean served = servers.stream().anyMatch(srv -> hosts.stream()
                    .anyMatch(h -> srv.acceptsHost(h, target.ref().namespace())));
            if (!servers.isEmpty() && !served) {
                ctx.report("spec.hosts", "the gateway ignores this VirtualService: no host of " + hosts
                        + " matches a server host of Gateway " + gw, ctx.snapshot().gateway(gw).get());
            }
        }
    }
}
