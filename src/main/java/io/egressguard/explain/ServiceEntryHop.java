package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The ServiceEntry the forwarding proxy uses for the host: the gateway's behind an egress gateway, the
 * sidecar's on a direct path.
 */
final class ServiceEntryHop extends HopStep {

    ServiceEntryHop(Walk w) {
        super(w);
    }

    /**
     * Adds the hop for {@code host:port} as the proxy in {@code proxyNamespace} sees it; {@code forward} is the
     * gateway route's destination that named the host (null on a direct path, or when the route forwards none).
     */
    void add(String host, int port, String proxyNamespace, boolean viaGateway, RouteDestination forward) {
        // a gateway's cluster lookup is exact; a sidecar's listener may come from a wildcard entry
        Optional<ServiceEntryInfo> found = viaGateway ? s.exactServiceEntryFor(host, proxyNamespace)
                : s.serviceEntryFor(host, proxyNamespace);
        List<ObjectRef> objects = found.map(se -> List.of(se.ref())).orElse(List.of());
        List<String> details = new ArrayList<>();
        if (!viaGateway && found.isPresent() && !s.importsHost(w.scope, proxyNamespace, host)) {
            details.add(found.get().ref() + " declares " + host + ", but "
                    + w.sidecar()
                    + " does not import it (egress.hosts): the sidecar has no cluster or listener for it");
            found = Optional.empty();
        }
        String proxy = viaGateway ? "the egress gateway (" + proxyNamespace + ")" : "the sidecar (" + proxyNamespace + ")";
        if (w.stopped) {
            w.add(HopKind.SERVICE_ENTRY, Verdict.SKIPPED, host + ":" + port + ": not reached", objects, details, null, null);
            return;
        }
        boolean hostname = forward != null && "Hostname".equals(forward.kind());
        if (found.isEmpty() && host.endsWith("." + Hosts.CLUSTER_DOMAIN)) {
            // A Kubernetes Service is in the mesh registry by itself: no ServiceEntry is needed for it.
            Optional<ObjectRef> svc = Hosts.serviceNamespace(host)
                    .map(ns -> new ObjectRef(Kind.SERVICE, ns, host.substring(0, host.indexOf('.'))));
            boolean known = s.service(host).isPresent();
            w.add(HopKind.SERVICE_ENTRY, known ? Verdict.OK : Verdict.INFO, host + " is a Kubernetes Service"
                            + (known ? "" : " (not in the state)") + ", in the mesh registry without a ServiceEntry; " + proxy
                            + " connects to its endpoints", known && svc.isPresent() ? List.of(svc.get()) : List.of(),
                    details, null, null);
            return;
        }
        if (found.isEmpty()) {
            if (viaGateway) {
                w.stop(HopKind.SERVICE_ENTRY, "no ServiceEntry visible to " + proxy + " declares " + host
                                + ": it is unknown to the mesh registry and the gateway has no cluster for it",
                        objects, details, hostname ? Catalogue.EG504 : Catalogue.EG212);
            } else if (!outbound(proxyNamespace, objects, details, "no ServiceEntry in the scope of " + proxy
                    + " declares " + host)) {
                w.add(HopKind.SERVICE_ENTRY, Verdict.INFO, "no ServiceEntry in the scope of " + proxy + " declares "
                        + host + ": outboundTrafficPolicy ALLOW_ANY passes it through (PassthroughCluster)",
                        objects, details, null, null);
            }
            return;
        }
        ServiceEntryInfo se = found.get();
        String protocol = se.ports().get(port);
        details.add(se.ref() + ": hosts " + se.hosts() + ", ports " + new TreeSet<>(se.ports().keySet())
                + ", resolution " + se.resolution() + ", exportTo " + (se.exportTo().isPublic() ? "all" : se.exportTo().entries()));
        if (viaGateway && se.forwardsToOriginalDestination()) {
            w.stop(HopKind.SERVICE_ENTRY, se.ref() + " has resolution " + se.resolution() + ": a gateway cannot pass "
                    + "through to the original destination, and its cluster has no endpoint: 503 UH or a reset",
                    objects, details, Catalogue.EG101);
            return;
        }
        if (!viaGateway && protocol == null) {
            if (!outbound(proxyNamespace, objects, details, se.ref() + " declares " + host + " but not port " + port)) {
                w.add(HopKind.SERVICE_ENTRY, Verdict.INFO, se.ref() + " declares " + host + " but not port " + port
                                + ": outboundTrafficPolicy ALLOW_ANY passes it through (PassthroughCluster)", objects,
                        details, null, null);
            }
            return;
        }
        if (viaGateway && protocol == null) {
            w.stop(HopKind.SERVICE_ENTRY, se.ref() + " does not declare port " + port + ": the gateway has no cluster for "
                    + host + ":" + port + " (503)", objects, details, hostname ? Catalogue.EG504 : Catalogue.EG102);
            return;
        }
        String resolution = switch (se.resolution()) {
            case "NONE" -> "connects to the address the application resolved";
            case "STATIC" -> "connects to the ServiceEntry's endpoints";
            default -> "resolves " + host + " by DNS and connects to it";
        };
        w.add(HopKind.SERVICE_ENTRY, Verdict.OK, se.ref() + " declares " + host + ":" + port
                + (protocol == null || protocol.isEmpty() ? "" : " (" + protocol + ")") + "; " + proxy + " " + resolution,
                objects, details, null, null);
    }

    /**
     * Traffic the sidecar has no listener or cluster for: with outboundTrafficPolicy REGISTRY_ONLY (the traced
     * pod's Sidecar or the mesh config) it goes to BlackHoleCluster and the request stops here (true);
     * with ALLOW_ANY it is passed through (false, the caller says so).
     */
    private boolean outbound(String namespace, List<ObjectRef> objects, List<String> details, String why) {
        MeshSnapshot.OutboundTrafficPolicy policy = s.outboundTrafficPolicy(w.scope);
        details.add("outboundTrafficPolicy " + policy.mode() + " for sidecars in " + namespace
                + (policy.source() == null ? " (Istio's default)" : " (set by " + policy.source() + ")"));
        if (!policy.registryOnly()) {
            return false;
        }
        List<ObjectRef> all = new ArrayList<>(objects);
        all.add(policy.source());
        w.add(HopKind.SERVICE_ENTRY, Verdict.BROKEN, why + ": outboundTrafficPolicy REGISTRY_ONLY sends it to "
                + "BlackHoleCluster (502 for HTTP, a reset otherwise)", all, details, null,
                "Declare the host in a ServiceEntry that the sidecars of " + namespace + " see (exported to the "
                        + "namespace and imported by its Sidecar's egress.hosts), or route it to the egress gateway.");
        w.stopped = true;
        return true;
    }
}
