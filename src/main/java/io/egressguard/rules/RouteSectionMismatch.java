package io.egressguard.rules;

import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * EG209: the route's protocol section cannot match what the proxy sees. At a gateway, {@code http} routes
 * match servers that see HTTP (plain or terminated TLS), {@code tls} routes match PASSTHROUGH servers. At a
 * sidecar, a port the ServiceEntry declares TLS/HTTPS gets a TLS (SNI) filter chain, so {@code http} matches
 * on it never fire; a port declared HTTP gets an HTTP chain, so {@code tls} matches never fire.
 */
final class RouteSectionMismatch implements Rule {


    @Override
    public Catalogue code() {
        return Catalogue.EG209;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        for (RouteRule r : s.routes(target.ref())) {
            if (r.section() == Section.TCP) {
                continue;
            }
            for (Binding b : r.bindings()) {
                String problem = b.isMesh() ? meshProblem(s, r) : gatewayProblem(s, r, b);
                if (problem != null) {
                    ctx.report(r.path(), problem);
                    return;
                }
            }
        }
    }

    private static String gatewayProblem(MeshSnapshot s, RouteRule r, Binding gw) {
        List<GatewayServer> relevant = new ArrayList<>();
        for (GatewayServer srv : s.servers(gw)) {
            if (r.matchesPort(srv.port()) && r.hosts().stream().anyMatch(h -> srv.acceptsHost(h, r.namespace()))) {
                relevant.add(srv);
            }
        }
        if (relevant.isEmpty()) {
            return null;
        }
        boolean compatible = relevant.stream().anyMatch(srv -> r.section() == Section.HTTP ? srv.servesHttp()
                : srv.servesTlsPassthrough());
        if (compatible) {
            return null;
        }
        GatewayServer srv = relevant.get(0);
        return "never matches: " + r.section().field() + " route on " + EgressHops.portText(r.port()) + " of gateway " + gw
                + ", whose server is " + srv.protocol() + (srv.tlsMode() == null ? "" : " " + srv.tlsMode());
    }

    private static String meshProblem(MeshSnapshot s, RouteRule r) {
        if (r.port() == null) {
            return null;
        }
        for (String host : r.hosts()) {
            String protocol = s.serviceEntryFor(host, r.namespace()).map(se -> se.ports().get(r.port())).orElse(null);
            if (protocol == null) {
                continue;
            }
            // Sidecars build TLS (SNI) chains only on TLS/HTTPS ports (pilot buildSidecarOutboundTLSFilterChainOpts):
            // on a TCP or protocol-less (sniffed) port a tls match never applies and the host is sent directly.
            if (r.section() == Section.HTTP && ServiceEntryInfo.carriesTls(protocol)
                    || r.section() == Section.TLS && !ServiceEntryInfo.carriesTls(protocol)) {
                return "never matches: mesh " + r.section().field() + " match on port " + r.port()
                        + ", which the ServiceEntry for " + host + " declares " + (protocol.isEmpty() ? "without protocol" : protocol)
                        + (r.section() == Section.TLS ? "; sidecars send the host directly" : "");
            }
        }
        return null;
    }
}
