package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;

import java.util.Optional;

/**
 * EG213: a host with dots is taken literally. {@code istio-egressgateway.istio-system} is not expanded to
 * {@code istio-egressgateway.istio-system.svc.cluster.local}: it matches no service.
 */
final class PartialServiceName implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG213;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        if (target.kind() == Kind.DESTINATION_RULE) {
            s.destinationRule(target.ref()).map(DestinationRuleInfo::host).flatMap(h -> fullName(s, h))
                    .ifPresent(full -> ctx.report("spec.host", "matches no service: host "
                            + s.destinationRule(target.ref()).get().host() + " is taken literally; write " + full));
            return;
        }
        for (RouteRule r : s.routes(target.ref())) {
            for (RouteDestination d : r.destinations()) {
                Optional<String> full = fullName(s, d.host());
                if (full.isPresent()) {
                    ctx.report(d.path() + ".host", "matches no service: host " + d.host() + " is taken literally; write "
                            + full.get());
                    return;
                }
            }
        }
    }

    /** The Service FQDN a partial name was meant to be, when the name is partial. */
    static Optional<String> fullName(MeshSnapshot s, String host) {
        if (host == null || Hosts.isWildcard(host) || !host.contains(".") || host.endsWith("." + Hosts.CLUSTER_DOMAIN)
                || !s.serviceEntriesDeclaring(host).isEmpty()) {
            return Optional.empty();
        }
        String[] labels = host.split("\\.");
        if (labels.length < 2) {
            return Optional.empty();
        }
        String full = labels[0] + "." + labels[1] + "." + Hosts.CLUSTER_DOMAIN;
        boolean svcSuffix = host.endsWith(".svc") || host.endsWith(".svc.cluster");
        boolean knownService = labels.length == 2 && (s.service(full).isPresent() || s.workload(full).isPresent()
                || s.namespaceLabels(labels[1]).isPresent());
        return svcSuffix && labels.length <= 4 || knownService ? Optional.of(full) : Optional.empty();
    }
}
