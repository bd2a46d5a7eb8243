package io.egressguard.istio;

import io.egressguard.mesh.Binding;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.fabric8.istio.api.api.networking.v1alpha3.Destination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.L4MatchAttributes;
import io.fabric8.istio.api.api.networking.v1alpha3.TCPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.TLSMatchAttributes;
import io.fabric8.istio.api.api.networking.v1alpha3.TLSRoute;
import io.fabric8.istio.api.networking.v1.VirtualService;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Flattens a VirtualService into {@link RouteRule}s with Istio's gateway binding.
 *
 * <p>{@code spec.gateways} absent means {@code [mesh]}. Istio indexes a VirtualService by its top-level
 * gateways only (pilot {@code getGatewayNames}); a match's {@code gateways} then narrows, for that match,
 * which of them it applies to. A match naming a gateway that the top-level list lacks is dead: the proxies
 * of that gateway never receive the VirtualService. A route without matches, or whose matches name no
 * gateways, applies to every top-level gateway.
 */
public final class VirtualServiceRoutes {

    private VirtualServiceRoutes() {
    }

    public static Set<Binding> topLevelBindings(VirtualService vs) {
        String ns = vs.getMetadata().getNamespace();
        List<String> gws = vs.getSpec() == null ? null : vs.getSpec().getGateways();
        Set<Binding> out = new LinkedHashSet<>();
        if (gws == null || gws.isEmpty()) {
            out.add(Binding.MESH);
        } else {
            for (String g : gws) {
                if (g != null) {
                    out.add(Binding.ofVirtualServiceEntry(g, ns));
                }
            }
        }
        return out;
    }

    public static List<String> hosts(VirtualService vs) {
        String ns = vs.getMetadata().getNamespace();
        List<String> out = new ArrayList<>();
        if (vs.getSpec() != null && vs.getSpec().getHosts() != null) {
            for (String h : vs.getSpec().getHosts()) {
                if (h != null) {
                    out.add(Hosts.fqdn(h, ns));
                }
            }
        }
        return out;
    }

    public static List<RouteRule> compile(ObjectRef ref, VirtualService vs) {
        List<RouteRule> out = new ArrayList<>();
        if (vs.getSpec() == null) {
            return out;
        }
        String ns = ref.namespace();
        Set<Binding> top = topLevelBindings(vs);
        List<String> hosts = hosts(vs);
        ExportTo exportTo = new ExportTo(ns, vs.getSpec().getExportTo());
        Context c = new Context(ref, ns, top, hosts, exportTo, out);

        section(c, Section.HTTP, vs.getSpec().getHttp(), HTTPRoute::getMatch, HTTPMatchRequest::getGateways,
                HTTPMatchRequest::getPort, m -> List.of(), HTTPRoute::getRoute, HTTPRouteDestination::getDestination);
        section(c, Section.TLS, vs.getSpec().getTls(), TLSRoute::getMatch, TLSMatchAttributes::getGateways,
                TLSMatchAttributes::getPort, TLSMatchAttributes::getSniHosts, TLSRoute::getRoute,
                io.fabric8.istio.api.api.networking.v1alpha3.RouteDestination::getDestination);
        section(c, Section.TCP, vs.getSpec().getTcp(), TCPRoute::getMatch, L4MatchAttributes::getGateways,
                L4MatchAttributes::getPort, m -> List.of(), TCPRoute::getRoute,
                io.fabric8.istio.api.api.networking.v1alpha3.RouteDestination::getDestination);
        return out;
    }

    private record Context(ObjectRef ref, String ns, Set<Binding> top, List<String> hosts, ExportTo exportTo,
            List<RouteRule> out) {

        void add(String path, Section section, List<String> matchGateways, Integer port, List<String> sni,
                List<RouteDestination> dests) {
            Set<Binding> bindings;
            if (matchGateways == null || matchGateways.isEmpty()) {
                bindings = top;
            } else {
                bindings = new LinkedHashSet<>();
                for (String g : matchGateways) {
                    Binding b = g == null ? null : Binding.ofVirtualServiceEntry(g, ns);
                    if (b != null && top.contains(b)) {
                        bindings.add(b);
                    }
                }
            }
            out.add(new RouteRule(ref, path, section, hosts, bindings, port, sni, dests, ns, exportTo));
        }
    }

    /**
     * One protocol section: each route becomes one rule per match (or one rule when it has no match), with
     * the match's gateways, port and SNI hosts.
     */
    private static <R, M, D> void section(Context c, Section section, List<R> routes, Function<R, List<M>> matches,
            Function<M, List<String>> gateways, Function<M, Long> port, Function<M, List<String>> sni,
            Function<R, List<D>> route, Function<D, Destination> destination) {
        List<R> rs = nonNull(routes);
        for (int i = 0; i < rs.size(); i++) {
            R r = rs.get(i);
            if (r == null) {
                continue;
            }
            String path = "spec." + section.field() + "[" + i + "]";
            List<RouteDestination> dests = new ArrayList<>();
            List<D> ds = nonNull(route.apply(r));
            for (int j = 0; j < ds.size(); j++) {
                if (ds.get(j) != null) {
                    addDestination(dests, destination.apply(ds.get(j)), c.ns(), path + ".route[" + j + "].destination");
                }
            }
            List<M> ms = nonNull(matches.apply(r));
            if (ms.isEmpty()) {
                c.add(path, section, null, null, List.of(), dests);
            }
            for (int m = 0; m < ms.size(); m++) {
                M match = ms.get(m);
                c.add(path + ".match[" + m + "]", section, match == null ? null : gateways.apply(match),
                        match == null ? null : toInt(port.apply(match)),
                        match == null || sni.apply(match) == null ? List.of() : sni.apply(match), dests);
            }
        }
    }

    private static void addDestination(List<RouteDestination> out, Destination d, String ns, String path) {
        if (d == null || d.getHost() == null || d.getHost().isEmpty()) {
            return;
        }
        Integer port = d.getPort() == null ? null : toInt(d.getPort().getNumber());
        out.add(new RouteDestination(Hosts.fqdn(d.getHost(), ns), port, d.getSubset(), null, path));
    }

    static Integer toInt(Long l) {
        return l == null || l == 0 ? null : (int) (long) l;
    }

    static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    /** Kind-safe reference for a VirtualService object. */
    public static ObjectRef ref(VirtualService vs) {
        return new ObjectRef(Kind.VIRTUAL_SERVICE, vs.getMetadata().getNamespace(), vs.getMetadata().getName());
    }
}
