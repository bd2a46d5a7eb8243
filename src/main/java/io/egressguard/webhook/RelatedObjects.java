package io.egressguard.webhook;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The objects whose findings one change can alter: the changed object, and those that share a host, a
 * gateway or a namespace-level dependency with it. The webhook checks these (before and after the change)
 * instead of the whole cluster, so its cost follows the change, not the cluster's size.
 */
final class RelatedObjects {

    private final MeshSnapshot s;
    private final Set<ObjectRef> out = new LinkedHashSet<>();

    private RelatedObjects(MeshSnapshot s) {
        this.s = s;
    }

    /** Related objects of {@code ref} as seen in {@code snapshot} (call for the state before and after). */
    static Set<ObjectRef> of(MeshSnapshot snapshot, ObjectRef ref) {
        RelatedObjects r = new RelatedObjects(snapshot);
        r.out.add(ref);
        snapshot.resource(ref).ifPresent(r::collect);
        return r.out;
    }

    private void collect(Resource r) {
        switch (r.kind()) {
            case SERVICE_ENTRY -> s.serviceEntry(r.ref()).ifPresent(se -> se.hosts().forEach(this::host));
            case VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE -> {
                for (RouteRule rule : s.routes(r.ref())) {
                    rule.hosts().forEach(this::host);
                    rule.destinations().stream().map(RouteDestination::host).forEach(this::host);
                    rule.bindings().forEach(this::gateway);
                    clientPolicies(rule);
                }
            }
            case DESTINATION_RULE -> s.destinationRule(r.ref()).map(DestinationRuleInfo::host).ifPresent(this::host);
            case GATEWAY, KUBERNETES_GATEWAY -> {
                Binding b = r.kind() == Kind.GATEWAY ? Binding.istioGateway(r.ref().namespace(), r.ref().name())
                        : Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
                gateway(b);
                s.servers(b).stream().map(GatewayServer::hosts).flatMap(java.util.List::stream)
                        .map(h -> h.contains("/") ? h.substring(h.indexOf('/') + 1) : h).forEach(this::host);
            }
            case NAMESPACE -> namespace(r.ref().name());
            case SERVICE, DEPLOYMENT -> namespace(r.ref().namespace());
            default -> {
            }
        }
    }

    /** Everything that names a host: its ServiceEntries, the routes serving or targeting it, its DestinationRules. */
    private void host(String host) {
        if (host == null || host.equals("*")) {
            return;
        }
        for (ServiceEntryInfo se : s.serviceEntriesDeclaring(host)) {
            out.add(se.ref());
        }
        if (!Hosts.isWildcard(host)) {
            s.gatewayRoutesFor(host).forEach(rule -> out.add(rule.source()));
            s.gatewayRoutesTo(host).forEach(rule -> out.add(rule.source()));
            s.meshRoutesTo(host).forEach(rule -> out.add(rule.source()));
            s.destinationRulesFor(host).forEach(d -> out.add(d.ref()));
            s.workload(host).ifPresent(w -> w.bindings().forEach(this::gatewayObject));
        }
        s.meshRoutesFor(host).forEach(rule -> out.add(rule.source()));
    }

    private void gateway(Binding b) {
        if (b.isMesh()) {
            return;
        }
        gatewayObject(b);
        s.routesBoundTo(b).forEach(rule -> out.add(rule.source()));
        for (GatewayWorkload w : s.workloadsOf(b)) {
            if (w.service() != null) {
                out.add(w.service());
            }
        }
    }

    private void gatewayObject(Binding b) {
        s.gateway(b).ifPresent(out::add);
    }

    /** NetworkPolicies of the namespaces whose sidecars a mesh route reaches (EG604, EG605). */
    private void clientPolicies(RouteRule rule) {
        if (!rule.appliesToMesh() || rule.destinations().stream().noneMatch(d -> s.egressGateway(d.host()).isPresent())) {
            return;
        }
        for (String ns : s.clientNamespaces(rule.exportTo())) {
            policies(ns);
        }
    }

    private void namespace(String ns) {
        policies(ns);
        for (var byHost : s.destinationRulesIn(ns).values()) {
            byHost.forEach(d -> out.add(d.ref()));
        }
    }

    private void policies(String ns) {
        for (NetworkPolicy p : s.networkPolicies(ns)) {
            out.add(new ObjectRef(Kind.NETWORK_POLICY, ns, p.getMetadata().getName()));
        }
    }
}
