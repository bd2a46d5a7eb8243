package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.istio.ExportTo;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.model.ObjectRef;
import io.egressguard.istio.Labels;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedRoutes;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRouteRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Flattens Gateway API routes (HTTPRoute, TLSRoute) into {@link RouteRule}s, the way Istio translates them.
 *
 * <p>A parentRef to a {@code ServiceEntry} (group {@code networking.istio.io}) or a {@code Service} makes a
 * mesh route (GAMMA) for that service's hosts: the sidecar hop. A parentRef to a {@code Gateway} binds the
 * route to that gateway: the gateway hop. Backends of kind {@code Hostname} (group {@code networking.istio.io})
 * forward to an external host known through a ServiceEntry.
 */
public final class GatewayApiRoutes {

    public static final String ISTIO_GROUP = "networking.istio.io";
    public static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";

    /** One backendRef, already read from either route kind. */
    public record Backend(String group, String kind, String name, String namespace, Integer port) {
    }

    /** One rule of a route: its backends. */
    public record Rule(List<Backend> backends) {
    }

    private GatewayApiRoutes() {
    }

    public static String group(String g, String dflt) {
        return g == null ? dflt : g;
    }

    public static boolean isServiceEntryRef(String group, String kind) {
        return ISTIO_GROUP.equals(group) && "ServiceEntry".equals(kind);
    }

    /**
     * A backendRef kind Istio cannot send to (pilot {@code buildDestination}: "referencing unsupported
     * backendRef"): of the core and Istio groups only Service and Hostname are backends; a ServiceEntry is not.
     * Kinds of other groups (ServiceImport, InferencePool, ...) are not judged here.
     */
    public static boolean isUnsupportedBackend(String group, String kind) {
        String g = group == null ? "" : group;
        String k = kind == null ? "Service" : kind;
        return ISTIO_GROUP.equals(g) ? !"Hostname".equals(k) : (g.isEmpty() || "core".equals(g)) && !"Service".equals(k);
    }

    /** The backends of a route's rules (HTTPRoute or TLSRoute), by rule. */
    public static List<Rule> backends(HasMetadata route) {
        if (route instanceof HTTPRoute h && h.getSpec() != null) {
            return rules(h.getSpec().getRules(), HTTPRouteRule::getBackendRefs,
                    b -> new Backend(b.getGroup(), b.getKind(), b.getName(), b.getNamespace(), b.getPort()));
        }
        if (route instanceof TLSRoute t && t.getSpec() != null) {
            return rules(t.getSpec().getRules(), TLSRouteRule::getBackendRefs,
                    b -> new Backend(b.getGroup(), b.getKind(), b.getName(), b.getNamespace(), b.getPort()));
        }
        return List.of();
    }

    public static boolean isServiceRef(String group, String kind) {
        return (group == null || group.isEmpty() || "core".equals(group)) && "Service".equals(kind);
    }

    public static boolean isGatewayRef(ParentReference p) {
        return GATEWAY_API_GROUP.equals(group(p.getGroup(), GATEWAY_API_GROUP))
                && "Gateway".equals(p.getKind() == null ? "Gateway" : p.getKind());
    }

    /** The parentRefs of an HTTPRoute or TLSRoute (none for other objects). */
    public static List<ParentReference> parentRefs(HasMetadata route) {
        List<ParentReference> refs = route instanceof HTTPRoute h && h.getSpec() != null ? h.getSpec().getParentRefs()
                : route instanceof TLSRoute t && t.getSpec() != null ? t.getSpec().getParentRefs() : null;
        return refs == null ? List.of() : refs;
    }

    /** The hostnames of an HTTPRoute or TLSRoute. */
    public static List<String> hostnames(HasMetadata route) {
        List<String> h = route instanceof HTTPRoute r && r.getSpec() != null ? r.getSpec().getHostnames()
                : route instanceof TLSRoute t && t.getSpec() != null ? t.getSpec().getHostnames() : null;
        return h == null ? List.of() : h.stream().filter(x -> x != null).toList();
    }

    /** The Gateway a parentRef of {@code route} names (its namespace defaults to the route's). */
    public static Binding gatewayBinding(ObjectRef route, ParentReference p) {
        return Binding.kubernetesGateway(p.getNamespace() == null ? route.namespace() : p.getNamespace(), p.getName());
    }

    /**
     * Why a route does not attach to the Gateway its parentRef names (pilot's route status "Accepted: false"):
     * the Gateway is missing, or no listener fits (sectionName, port, hostnames, route kind and TLS mode,
     * allowedRoutes). Empty when it attaches.
     */
    public static Optional<String> attachmentProblem(MeshSnapshot s, Resource route, ParentReference p) {
        Binding b = gatewayBinding(route.ref(), p);
        Optional<Resource> gw = s.gateway(b).flatMap(s::resource);
        return Optional.ofNullable(gw.isEmpty() ? "Gateway " + b + " does not exist"
                : whyNotAttached(s, route, p, (Gateway) gw.get().object()));
    }

    private static String whyNotAttached(MeshSnapshot s, Resource route, ParentReference p, Gateway g) {
        List<Listener> listeners = g.getSpec() == null || g.getSpec().getListeners() == null ? List.of()
                : g.getSpec().getListeners();
        List<String> hostnames = hostnames(route.object());
        String reason = "no listener" + (p.getSectionName() == null ? "" : " named " + p.getSectionName());
        for (Listener l : listeners) {
            if (l == null || (p.getSectionName() != null && !p.getSectionName().equals(l.getName()))
                    || (p.getPort() != null && !p.getPort().equals(l.getPort()))) {
                continue;
            }
            String lh = l.getHostname();
            if (lh != null && !hostnames.isEmpty() && hostnames.stream().noneMatch(h -> Hosts.intersect(h, lh))) {
                reason = "hostnames " + hostnames + " do not intersect listener hostname " + lh;
                continue;
            }
            GatewayServer srv = GatewayServer.ofListener(route.ref(), null, "", l);
            boolean kindFits = route.kind() == Kind.HTTP_ROUTE
                    ? srv.protocol().equals("HTTP") || srv.protocol().equals("HTTPS")
                    : srv.protocol().equals("TLS") && (srv.passthrough() || tlsRouteOnTerminate(s));
            if (!kindFits) {
                reason = route.kind().kindName() + " does not fit listener " + l.getName() + " (" + srv.protocol()
                        + (srv.tlsMode() == null ? "" : " " + srv.tlsMode()) + ")";
                continue;
            }
            String allowed = allowedRoutesProblem(s, route, g, l.getAllowedRoutes());
            if (allowed != null) {
                reason = allowed;
                continue;
            }
            return null;
        }
        return reason;
    }

    /**
     * Since Istio 1.30 a TLS listener in {@code Terminate} mode also accepts TLSRoutes (pilot
     * {@code GenerateGatewaySupportedKinds}): the gateway terminates and forwards the stream over TCP. Up to
     * 1.29 only {@code Passthrough} listeners do. An unknown istiod version is taken as current.
     */
    public static boolean tlsRouteOnTerminate(MeshSnapshot s) {
        return s.istiod().map(i -> !i.olderThan(1, 30)).orElse(true);
    }

    private static String allowedRoutesProblem(MeshSnapshot s, Resource route, Gateway g, AllowedRoutes allowed) {
        String routeNs = route.ref().namespace();
        String gwNs = g.getMetadata().getNamespace();
        if (allowed != null && allowed.getKinds() != null && !allowed.getKinds().isEmpty()
                && allowed.getKinds().stream().noneMatch(k -> k != null && route.kind().kindName().equals(k.getKind()))) {
            return "allowedRoutes.kinds excludes " + route.kind().kindName();
        }
        String from = allowed == null || allowed.getNamespaces() == null || allowed.getNamespaces().getFrom() == null
                ? "Same" : allowed.getNamespaces().getFrom();
        switch (from) {
            case "All":
                return null;
            case "Selector":
                var labels = s.namespaceLabels(routeNs);
                if (labels.isEmpty() || Labels.matches(allowed.getNamespaces().getSelector(), labels.get())) {
                    return null;
                }
                return "allowedRoutes selector excludes namespace " + routeNs;
            default:
                return routeNs.equals(gwNs) ? null : "allowedRoutes admits only routes from " + gwNs + " (from: Same)";
        }
    }

    /** Flattens an HTTPRoute or TLSRoute; other objects have no routes. */
    public static List<RouteRule> compile(ObjectRef ref, HasMetadata route,
            BiFunction<String, String, List<String>> serviceEntryHosts) {
        if (route instanceof HTTPRoute h && h.getSpec() != null) {
            return compile(ref, Section.HTTP, h.getSpec().getHostnames(), h.getSpec().getParentRefs(), backends(route),
                    serviceEntryHosts);
        }
        if (route instanceof TLSRoute t && t.getSpec() != null) {
            return compile(ref, Section.TLS, t.getSpec().getHostnames(), t.getSpec().getParentRefs(), backends(route),
                    serviceEntryHosts);
        }
        return List.of();
    }

    /** The backends of each rule, whatever the route kind calls its rule and backend types. */
    private static <R, B> List<Rule> rules(List<R> rules, Function<R, List<B>> backendRefs, Function<B, Backend> backend) {
        List<Rule> out = new ArrayList<>();
        for (R rule : rules == null ? List.<R>of() : rules) {
            List<Backend> bs = new ArrayList<>();
            List<B> refs = rule == null ? null : backendRefs.apply(rule);
            for (B b : refs == null ? List.<B>of() : refs) {
                if (b != null) {
                    bs.add(backend.apply(b));
                }
            }
            out.add(new Rule(bs));
        }
        return out;
    }

    /**
     * @param serviceEntryHosts hosts of the ServiceEntry {@code (namespace, name)}, empty when it does not exist
     */
    static List<RouteRule> compile(ObjectRef ref, Section section, List<String> hostnames,
            List<ParentReference> parents, List<Rule> rules, BiFunction<String, String, List<String>> serviceEntryHosts) {
        String ns = ref.namespace();
        List<RouteRule> out = new ArrayList<>();
        List<String> routeHosts = hostnames == null ? List.of() : hostnames.stream().filter(h -> h != null).toList();
        List<ParentReference> ps = parents == null ? List.of() : parents;
        ExportTo everywhere = new ExportTo(ns, List.of());
        for (ParentReference p : ps) {
            if (p == null || p.getName() == null) {
                continue;
            }
            String pns = p.getNamespace() == null ? ns : p.getNamespace();
            String pkind = p.getKind() == null ? "Gateway" : p.getKind();
            String pgroup = group(p.getGroup(), GATEWAY_API_GROUP);
            Binding binding;
            List<String> hosts;
            RouteRule.SourceMatch consumers = RouteRule.SourceMatch.ANY;
            if (section == Section.HTTP && !pns.equals(ns) && (isServiceEntryRef(pgroup, pkind) || isServiceRef(p.getGroup(), pkind))) {
                // A consumer route (in another namespace than its ServiceEntry or Service) applies to the sidecars
                // of its own namespace only (pilot buildSidecarVirtualHostsForVirtualService: "only routes from the
                // namespace of the proxy, or namespace of the destination"). TLS mesh routes have no such limit.
                consumers = new RouteRule.SourceMatch(ns, null);
            }
            if (isServiceEntryRef(pgroup, pkind)) {
                binding = Binding.MESH;
                hosts = serviceEntryHosts.apply(pns, p.getName());
            } else if (isServiceRef(p.getGroup(), pkind)) {
                binding = Binding.MESH;
                hosts = List.of(Hosts.serviceHost(p.getName(), pns));
            } else if (isGatewayRef(p)) {
                binding = Binding.kubernetesGateway(pns, p.getName());
                hosts = routeHosts.isEmpty() ? List.of("*") : routeHosts;
            } else {
                continue;
            }
            for (int i = 0; i < rules.size(); i++) {
                String path = "spec.rules[" + i + "]";
                List<RouteDestination> dests = new ArrayList<>();
                List<Backend> backends = rules.get(i).backends();
                for (int j = 0; j < backends.size(); j++) {
                    Backend b = backends.get(j);
                    RouteDestination d = destination(b, ns, path + ".backendRefs[" + j + "]", serviceEntryHosts);
                    if (d != null) {
                        dests.add(d);
                    }
                }
                out.add(new RouteRule(ref, path, section, hosts, Set.of(binding), p.getPort(), List.of(), dests, ns,
                        everywhere, consumers));
            }
        }
        return out;
    }

    private static RouteDestination destination(Backend b, String ns, String path,
            BiFunction<String, String, List<String>> serviceEntryHosts) {
        if (b == null || b.name() == null) {
            return null;
        }
        String kind = b.kind() == null ? "Service" : b.kind();
        String group = b.group() == null ? "" : b.group();
        String bns = b.namespace() == null ? ns : b.namespace();
        if (ISTIO_GROUP.equals(group) && "Hostname".equals(kind)) {
            return new RouteDestination(b.name(), b.port(), null, "Hostname", path);
        }
        if (isServiceRef(group, kind)) {
            return new RouteDestination(Hosts.serviceHost(b.name(), bns), b.port(), null, "Service", path);
        }
        return null;
    }
}
