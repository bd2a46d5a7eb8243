package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.model.ObjectRef;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import static io.egressguard.explain.Walk.names;

/**
 * The second hop on the egress gateway path: the sidecar connects to the egress gateway Service on the port
 * the route names, with the subset its DestinationRule lookup finds (client namespace, then the gateway's, then
 * the root namespace, stopping at the first with a rule for the host).
 */
final class GatewayServiceHop extends HopStep {

    GatewayServiceHop(Walk w) {
        super(w);
    }

    /** Adds the hop for the sidecar's connection to {@code gw}'s Service on {@code port}, as route destination {@code d}. */
    void add(GatewayWorkload gw, RouteDestination d, int port) {
        List<ObjectRef> objects = new ArrayList<>();
        if (gw.service() != null) {
            objects.add(gw.service());
        }
        List<String> details = new ArrayList<>();
        details.add("the egress gateway pods run in " + gw.namespace() + (gw.service() == null
                ? " (Service not in the state: Istio's default install assumed)" : ""));
        String svc = gw.serviceHost() + ":" + port;
        if (w.stopped) {
            w.add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.SKIPPED, svc + ": not reached", objects, details, null, null);
            return;
        }
        if (gw.portsKnown() && !gw.servicePorts().containsKey(port)) {
            details.add("Service ports: " + new TreeSet<>(gw.servicePorts().keySet()));
            w.stop(HopKind.EGRESS_GATEWAY_SERVICE, "the egress gateway Service does not expose port " + port
                    + ": the connection fails", objects, details, Catalogue.EG210);
            return;
        }
        Optional<DestinationRuleLookup.Result> found = w.lookup.lookup(q.namespace(), gw.serviceHost(), gw.namespace());
        found.ifPresent(r -> r.rules().forEach(dr -> objects.add(dr.ref())));
        String step = found.map(r -> "DestinationRule " + names(r.rules()) + ", found in " + r.step().description()
                + " (" + r.namespace() + ")" + (r.host().equals(gw.serviceHost()) ? "" : " through host " + r.host()))
                .orElse(null);
        if (d.subset() == null) {
            details.add(step == null ? "no DestinationRule applies to the gateway Service for clients in " + q.namespace()
                    + " (none needed: the route names no subset)" : step + " applies (the route names no subset)");
            w.add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.OK, "sidecar connects to " + svc, objects, details, null, null);
            return;
        }
        if (found.isPresent() && found.get().hasSubset(d.subset())) {
            details.add(step + ", defines subset " + d.subset());
            w.add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.OK, "sidecar connects to " + svc + " subset " + d.subset(),
                    objects, details, null, null);
            return;
        }
        details.add("DestinationRule lookup for a sidecar in " + q.namespace() + ": " + q.namespace() + ", then "
                + (gw.namespace().equals(s.rootNamespace()) ? gw.namespace() + " (the gateway's and the root namespace)"
                : gw.namespace() + " (the gateway's namespace), then " + s.rootNamespace() + " (root)")
                + ", stopping at the first namespace with a rule for the host");
        Catalogue code;
        if (found.isPresent()) {
            details.add(step + ", lacks subset " + d.subset() + " (subsets " + new TreeSet<>(found.get().subsets())
                    + ") and the lookup stops there");
            code = found.get().step() == DestinationRuleLookup.Step.CLIENT_NAMESPACE ? Catalogue.EG303 : Catalogue.EG206;
        } else {
            details.add("no DestinationRule for " + gw.serviceHost() + " is visible to " + q.namespace());
            code = Catalogue.EG206;
        }
        for (DestinationRuleInfo dr : s.destinationRulesFor(gw.serviceHost())) {
            if (!dr.subsets().contains(d.subset()) || objects.contains(dr.ref())) {
                continue;
            }
            objects.add(dr.ref());
            boolean searched = dr.namespace().equals(gw.namespace()) || dr.namespace().equals(s.rootNamespace());
            if (searched && !dr.exportTo().visibleTo(q.namespace())) {
                details.add(dr.ref() + " defines subset " + d.subset() + " but its exportTo " + dr.exportTo().entries()
                        + " hides it from " + q.namespace() + " (EG302)");
                if (code == Catalogue.EG206) {
                    code = Catalogue.EG302;
                }
            } else if (!searched && !dr.namespace().equals(q.namespace())) {
                details.add(dr.ref() + " defines subset " + d.subset() + " but the lookup from " + q.namespace()
                        + " never reads namespace " + dr.namespace() + " (EG301)");
            } else {
                details.add(dr.ref() + " defines subset " + d.subset() + " but is not the rule the lookup selects");
            }
        }
        w.stop(HopKind.EGRESS_GATEWAY_SERVICE, "sidecars in " + q.namespace() + " know no subset " + d.subset() + " of "
                + gw.serviceHost() + ": no healthy upstream (503)", objects, details, code);
    }
}
