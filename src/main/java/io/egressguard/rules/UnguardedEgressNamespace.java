package io.egressguard.rules;

import io.egressguard.mesh.ImportedRoutes;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/**
 * EG901 (audit): a sidecar-injected namespace whose traffic is routed through an egress gateway, but where no
 * egress NetworkPolicy covers every pod. Istio only steers traffic through its sidecars: a pod that skips its
 * sidecar (or runs without one) reaches the internet directly. The task's "additional security
 * considerations" ask for a policy that leaves the gateway as the only way out.
 */
final class UnguardedEgressNamespace implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG901;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        String ns = target.ref().name();
        if (!s.sidecarInjected(ns)) {
            return;
        }
        // only routes its sidecars import send traffic through a gateway (a Sidecar may leave them out)
        var uses = ImportedRoutes.egressUsesFrom(s, ns);
        if (uses.isEmpty()) {
            return;
        }
        for (NetworkPolicy p : s.networkPolicies(ns)) {
            if (EgressPolicy.restrictsEgress(p) && io.egressguard.istio.Labels.selectsAll(p.getSpec().getPodSelector())) {
                return;
            }
        }
        String gateways = EgressHops.list(uses.stream()
                .map(u -> u.gateway().serviceHost().split("\\.")[0]).distinct().toList());
        ctx.report("metadata.name", "pods can bypass the egress gateway: traffic leaves through " + gateways
                + " but no egress NetworkPolicy covers all pods");
    }
}
