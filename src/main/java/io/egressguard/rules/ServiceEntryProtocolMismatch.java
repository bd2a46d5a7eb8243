package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.ClientTLSSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicy;
import io.fabric8.istio.api.networking.v1.DestinationRule;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * EG103: the ServiceEntry port protocol contradicts the gateway hop carrying it. A TLS passthrough route
 * carries opaque TLS, which a plain-text port protocol (HTTP, HTTP2, GRPC) misdescribes; an HTTP route sends
 * plain HTTP, which a TLS/HTTPS port only accepts when a DestinationRule originates TLS.
 */
final class ServiceEntryProtocolMismatch implements Rule {

    private static final Set<String> PLAINTEXT = Set.of("HTTP", "HTTP2", "GRPC", "GRPC-WEB");

    @Override
    public Catalogue code() {
        return Catalogue.EG103;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        Optional<ServiceEntryInfo> found = s.serviceEntry(target.ref());
        if (found.isEmpty()) {
            return;
        }
        ServiceEntryInfo se = found.get();
        for (String host : se.hosts()) {
            for (EgressHops.GatewayHop hop : EgressHops.gatewayHops(s, s.gatewayRoutesTo(host))) {
                if (!hop.destination().host().equals(host) || hop.port() == null || !EgressHops.carriesTraffic(s, hop)
                        || EgressHops.serviceEntry(s, hop).filter(x -> x.ref().equals(se.ref())).isEmpty()) {
                    continue;
                }
                String protocol = se.ports().get(hop.port());
                if (protocol == null) {
                    continue;
                }
                RouteRule rule = hop.rule();
                boolean terminated = rule.section() == Section.TLS && EgressHops.carryingServer(s, hop)
                        .filter(srv -> EgressHops.terminatesTlsRoutes(s, hop.gateway(), srv)).isPresent();
                if (terminated && ServiceEntryInfo.carriesTls(protocol) && !originatesTls(ctx, EgressHops.proxyNamespace(s, hop.gateway()),
                        EgressHops.proxyLabels(s, hop.gateway()), host, se, hop.port())) {
                    // the listener terminated the client's TLS: without origination the stream leaves in plain text
                    ctx.report("spec.ports", "wrong protocol to " + host + ": port " + hop.port() + " is " + protocol
                            + " but egress gateway " + hop.gateway() + " terminates TLS and forwards plain text without "
                            + "TLS origination", rule.source());
                    return;
                }
                if (rule.section() == Section.TLS && !terminated && PLAINTEXT.contains(protocol)) {
                    ctx.report("spec.ports", "wrong protocol to " + host + ": port " + hop.port() + " is " + protocol
                            + " but egress gateway " + hop.gateway() + " passes TLS through; declare it TLS/HTTPS", rule.source());
                    return;
                }
                if (rule.section() == Section.HTTP && ServiceEntryInfo.carriesTls(protocol)
                        && !originatesTls(ctx, EgressHops.proxyNamespace(s, hop.gateway()), EgressHops.proxyLabels(s, hop.gateway()),
                                host, se, hop.port())) {
                    ctx.report("spec.ports", "wrong protocol to " + host + ": port " + hop.port() + " is " + protocol
                            + " but egress gateway " + hop.gateway() + " sends plain HTTP without TLS origination", rule.source());
                    return;
                }
            }
        }
    }

    /** True when the DestinationRule the gateway uses for host:port originates TLS (SIMPLE or MUTUAL). */
    static boolean originatesTls(RuleContext ctx, String proxyNamespace, Map<String, String> proxyLabels, String host,
            ServiceEntryInfo se, int port) {
        Optional<DestinationRuleLookup.Result> r = ctx.destinationRules().lookup(proxyNamespace, host, se.ref().namespace());
        if (r.isEmpty()) {
            return false;
        }
        for (DestinationRuleInfo d : r.get().applying(proxyLabels)) {
            var obj = ctx.snapshot().resource(d.ref()).map(x -> (DestinationRule) x.object()).orElse(null);
            if (obj == null || obj.getSpec() == null) {
                continue;
            }
            if (originates(obj.getSpec().getTrafficPolicy(), port)) {
                return true;
            }
            for (var subset : obj.getSpec().getSubsets() == null ? java.util.List.<io.fabric8.istio.api.api.networking.v1alpha3.Subset>of()
                    : obj.getSpec().getSubsets()) {
                if (subset != null && originates(subset.getTrafficPolicy(), port)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean originates(TrafficPolicy p, int port) {
        if (p == null) {
            return false;
        }
        if (p.getPortLevelSettings() != null) {
            for (var pl : p.getPortLevelSettings()) {
                // a port entry replaces the whole top-level policy for its port: it does not inherit the
                // top-level tls (pilot util.GetPortLevelTrafficPolicy)
                if (pl != null && pl.getPort() != null && pl.getPort().getNumber() != null
                        && pl.getPort().getNumber() == port) {
                    return isOrigination(pl.getTls());
                }
            }
        }
        return isOrigination(p.getTls());
    }

    private static boolean isOrigination(ClientTLSSettings tls) {
        return tls != null && tls.getMode() != null
                && ("SIMPLE".equals(tls.getMode().name()) || "MUTUAL".equals(tls.getMode().name()));
    }
}
