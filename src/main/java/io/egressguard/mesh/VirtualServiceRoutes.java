package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.istio.ExportTo;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.RouteRule.SourceMatch;
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
        return compile(ref, vs, (ns, name) -> null);
    }

    /**
     * True when {@code vs} is a delegate: without hosts it is never used on its own, only through the roots
     * that delegate to it (pilot {@code mergeVirtualServices}).
     */
    public static boolean isDelegate(VirtualService vs) {
        return vs.getSpec() == null || vs.getSpec().getHosts() == null
                || vs.getSpec().getHosts().stream().allMatch(h -> h == null || h.isEmpty());
    }

    /** True when some {@code http} route of {@code vs} delegates to another VirtualService. */
    public static boolean delegates(VirtualService vs) {
        return vs.getSpec() != null && vs.getSpec().getHttp() != null
                && vs.getSpec().getHttp().stream().anyMatch(r -> r != null && r.getDelegate() != null);
    }

    /**
     * @param delegates finds a VirtualService by namespace and name (null when absent), for {@code delegate}
     */
    public static List<RouteRule> compile(ObjectRef ref, VirtualService vs,
            java.util.function.BiFunction<String, String, VirtualService> delegates) {
        List<RouteRule> out = new ArrayList<>();
        if (vs.getSpec() == null || isDelegate(vs)) {
            return out;
        }
        String ns = ref.namespace();
        Set<Binding> top = topLevelBindings(vs);
        List<String> hosts = hosts(vs);
        ExportTo exportTo = new ExportTo(ns, vs.getSpec().getExportTo());
        Context c = new Context(ref, ns, top, hosts, exportTo, out);

        section(c, Section.HTTP, httpRoutes(vs, ns, delegates), HTTPRoute::getMatch, HTTPMatchRequest::getGateways,
                HTTPMatchRequest::getPort, m -> List.of(),
                m -> new SourceMatch(m.getSourceNamespace(), m.getSourceLabels()),
                HTTPRoute::getRoute, HTTPRouteDestination::getDestination);
        section(c, Section.TLS, indexed(Section.TLS, vs.getSpec().getTls()), TLSRoute::getMatch, TLSMatchAttributes::getGateways,
                TLSMatchAttributes::getPort, TLSMatchAttributes::getSniHosts,
                m -> new SourceMatch(m.getSourceNamespace(), m.getSourceLabels()), TLSRoute::getRoute,
                io.fabric8.istio.api.api.networking.v1alpha3.RouteDestination::getDestination);
        section(c, Section.TCP, indexed(Section.TCP, vs.getSpec().getTcp()), TCPRoute::getMatch, L4MatchAttributes::getGateways,
                L4MatchAttributes::getPort, m -> List.of(),
                m -> new SourceMatch(m.getSourceNamespace(), m.getSourceLabels()), TCPRoute::getRoute,
                io.fabric8.istio.api.api.networking.v1alpha3.RouteDestination::getDestination);
        return out;
    }

    private record Context(ObjectRef ref, String ns, Set<Binding> top, List<String> hosts, ExportTo exportTo,
            List<RouteRule> out) {

        void add(String path, Section section, List<String> matchGateways, Integer port, List<String> sni,
                SourceMatch source, List<RouteDestination> dests) {
            Set<Binding> bindings;
            if (matchGateways == null || matchGateways.isEmpty()) {
                bindings = top;
                if (section == Section.HTTP && !source.isAny()) {
                    // An http match without gateways but with sourceLabels/sourceNamespace applies to a proxy only
                    // when the proxy's pods carry those labels and run in that namespace (pilot
                    // route.sourceMatchHTTP), gateway proxies included: written for client pods, it is a
                    // mesh-only match. (tls and tcp matches differ: gateways ignore their source fields.)
                    bindings = top.contains(Binding.MESH) ? Set.of(Binding.MESH) : Set.of();
                }
            } else {
                bindings = new LinkedHashSet<>();
                for (String g : matchGateways) {
                    Binding b = g == null ? null : Binding.ofVirtualServiceEntry(g, ns);
                    if (b != null && top.contains(b)) {
                        bindings.add(b);
                    }
                }
            }
            // When the match names gateways, pilot ignores its source fields for http; tls/tcp matches keep them,
            // and they only ever narrow which sidecars apply the route.
            SourceMatch clients = section == Section.HTTP && matchGateways != null && !matchGateways.isEmpty()
                    ? SourceMatch.ANY : source;
            out.add(new RouteRule(ref, path, section, hosts, bindings, port, sni, dests, ns, exportTo, clients));
        }
    }

    /**
     * One protocol section: each route becomes one rule per match (or one rule when it has no match), with
     * the match's gateways, port and SNI hosts.
     */
    /** A route with the path findings about it point at. */
    private record Indexed<R>(String path, R route) {
    }

    private static <R> List<Indexed<R>> indexed(Section section, List<R> routes) {
        List<Indexed<R>> out = new ArrayList<>();
        List<R> rs = nonNull(routes);
        for (int i = 0; i < rs.size(); i++) {
            out.add(new Indexed<>("spec." + section.field() + "[" + i + "]", rs.get(i)));
        }
        return out;
    }

    /**
     * The {@code http} routes with each delegating route replaced by its delegate's routes merged with it
     * (pilot {@code MergeHTTPRoutes}): every delegate route keeps its destinations and takes the root's match
     * conditions ({@code port}, {@code gateways}, {@code sourceLabels}, {@code sourceNamespace} from the root
     * when the delegate leaves them unset; a delegate match that contradicts the root's is dropped). A delegate
     * that does not exist, has hosts, or is not exported to the root's namespace drops the route.
     */
    private static List<Indexed<HTTPRoute>> httpRoutes(VirtualService vs, String ns,
            java.util.function.BiFunction<String, String, VirtualService> delegates) {
        List<Indexed<HTTPRoute>> out = new ArrayList<>();
        for (Indexed<HTTPRoute> root : indexed(Section.HTTP, vs.getSpec().getHttp())) {
            HTTPRoute r = root.route();
            if (r == null || r.getDelegate() == null) {
                out.add(root);
                continue;
            }
            var ref = r.getDelegate();
            String dns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? ns : ref.getNamespace();
            VirtualService d = ref.getName() == null ? null : delegates.apply(dns, ref.getName());
            if (d == null || !isDelegate(d) || d.getSpec() == null
                    || !new ExportTo(dns, d.getSpec().getExportTo()).visibleTo(ns)) {
                continue;
            }
            for (HTTPRoute dr : nonNull(d.getSpec().getHttp())) {
                if (dr == null) {
                    continue;
                }
                List<HTTPMatchRequest> merged = mergeMatches(nonNull(r.getMatch()), nonNull(dr.getMatch()));
                if (merged != null) {
                    out.add(new Indexed<>(root.path(), new io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteBuilder(dr)
                            .withMatch(merged).build()));
                }
            }
        }
        return out;
    }

    /** The delegate route's matches within the root's; null when none remains (the route is dropped). */
    private static List<HTTPMatchRequest> mergeMatches(List<HTTPMatchRequest> root, List<HTTPMatchRequest> delegate) {
        if (delegate.isEmpty()) {
            return root;
        }
        if (root.isEmpty()) {
            return delegate;
        }
        List<HTTPMatchRequest> out = new ArrayList<>();
        for (HTTPMatchRequest rm : root) {
            for (HTTPMatchRequest dm : delegate) {
                if (rm == null || dm == null) {
                    continue;
                }
                if (rm.getPort() != null && dm.getPort() != null && !rm.getPort().equals(dm.getPort())) {
                    continue; // outside the root's match
                }
                out.add(new io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequestBuilder(dm)
                        .withPort(dm.getPort() != null ? dm.getPort() : rm.getPort())
                        .withGateways(dm.getGateways() == null || dm.getGateways().isEmpty() ? rm.getGateways() : dm.getGateways())
                        .withSourceLabels(dm.getSourceLabels() == null || dm.getSourceLabels().isEmpty()
                                ? rm.getSourceLabels() : dm.getSourceLabels())
                        .withSourceNamespace(dm.getSourceNamespace() == null || dm.getSourceNamespace().isEmpty()
                                ? rm.getSourceNamespace() : dm.getSourceNamespace())
                        .build());
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static <R, M, D> void section(Context c, Section section, List<Indexed<R>> routes, Function<R, List<M>> matches,
            Function<M, List<String>> gateways, Function<M, Long> port, Function<M, List<String>> sni,
            Function<M, SourceMatch> source, Function<R, List<D>> route, Function<D, Destination> destination) {
        for (Indexed<R> indexed : routes) {
            R r = indexed.route();
            if (r == null) {
                continue;
            }
            String path = indexed.path();
            List<RouteDestination> dests = new ArrayList<>();
            List<D> ds = nonNull(route.apply(r));
            for (int j = 0; j < ds.size(); j++) {
                if (ds.get(j) != null) {
                    addDestination(dests, destination.apply(ds.get(j)), c.ns(), path + ".route[" + j + "].destination");
                }
            }
            List<M> ms = nonNull(matches.apply(r));
            if (ms.isEmpty()) {
                c.add(path, section, null, null, List.of(), SourceMatch.ANY, dests);
            }
            for (int m = 0; m < ms.size(); m++) {
                M match = ms.get(m);
                c.add(path + ".match[" + m + "]", section, match == null ? null : gateways.apply(match),
                        match == null ? null : toInt(port.apply(match)),
                        match == null || sni.apply(match) == null ? List.of() : sni.apply(match),
                        match == null ? SourceMatch.ANY : source.apply(match), dests);
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
