package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.model.ObjectRef;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.List;

import static io.egressguard.explain.Walk.names;

/**
 * The third hop on the egress gateway path: the gateway server (listener) that accepts the request on the
 * pod port the Service port targets, for the host and the protocol.
 */
final class GatewayServerHop extends HopStep {

    GatewayServerHop(Walk w) {
        super(w);
    }

    /** Adds the hop and returns the server that accepts the request on Service port {@code port}, or null. */
    GatewayServer add(GatewayWorkload gw, int port) {
        List<ObjectRef> objects = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (Binding b : gw.bindings()) {
            s.gateway(b).ifPresent(objects::add);
        }
        GatewayServer chosen = null;
        boolean onPort = false;
        boolean hostOk = false;
        for (GatewayServer srv : gw.servers()) {
            if (!gw.reaches(port, srv.port())) {
                continue; // the server listens on another pod port than the Service port's targetPort
            }
            onPort = true;
            if (!acceptsHostAnyNamespace(srv, q.host())) {
                details.add("not used: " + srv.gateway() + " " + srv.path() + " (port " + port + ") serves hosts "
                        + srv.hosts());
                continue;
            }
            hostOk = true;
            boolean fits = TraceRequest.HTTP.equals(q.protocol()) ? srv.servesHttp() : srv.servesTlsPassthrough() || srv.servesHttp();
            if (!fits) {
                details.add("not used: " + srv.gateway() + " " + srv.path() + " is " + srv.protocol()
                        + (srv.tlsMode() == null ? "" : " " + srv.tlsMode()) + ", not for " + q.protocol() + " traffic");
                continue;
            }
            if (chosen == null) {
                chosen = srv;
            }
        }
        if (w.stopped) {
            w.add(HopKind.GATEWAY_SERVER, Verdict.SKIPPED, "egress gateway " + gw.serviceHost() + ": not reached", objects,
                    details, null, null);
            return chosen;
        }
        if (gw.servers().isEmpty()) {
            w.stop(HopKind.GATEWAY_SERVER, "no Gateway configures the proxies behind " + gw.serviceHost()
                    + ": they have no listener for the traffic", objects, details, Catalogue.EG204);
            return null;
        }
        if (chosen == null) {
            Catalogue code = !onPort ? Catalogue.EG210 : !hostOk ? Catalogue.EG208 : Catalogue.EG209;
            String why = !onPort ? "no server of " + names(objects) + " listens on port " + port
                    : !hostOk ? "no server on port " + port + " accepts host " + q.host()
                    : "no server on port " + port + " carries " + q.protocol() + " traffic";
            w.stop(HopKind.GATEWAY_SERVER, why + ": the gateway answers 404 or resets the connection", objects, details, code);
            return null;
        }
        String mode = chosen.tlsMode() == null ? "" : " " + chosen.tlsMode();
        w.add(HopKind.GATEWAY_SERVER, Verdict.OK, chosen.gateway() + " " + chosen.path() + " (port " + chosen.port() + ", "
                + chosen.protocol() + mode + ") accepts " + q.host(), objects, details, null, null);
        return chosen;
    }

    private static boolean acceptsHostAnyNamespace(GatewayServer srv, String host) {
        for (String h : srv.hosts()) {
            String hostPart = h.contains("/") ? h.substring(h.indexOf('/') + 1) : h;
            if (Hosts.intersect(hostPart, host)) {
                return true;
            }
        }
        return false;
    }
}
