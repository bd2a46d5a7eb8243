package io.egressguard.rules;

import io.egressguard.mesh.Binding;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.List;

/** EG207: the VirtualService names a Gateway that does not exist (a name without {@code /} is in its namespace). */
final class GatewayNotFound implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG207;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        VirtualService vs = (VirtualService) target.object();
        List<String> gws = vs.getSpec() == null || vs.getSpec().getGateways() == null ? List.of() : vs.getSpec().getGateways();
        for (int i = 0; i < gws.size(); i++) {
            String g = gws.get(i);
            if (g == null) {
                continue;
            }
            Binding b = Binding.ofVirtualServiceEntry(g, target.ref().namespace());
            if (!b.isMesh() && ctx.snapshot().gateway(b).isEmpty()) {
                // VirtualServices bind by name to networking.istio.io Gateways only; a Gateway API Gateway's
                // servers carry generated names (pilot InternalGatewayName), so naming it binds nothing
                boolean gatewayApi = ctx.snapshot().gateway(Binding.kubernetesGateway(b.namespace(), b.name())).isPresent();
                ctx.report("spec.gateways[" + i + "]", "routes never applied: " + (gatewayApi
                        ? b + " is a Gateway API Gateway; VirtualServices bind only to networking.istio.io Gateways: "
                                + "attach an HTTPRoute to it instead"
                        : "Gateway " + b + " does not exist"));
            }
        }
    }
}
