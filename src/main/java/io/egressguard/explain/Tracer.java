package io.egressguard.explain;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.Waypoints;
import io.egressguard.model.Finding;
import io.egressguard.rules.PodEgress;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows one request through the mesh configuration the way Istio's proxies handle it: the client sidecar's
 * route, the egress gateway Service and the DestinationRule the sidecar finds for it, the gateway server that
 * accepts the host, the gateway's route, the ServiceEntry of the external host, and what the client's
 * NetworkPolicies let the pod reach. Every semantic comes from the components the rules use ({@code mesh},
 * {@code istio}, {@link PodEgress}); the rules' findings on each hop's objects are attached to that hop.
 */
public final class Tracer {

    private final MeshSnapshot s;
    private final List<Finding> findings;
    private final DestinationRuleLookup lookup;

    /** Traces with the findings of every rule at default severities. */
    public Tracer(MeshSnapshot snapshot) {
        this(snapshot, new Engine(EngineConfig.defaults()).check(snapshot));
    }

    /** Traces with findings already computed on {@code snapshot} (severity overrides applied). */
    public Tracer(MeshSnapshot snapshot, List<Finding> findings) {
        this.s = snapshot;
        this.findings = findings;
        this.lookup = new DestinationRuleLookup(snapshot);
    }

    public Trace trace(TraceRequest q) {
        Walk w = new Walk(q, s, lookup, findings);
        List<String> notes = new ArrayList<>();
        boolean injected = true;
        if (s.namespacesKnown() && s.namespaceLabels(q.namespace()).isEmpty()) {
            notes.add("namespace " + q.namespace() + " is not in the state: its pods are assumed to have sidecars");
        } else if (s.namespacesKnown() && !s.sidecarInjected(q.namespace())) {
            injected = false;
        }
        if (!injected && Waypoints.ambient(s, q.namespace())) {
            new AmbientHop(w).add(notes);
            return new Trace(q, Trace.Path.AMBIENT, false, w.hostPort() + ": ambient mode, path not analysed", w.attached());
        }
        SidecarRouteHop.Next next = new SidecarRouteHop(w).follow(injected, notes);
        return switch (next.path()) {
            case EGRESS_GATEWAY -> throughGateway(w, next);
            case DIRECT -> {
                new ServiceEntryHop(w).add(next.host(), next.port(), q.namespace(), false, null);
                yield finish(w, Trace.Path.DIRECT, null, null, next.host(), next.port());
            }
            default -> finish(w, next.path(), null, null, next.host(), next.port());
        };
    }

    /**
     * The egress gateway path: the sidecar connects to the gateway Service, a gateway server accepts the host, the
     * gateway's route forwards it, and the gateway's ServiceEntry gives the cluster for the external host.
     */
    private Trace throughGateway(Walk w, SidecarRouteHop.Next next) {
        GatewayWorkload gateway = next.gateway();
        RouteDestination dest = next.destination();
        int gatewayPort = dest.effectivePort(w.q.port());
        new GatewayServiceHop(w).add(gateway, dest, gatewayPort);
        GatewayServer server = new GatewayServerHop(w).add(gateway, gatewayPort);
        RouteDestination forward = new GatewayRouteHop(w).add(gateway, server, gatewayPort);
        String external = forward == null ? next.host() : forward.host();
        int externalPort = forward == null ? next.port() : forward.effectivePort(gatewayPort);
        new ServiceEntryHop(w).add(external, externalPort, gateway.namespace(), true, forward);
        return finish(w, Trace.Path.EGRESS_GATEWAY, gateway, dest, external, externalPort);
    }

    // ------------------------------------------------------------ NetworkPolicy verdicts, and the end

    private Trace finish(Walk w, Trace.Path path, GatewayWorkload gateway, RouteDestination dest, String external,
            int externalPort) {
        boolean wasStopped = w.stopped;
        new PolicyHops(w).add(path, gateway, dest, external, externalPort);
        List<Hop> attached = w.attached();
        boolean reached = !wasStopped && path != Trace.Path.IN_MESH && attached.stream().noneMatch(h -> h.verdict() == Verdict.BROKEN
                && (h.kind() == HopKind.POLICY_TO_GATEWAY || h.kind() == HopKind.POLICY_TO_DNS
                || (h.kind() == HopKind.POLICY_TO_INTERNET && path == Trace.Path.DIRECT)));
        String target = external + ":" + externalPort;
        String outcome;
        if (reached) {
            outcome = target + " reached " + (path == Trace.Path.EGRESS_GATEWAY ? "through egress gateway "
                    + gateway.serviceHost() : "directly, without an egress gateway");
        } else if (path == Trace.Path.IN_MESH && !wasStopped) {
            outcome = "the request ends inside the mesh";
        } else {
            Hop first = attached.stream().filter(h -> h.verdict() == Verdict.BROKEN).findFirst().orElseThrow();
            outcome = target + " not reached: " + first.kind().title() + " fails"
                    + (first.code() == null ? "" : " (" + first.code() + ")");
        }
        Trace t = new Trace(w.q, path, reached, outcome, attached);
        if (reached && t.broken()) {
            Hop first = t.firstBroken().orElseThrow();
            return new Trace(w.q, path, true, outcome + ", but " + first.kind().title() + " is flagged"
                    + (first.code() == null ? "" : " (" + first.code() + ")"), attached);
        }
        return t;
    }
}
