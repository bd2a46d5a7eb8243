package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.DestinationRule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a DestinationRule's host and subsets select. */
final class DestinationRuleTargets {

    private DestinationRuleTargets() {
    }

    /**
     * EG306: a DestinationRule for an external host that no ServiceEntry declares. Pilot selects
     * DestinationRules only for the services in a proxy's scope: without a ServiceEntry the host has no
     * cluster and the rule never applies (a TLS-origination rule originates nothing).
     */
    static final class UnregisteredHost implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG306;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
            if (dr == null || Hosts.isWildcard(dr.host()) || EgressHops.isClusterLocal(dr.host()) || !dr.host().contains(".")) {
                return;
            }
            if (s.serviceEntriesDeclaring(dr.host()).isEmpty()) {
                ctx.report("spec.host", "never applies: no ServiceEntry declares " + dr.host());
            }
        }
    }

    /**
     * EG307: a subset of the egress gateway whose labels no gateway pod has. A subset's endpoints are the
     * service's endpoints carrying its labels; none gives an empty cluster: 503 UH. Judged only when the
     * gateway's pods are in the state.
     */
    static final class SubsetSelectsNoGatewayPod implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG307;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            DestinationRuleInfo dr = s.destinationRule(target.ref()).orElse(null);
            if (dr == null || !s.workloadsKnown()) {
                return;
            }
            GatewayWorkload w = s.egressGateway(dr.host()).orElse(null);
            DestinationRule obj = (DestinationRule) target.object();
            if (w == null || obj.getSpec() == null || obj.getSpec().getSubsets() == null
                    || !s.anyWorkloadMatches(w.podLabels())) {
                return;
            }
            List<io.fabric8.istio.api.api.networking.v1alpha3.Subset> subsets = obj.getSpec().getSubsets();
            for (int i = 0; i < subsets.size(); i++) {
                var subset = subsets.get(i);
                if (subset == null || subset.getLabels() == null || subset.getLabels().isEmpty()) {
                    continue;
                }
                Map<String, String> wanted = new HashMap<>(w.podLabels());
                wanted.putAll(subset.getLabels());
                if (!s.anyWorkloadMatches(wanted)) {
                    ctx.report("spec.subsets[" + i + "].labels", "503 UH (no endpoint): subset " + subset.getName()
                            + " selects " + subset.getLabels() + ", which no egress gateway pod has");
                    return;
                }
            }
        }
    }
}
