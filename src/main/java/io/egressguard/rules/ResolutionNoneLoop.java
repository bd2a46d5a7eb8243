package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;

import java.util.List;

/**
 * EG101: a ServiceEntry with {@code resolution: NONE} for a host an egress gateway forwards. A gateway cannot
 * use passthrough (ORIGINAL_DST) clusters: pilot gives it an EDS cluster, and a NONE entry without
 * {@code endpoints} has no endpoint, so the cluster is empty (503 UH for HTTP, a reset for TLS). Reported on
 * whichever object completes the pair.
 */
final class ResolutionNoneLoop implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG101;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        if (target.kind() == Kind.SERVICE_ENTRY) {
            s.serviceEntry(target.ref()).filter(ServiceEntryInfo::forwardsToOriginalDestination)
                    .ifPresent(se -> checkServiceEntry(se, ctx));
            return;
        }
        for (EgressHops.GatewayHop hop : EgressHops.gatewayHops(s, s.routes(target.ref()))) {
            EgressHops.serviceEntry(s, hop).filter(ServiceEntryInfo::forwardsToOriginalDestination).ifPresent(se ->
                    ctx.report(hop.destination().path() + (target.kind() == Kind.VIRTUAL_SERVICE ? ".host" : ".name"),
                            "gateway has no endpoint (503 UH/reset): it forwards " + hop.destination().host()
                                    + " but " + se.ref() + " has resolution NONE",
                            se.ref()));
        }
    }

    private void checkServiceEntry(ServiceEntryInfo se, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (String host : se.hosts()) {
            List<RouteRule> rules = s.gatewayRoutesTo(host);
            for (EgressHops.GatewayHop hop : EgressHops.gatewayHops(s, rules)) {
                if (!hop.destination().host().equals(host)) {
                    continue;
                }
                if (EgressHops.serviceEntry(s, hop).filter(found -> found.ref().equals(se.ref())).isPresent()) {
                    ctx.report("spec.resolution", "gateway has no endpoint (503 UH/reset): resolution NONE on " + host
                            + ", forwarded by " + hop.gateway() + "; use DNS", hop.rule().source());
                    return;
                }
            }
        }
    }
}
