package io.egressguard.webhook;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.ClientGroups;
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

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The objects whose findings a change to one object can alter: the object itself and those that share an
 * external host, a gateway hop or a client namespace with it. The webhook checks these, before and after the
 * change, instead of the whole cluster, so its cost follows the change, not the size of the mesh.
 *
 * <p>The egress gateway Service is shared by every egress route, so sharing it is not enough to be related:
 * for it, only the DestinationRules the change's own clients look up (their namespaces, the gateway's and the
 * root namespace) and the NetworkPolicies of those clients count. Findings that other namespaces' rules get
 * from the change are reported on the changed object itself (EG206) and by the periodic audit.
 */
final class RelatedObjects {

    /**
     * The client namespaces that one namespace's objects answer for: a route visible to every namespace reaches
     * the namespaces of one {@link ClientGroups} group alike, so their objects need checking only when the
     * representative's show findings.
     */
    record Alike(Set<ObjectRef> representative, java.util.function.Supplier<Set<ObjectRef>> others) {
    }

    private final MeshSnapshot s;
    private final Set<ObjectRef> out = new LinkedHashSet<>();
    private final List<Alike> alike = new ArrayList<>();

    private RelatedObjects(MeshSnapshot s) {
        this.s = s;
    }

    /** Related objects of {@code ref} as seen in {@code snapshot} (call for the state before and after). */
    static RelatedObjects of(MeshSnapshot snapshot, ObjectRef ref) {
        RelatedObjects r = new RelatedObjects(snapshot);
        r.out.add(ref);
        snapshot.resource(ref).ifPresent(r::collect);
        return r;
    }

    /** The objects to check, the representatives of alike client namespaces included. */
    Set<ObjectRef> objects() {
        return out;
    }

    /** The client namespaces whose objects are checked only when their representative's show findings. */
    List<Alike> alike() {
        return alike;
    }

    private void collect(Resource r) {
        switch (r.kind()) {
            case SERVICE_ENTRY -> s.serviceEntry(r.ref()).ifPresent(se -> se.hosts().forEach(this::externalHost));
            case VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE -> s.routes(r.ref()).forEach(this::route);
            case DESTINATION_RULE -> s.destinationRule(r.ref()).ifPresent(this::destinationRule);
            case GATEWAY -> gateway(Binding.istioGateway(r.ref().namespace(), r.ref().name()));
            case KUBERNETES_GATEWAY -> gateway(Binding.kubernetesGateway(r.ref().namespace(), r.ref().name()));
            default -> {
                // NetworkPolicies, Namespaces, Services, Deployments: their own findings only
            }
        }
    }

    private void route(RouteRule rule) {
        rule.hosts().forEach(this::externalHost);
        for (Binding b : rule.bindings()) {
            if (!b.isMesh()) {
                s.gateway(b).ifPresent(out::add);
            }
        }
        for (RouteDestination d : rule.destinations()) {
            GatewayWorkload gw = s.workload(d.host()).orElse(null);
            if (gw == null) {
                externalHost(d.host());
                continue;
            }
            if (gw.service() != null) {
                out.add(gw.service());
            }
            if (rule.appliesToMesh() && s.namespacesKnown() && rule.clients().isPublic()) {
                ClientGroups groups = ClientGroups.of(s, gw);
                for (String client : groups.representatives()) {
                    Set<ObjectRef> own = clientObjects(client, gw);
                    out.addAll(own);
                    alike.add(new Alike(own, () -> {
                        Set<ObjectRef> others = new LinkedHashSet<>();
                        groups.alike(client).forEach(ns -> others.addAll(clientObjects(ns, gw)));
                        return others;
                    }));
                }
            } else if (rule.appliesToMesh()) {
                for (String client : s.clientNamespaces(rule.clients())) {
                    out.addAll(clientObjects(client, gw));
                }
            }
            if (rule.appliesToMesh()) {
                lookedUpBy(gw.namespace(), gw);
                lookedUpBy(s.rootNamespace(), gw);
            }
        }
    }

    /**
     * What a client namespace of a route to the gateway brings: its DestinationRules for it, its NetworkPolicies,
     * the Sidecar that scopes it.
     */
    private Set<ObjectRef> clientObjects(String namespace, GatewayWorkload gw) {
        Set<ObjectRef> objects = new LinkedHashSet<>();
        lookedUpBy(namespace, gw, objects);
        for (NetworkPolicy p : s.networkPolicies(namespace)) {
            objects.add(new ObjectRef(Kind.NETWORK_POLICY, namespace, p.getMetadata().getName()));
        }
        // the Sidecar scoping the namespace decides whether it receives the route (EG214, EG215)
        s.sidecarScope(namespace).ifPresent(scope -> objects.add(scope.ref()));
        return objects;
    }

    private void lookedUpBy(String namespace, GatewayWorkload gw) {
        lookedUpBy(namespace, gw, out);
    }

    /** DestinationRules for the gateway host in one namespace. */
    private void lookedUpBy(String namespace, GatewayWorkload gw, Set<ObjectRef> into) {
        for (List<DestinationRuleInfo> rules : s.destinationRulesIn(namespace).values()) {
            for (DestinationRuleInfo d : rules) {
                if (Hosts.covers(d.host(), gw.serviceHost())) {
                    into.add(d.ref());
                }
            }
        }
    }

    private void destinationRule(DestinationRuleInfo dr) {
        List<GatewayWorkload> gateways = s.gatewayWorkloads().stream()
                .filter(w -> Hosts.covers(dr.host(), w.serviceHost())).toList();
        if (gateways.isEmpty()) {
            externalHost(dr.host());
            return;
        }
        for (GatewayWorkload gw : gateways) {
            // A rule in the gateway's or the root namespace is looked up by every client; one elsewhere only by
            // the clients in its own namespace.
            if (dr.namespace().equals(gw.namespace()) || dr.namespace().equals(s.rootNamespace())) {
                s.meshRoutesTo(gw.serviceHost()).forEach(r -> out.add(r.source()));
            } else {
                if (s.sidecarInjected(dr.namespace())) {
                    s.meshRoutesTo(gw.serviceHost(), null).forEach(r -> out.add(r.source()));
                }
                s.meshRoutesTo(gw.serviceHost(), dr.namespace()).forEach(r -> out.add(r.source()));
            }
            lookedUpBy(dr.namespace(), gw);
        }
    }

    /** Everything that names an external host: its ServiceEntries, DestinationRules and routes. */
    private void externalHost(String host) {
        if (host == null || host.equals("*") || s.workload(host).isPresent()) {
            return;
        }
        for (ServiceEntryInfo se : s.serviceEntriesDeclaring(host)) {
            out.add(se.ref());
        }
        s.meshRoutesFor(host).forEach(r -> out.add(r.source()));
        if (!Hosts.isWildcard(host)) {
            s.gatewayRoutesFor(host).forEach(r -> out.add(r.source()));
            s.gatewayRoutesTo(host).forEach(r -> out.add(r.source()));
            s.meshRoutesTo(host).forEach(r -> out.add(r.source()));
            s.destinationRulesFor(host).forEach(d -> out.add(d.ref()));
        }
    }

    private void gateway(Binding b) {
        s.gateway(b).ifPresent(out::add);
        s.routesBoundTo(b).forEach(r -> out.add(r.source()));
        for (GatewayWorkload w : s.workloadsOf(b)) {
            if (w.service() != null) {
                out.add(w.service());
            }
        }
        for (GatewayServer srv : s.servers(b)) {
            for (String h : srv.hosts()) {
                externalHost(h.contains("/") ? h.substring(h.indexOf('/') + 1) : h);
            }
        }
    }
}
