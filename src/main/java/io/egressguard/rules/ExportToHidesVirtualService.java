package io.egressguard.rules;

import io.egressguard.istio.ExportTo;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.Set;
import java.util.TreeSet;

/**
 * EG211: a VirtualService applies only to proxies in namespaces it is exported to. Hidden from the egress
 * gateway's namespace, the gateway hop is ignored. Hidden from a sidecar-injected namespace that was prepared
 * as a client (it holds a DestinationRule defining the subset the route uses), its sidecars never route to
 * the gateway. A namespace whose Sidecar would not import the VirtualService is not among them: exporting it
 * there would change nothing.
 */
final class ExportToHidesVirtualService implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG211;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        VirtualService vs = (VirtualService) target.object();
        ExportTo exportTo = new ExportTo(target.ref().namespace(), vs.getSpec() == null ? null : vs.getSpec().getExportTo());
        if (exportTo.isPublic()) {
            return;
        }
        Set<String> hiddenFrom = new TreeSet<>();
        for (RouteRule r : s.routes(target.ref())) {
            for (Binding b : r.bindings()) {
                if (b.isMesh() || !s.isEgressGateway(b)) {
                    continue;
                }
                for (GatewayWorkload w : s.workloadsOf(b)) {
                    if (!exportTo.visibleTo(w.namespace())) {
                        hiddenFrom.add(w.namespace());
                    }
                }
            }
        }
        if (!hiddenFrom.isEmpty()) {
            ctx.report("spec.exportTo", "gateway hop ignored: exportTo hides this VirtualService from the egress "
                    + "gateway namespace " + String.join(", ", hiddenFrom));
            return;
        }
        // A namespace prepared as a client holds a DestinationRule with the subset this route uses, and no
        // route visible there uses that subset: the rule only makes sense for this hidden VirtualService.
        Set<String> preparedClients = new TreeSet<>();
        for (EgressHops.MeshHop hop : EgressHops.meshHops(s, s.routes(target.ref()))) {
            String subset = hop.destination().subset();
            if (subset == null) {
                continue;
            }
            for (String ns : SubsetReach.of(s, hop.gateway()).orphanedSubsetNamespaces(subset)) {
                // exported there, the route would still be left out by a Sidecar that does not import it
                if (!exportTo.visibleTo(ns) && s.importsRoutes(ns, target.ref())) {
                    preparedClients.add(ns);
                }
            }
        }
        if (!preparedClients.isEmpty()) {
            ctx.report("spec.exportTo", "sidecars bypass the gateway: exportTo hides this VirtualService from "
                    + EgressHops.list(preparedClients) + ", which define its egress subset");
        }
    }
}
