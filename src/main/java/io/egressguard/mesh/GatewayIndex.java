package io.egressguard.mesh;

import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.Server;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.egressguard.mesh.MeshSnapshot.nonNull;

/**
 * The gateway configurations of the mesh, Istio API Gateways and Gateway API Gateways, with their servers
 * (a Gateway API listener taken as a server), by {@link Binding}.
 */
final class GatewayIndex {

    /** The Gateway objects by kind, in the order of their positions. */
    private final MultiIndex<Kind, Resource> byKind;
    private final Layer<Binding, Resource> gateways;
    private final Layer<Binding, List<GatewayServer>> serversByGateway;

    /** The index of Istio API {@code gateways} and Gateway API {@code kubernetesGateways}, each in the order of their positions. */
    GatewayIndex(Positions positions, List<Resource> gateways, List<Resource> kubernetesGateways, Compilations compilations) {
        this.byKind = new MultiIndex<>(positions.comparing(Resource::ref));
        this.gateways = new Layer<>();
        this.serversByGateway = new Layer<>();
        for (Resource r : gateways) {
            byKind.add(r.kind(), r);
            index(r, true, compilations);
        }
        for (Resource r : kubernetesGateways) {
            byKind.add(r.kind(), r);
            index(r, true, compilations);
        }
    }

    private GatewayIndex(GatewayIndex before, Positions positions) {
        this.byKind = new MultiIndex<>(before.byKind, positions.comparing(Resource::ref));
        this.gateways = new Layer<>(before.gateways);
        this.serversByGateway = new Layer<>(before.serversByGateway);
    }

    /** The index with the Gateway {@code from} (null: created) replaced by {@code to} (null: deleted). */
    GatewayIndex changed(Positions positions, Resource from, Resource to) {
        GatewayIndex next = new GatewayIndex(this, positions);
        if (from != null) {
            next.byKind.remove(from.kind(), from);
            next.index(from, false, Compilations.NONE);
        }
        if (to != null) {
            next.byKind.add(to.kind(), to);
            next.index(to, true, Compilations.NONE);
        }
        return next;
    }

    static Binding binding(Resource r) {
        return r.kind() == Kind.GATEWAY ? Binding.istioGateway(r.ref().namespace(), r.ref().name())
                : Binding.kubernetesGateway(r.ref().namespace(), r.ref().name());
    }

    private void index(Resource r, boolean add, Compilations compilations) {
        Binding b = binding(r);
        if (!add) {
            gateways.remove(b);
            serversByGateway.remove(b);
            return;
        }
        gateways.put(b, r);
        if (r.kind() == Kind.GATEWAY) {
            serversByGateway.put(b, compilations.compile(r, () -> istioServers(r, b)));
            return;
        }
        var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
        List<GatewayServer> servers = new ArrayList<>();
        List<Listener> ls = g.getSpec() == null ? List.of() : nonNull(g.getSpec().getListeners());
        for (int i = 0; i < ls.size(); i++) {
            Listener l = ls.get(i);
            if (l != null && l.getPort() != null) {
                servers.add(GatewayServer.ofListener(r.ref(), b, "spec.listeners[" + i + "]", l));
            }
        }
        serversByGateway.put(b, List.copyOf(servers));
    }

    private static List<GatewayServer> istioServers(Resource r, Binding b) {
        Gateway g = (Gateway) r.object();
        List<GatewayServer> servers = new ArrayList<>();
        List<Server> ss = g.getSpec() == null ? List.of() : nonNull(g.getSpec().getServers());
        for (int i = 0; i < ss.size(); i++) {
            Server s = ss.get(i);
            if (s == null || s.getPort() == null || s.getPort().getNumber() == null) {
                continue;
            }
            String mode = s.getTls() == null || s.getTls().getMode() == null ? null : s.getTls().getMode().name();
            servers.add(new GatewayServer(r.ref(), b, "spec.servers[" + i + "]", s.getPort().getName(),
                    (int) (long) s.getPort().getNumber(), s.getPort().getProtocol(), mode, nonNull(s.getHosts())));
        }
        return List.copyOf(servers);
    }

    // ---------------------------------------------------------------- queries

    /** The Gateways of {@code kind} (GATEWAY or KUBERNETES_GATEWAY), in the order of their positions. */
    List<Resource> ofKind(Kind kind) {
        return byKind.get(kind);
    }

    Optional<ObjectRef> gateway(Binding b) {
        Resource r = gateways.get(b);
        return r == null ? Optional.empty() : Optional.of(r.ref());
    }

    /** The Gateway object behind {@code b}, null when it is not in the state. */
    Resource resource(Binding b) {
        return gateways.get(b);
    }

    /** Every server of a Gateway as written. */
    List<GatewayServer> servers(Binding gateway) {
        return serversByGateway.getOrDefault(gateway, List.of());
    }
}
