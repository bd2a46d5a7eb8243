package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.egressguard.explain.Walk.describe;
import static io.egressguard.explain.Walk.portSuffix;

/**
 * The first hop: the route the client's sidecar applies to the request (VirtualService precedence, exportTo,
 * the namespace's Sidecar imports), or none, and where that sends the request: to an egress gateway, straight
 * to the external host, or to a Service inside the mesh. Pods without a sidecar connect directly.
 */
final class SidecarRouteHop extends HopStep {

    /**
     * Where the sidecar sends the request.
     *
     * @param path        how the request leaves the client; {@link Trace.Path#IN_MESH} when it goes no further
     * @param gateway     on the egress gateway path, the gateway the route sends to
     * @param destination on the egress gateway path, the route's destination (the gateway Service)
     * @param host        the external host the request goes on to, as far as the sidecar decides it
     * @param port        its port
     */
    record Next(Trace.Path path, GatewayWorkload gateway, RouteDestination destination, String host, int port) {
    }

    /** The route the client's sidecars apply, and why the other routes for the host do not apply. */
    private static final class Choice {
        RouteRule rule;
        final List<ObjectRef> objects = new ArrayList<>();
        final List<String> details = new ArrayList<>();
        final Set<ObjectRef> hidden = new LinkedHashSet<>();
        final Set<ObjectRef> notForMesh = new LinkedHashSet<>();
        /** Visible routes the namespace's Sidecar does not import (egress.hosts). */
        final Set<ObjectRef> notImported = new LinkedHashSet<>();
    }

    SidecarRouteHop(Walk w) {
        super(w);
    }

    /** Adds the sidecar route hop ({@code notes} first among its details) and says where the request goes next. */
    Next follow(boolean injected, List<String> notes) {
        if (!injected) {
            noSidecar(notes);
            return new Next(Trace.Path.DIRECT, null, null, q.host(), q.port());
        }
        Choice choice = choose();
        notes.addAll(choice.details);
        if (choice.rule == null) {
            Catalogue code = bypassCode(choice);
            String how = "no route for sidecars applies to " + w.hostPort() + " (" + q.protocol() + ") in "
                    + q.namespace() + ": the sidecar sends it straight to the ServiceEntry host";
            w.add(HopKind.SIDECAR_ROUTE, code != null ? Verdict.BROKEN : Verdict.INFO,
                    how + (code != null ? ", skipping the egress gateway that is configured for it" : ", no egress gateway in the path"),
                    choice.objects, notes, code, code == null ? null : code.fix());
            return new Next(Trace.Path.DIRECT, null, null, q.host(), q.port());
        }
        RouteRule r = choice.rule;
        RouteDestination dest = r.destinations().isEmpty() ? null : r.destinations().get(0);
        for (int i = 1; i < r.destinations().size(); i++) {
            RouteDestination other = r.destinations().get(i);
            notes.add("also sends part of the traffic to " + other.host() + portSuffix(other.effectivePort(q.port()))
                    + (other.subset() == null ? "" : " subset " + other.subset()) + " (only the first destination is traced)");
        }
        Next inMesh = new Next(Trace.Path.IN_MESH, null, null, q.host(), q.port());
        String where = describe(r);
        if (dest == null) {
            w.add(HopKind.SIDECAR_ROUTE, Verdict.INFO, where + " applies but has no destination to follow",
                    choice.objects, notes, null, null);
            return inMesh;
        }
        String to = dest.host() + portSuffix(dest.effectivePort(q.port()))
                + (dest.subset() == null ? "" : " subset " + dest.subset());
        GatewayWorkload gateway = s.workload(dest.host()).orElse(null);
        if (gateway != null) {
            w.add(HopKind.SIDECAR_ROUTE, Verdict.OK, where + " sends " + w.hostPort() + " to " + to, choice.objects,
                    notes, null, null);
            return new Next(Trace.Path.EGRESS_GATEWAY, gateway, dest, q.host(), q.port());
        }
        if (Hosts.covers(dest.host(), q.host()) || s.serviceEntryFor(dest.host(), q.namespace()).isPresent()) {
            boolean bypass = gatewayConfigured(q.host(), q.port());
            w.add(HopKind.SIDECAR_ROUTE, bypass ? Verdict.BROKEN : Verdict.OK, where + " sends " + w.hostPort()
                            + " to " + to + " directly" + (bypass ? ": sidecars skip the egress gateway configured for it" : ""),
                    choice.objects, notes, bypass ? Catalogue.EG203 : null, bypass ? Catalogue.EG203.fix() : null);
            return new Next(Trace.Path.DIRECT, null, null, dest.host(), dest.effectivePort(q.port()));
        }
        if (s.service(dest.host()).isPresent()) {
            w.add(HopKind.SIDECAR_ROUTE, Verdict.INFO, where + " sends " + w.hostPort() + " to Service " + to
                    + ", which is no gateway: the request ends inside the mesh", choice.objects, notes, null, null);
            return inMesh;
        }
        // A host with dots is taken literally: a partial Service name matches nothing and the sidecar
        // has no cluster for it.
        w.stop(HopKind.SIDECAR_ROUTE, where + " sends " + w.hostPort() + " to " + to
                        + ", which matches no Service and no ServiceEntry: the sidecar has no cluster for it (503)",
                choice.objects, notes, Catalogue.EG213);
        return inMesh;
    }

    /** Pods without a sidecar apply no route: they connect to the host directly. */
    private void noSidecar(List<String> notes) {
        boolean viaGateway = gatewayConfigured(q.host(), q.port());
        w.add(HopKind.SIDECAR_ROUTE, viaGateway ? Verdict.BROKEN : Verdict.INFO,
                "pods in " + q.namespace() + " have no sidecar (namespace not labelled istio-injection=enabled or "
                        + "istio.io/rev): no route applies, they connect to " + w.hostPort() + " directly",
                List.of(new ObjectRef(Kind.NAMESPACE, null, q.namespace())), notes,
                viaGateway ? Catalogue.EG201 : null,
                viaGateway ? "Label the namespace istio-injection=enabled so that its pods get sidecars that "
                        + "apply the mesh route to the egress gateway." : null);
    }

    /**
     * Istio gives a sidecar the VirtualServices bound to {@code mesh} that are visible in its namespace, in
     * this order: those private to the namespace, those exported to it by name, then the public ones, each
     * by creation time (pilot {@code VirtualServicesForGateway}). For one host the first that routes the
     * traffic wins; later ones are ignored on that sidecar.
     */
    private Choice choose() {
        Choice c = new Choice();
        Map<ObjectRef, List<RouteRule>> mesh = new LinkedHashMap<>();
        for (RouteRule r : s.meshRoutesFor(q.host())) {
            mesh.computeIfAbsent(r.source(), k -> new ArrayList<>()).add(r);
        }
        for (RouteRule r : s.gatewayRoutesFor(q.host())) {
            if (!mesh.containsKey(r.source()) && c.notForMesh.add(r.source())) {
                c.details.add("not applied: " + r.source() + (r.source().kind() == Kind.VIRTUAL_SERVICE
                        ? " is not bound to mesh (spec.gateways lacks mesh, so sidecars never receive it, whatever its "
                        + "matches say)"
                        : " is attached to a Gateway only (no ServiceEntry or Service parentRef): sidecars do not apply it"));
            }
        }
        List<ObjectRef> visible = new ArrayList<>(s.sidecarPrecedence(s.meshRoutesFor(q.host()), q.namespace()));
        for (ObjectRef src : List.copyOf(visible)) {
            if (!s.importsRoutes(w.scope, src)) {
                visible.remove(src);
                c.notImported.add(src);
                c.details.add("not applied: " + src + " is in namespace " + src.namespace() + ", which "
                        + w.sidecar()
                        + " does not import (egress.hosts)");
            }
        }
        for (var e : mesh.entrySet()) {
            if (!visible.contains(e.getKey()) && !c.notImported.contains(e.getKey())) {
                var exportTo = e.getValue().get(0).exportTo();
                c.hidden.add(e.getKey());
                c.details.add("not applied: " + e.getKey() + " is not exported to " + q.namespace() + " (exportTo "
                        + exportTo.entries() + ")");
            }
        }
        for (ObjectRef src : visible) {
            RouteRule match = null;
            for (RouteRule r : s.routes(src)) {
                if (r.appliesToMesh() && r.servesHost(q.host()) && carries(r)) {
                    match = r;
                    break;
                }
            }
            if (match == null) {
                c.details.add("not applied: " + src + " " + whyNoMatch(mesh.get(src)));
            } else if (c.rule == null) {
                c.rule = match;
                c.objects.add(src);
            } else {
                c.details.add("ignored: " + src + " also routes " + q.host() + " for sidecars; Istio applies the first "
                        + "in its order (namespace-private, exported to " + q.namespace() + ", public; then oldest): "
                        + c.rule.source());
            }
        }
        if (c.rule == null) {
            c.objects.addAll(mesh.keySet());
            c.objects.addAll(c.notForMesh);
        }
        return c;
    }

    /**
     * True when the route can match this request: {@code http} routes match plain HTTP; TLS is matched by
     * {@code tls} routes (on SNI) and otherwise by {@code tcp} routes; the match port, when set, must be
     * the request's port.
     */
    private boolean carries(RouteRule r) {
        if (!r.matchesPort(q.port()) || !r.sourceMatch().selects(q.namespace(), q.podLabels())) {
            return false;
        }
        if ((r.section() != Section.HTTP || q.port() != 80) && (hiddenServiceEntry() || serviceEntryNotImported())) {
            return false; // no listener for the host in this sidecar's scope (EG104, EG215)
        }
        if (TraceRequest.HTTP.equals(q.protocol())) {
            return r.section() == Section.HTTP && opaqueDeclaration().isEmpty();
        }
        if (r.section() == Section.TCP) {
            return true;
        }
        return r.section() == Section.TLS && tlsPort() && (r.sniHosts().isEmpty()
                || r.sniHosts().stream().anyMatch(h -> Hosts.covers(h, q.host())));
    }

    /**
     * True when ServiceEntries declare the host but none is in the client's scope: exported to its
     * namespace (pilot PushContext.IsServiceVisible: its own namespace only when exportTo lists ".").
     */
    private boolean hiddenServiceEntry() {
        var declared = s.serviceEntriesDeclaring(q.host());
        return !declared.isEmpty() && s.serviceEntryFor(q.host(), q.namespace()).isEmpty();
    }

    /**
     * A ServiceEntry visible to the namespace that declares the request's port of the host as TCP. With another
     * entry declaring it HTTP (EG106), pilot's simulation builds no HTTP route for the host on that port: the
     * sidecar passes the request through (an opaque TCP port carries no HTTP routing).
     */
    private Optional<ServiceEntryInfo> opaqueDeclaration() {
        return s.serviceEntriesDeclaring(q.host()).stream()
                .filter(se -> se.exportTo().visibleTo(q.namespace()))
                .filter(se -> "TCP".equalsIgnoreCase(se.ports().get(q.port())))
                .findFirst();
    }

    /** True when a ServiceEntry visible to the namespace declares the host but its Sidecar does not import it. */
    private boolean serviceEntryNotImported() {
        return s.serviceEntryFor(q.host(), q.namespace()).isPresent() && !s.importsHost(w.scope, q.namespace(), q.host());
    }

    /**
     * True unless the ServiceEntry declares the port with a protocol other than TLS/HTTPS: sidecars build
     * SNI chains only on TLS ports (pilot buildSidecarOutboundTLSFilterChainOpts).
     */
    private boolean tlsPort() {
        String protocol = s.serviceEntryFor(q.host(), q.namespace()).map(se -> se.ports().get(q.port())).orElse(null);
        return protocol == null || ServiceEntryInfo.carriesTls(protocol);
    }

    private String whyNoMatch(List<RouteRule> rules) {
        Set<String> sections = new TreeSet<>();
        Set<String> ports = new TreeSet<>();
        for (RouteRule r : rules) {
            sections.add(r.section().field());
            if (r.port() != null) {
                ports.add(String.valueOf(r.port()));
            }
        }
        boolean sectionFits = rules.stream().anyMatch(r -> TraceRequest.HTTP.equals(q.protocol())
                ? r.section() == Section.HTTP : r.section() != Section.HTTP);
        if (!sectionFits) {
            return "has only " + String.join("/", sections) + " routes for sidecars: they cannot match " + q.protocol()
                    + " traffic";
        }
        if (rules.stream().noneMatch(r -> r.matchesPort(q.port()))) {
            return "has mesh routes for port " + String.join(", ", ports) + " only, not " + q.port();
        }
        List<RouteRule.SourceMatch> sources = rules.stream().filter(r -> r.matchesPort(q.port()))
                .map(RouteRule::sourceMatch).filter(m -> !m.selects(q.namespace(), q.podLabels())).distinct().toList();
        if (!sources.isEmpty()) {
            return "routes this port only for sidecars of " + sources.stream().map(SidecarRouteHop::sidecarsOf)
                    .collect(Collectors.joining(" or ")) + " (sourceNamespace/sourceLabels; the "
                    + "client's pod labels are given as --from NAMESPACE/LABELS)";
        }
        if (TraceRequest.HTTP.equals(q.protocol()) && opaqueDeclaration().isPresent()) {
            return "is never used: " + opaqueDeclaration().get().ref() + " declares port " + q.port() + " of " + q.host()
                    + " as TCP, so sidecars build no HTTP route for it (EG106)";
        }
        if (hiddenServiceEntry() || serviceEntryNotImported()) {
            return "is never used: the sidecar has no listener for " + q.host() + ", whose ServiceEntry is not in its "
                    + "scope (" + (hiddenServiceEntry() ? "exportTo" : "not imported by the Sidecar's egress.hosts") + ")";
        }
        return "has no mesh route whose sniHosts cover " + q.host();
    }

    /** The code for traffic that leaves directly although an egress gateway is configured for the host. */
    private Catalogue bypassCode(Choice c) {
        if (!gatewayConfigured(q.host(), q.port())) {
            return null;
        }
        if (!c.notImported.isEmpty()) {
            return Catalogue.EG214;
        }
        if (!c.hidden.isEmpty()) {
            return Catalogue.EG211;
        }
        if (serviceEntryNotImported() && !s.meshRoutesFor(q.host()).isEmpty()) {
            return Catalogue.EG215;
        }
        return s.meshRoutesFor(q.host()).isEmpty() ? Catalogue.EG201 : Catalogue.EG205;
    }

    /**
     * True when an egress gateway is set up to forward the host on the port: a route bound to it forwards
     * the host, and one of its servers (listeners) on that port accepts the host.
     */
    private boolean gatewayConfigured(String host, int port) {
        for (RouteRule r : s.gatewayRoutesFor(host)) {
            for (Binding b : r.bindings()) {
                if (b.isMesh() || !s.isEgressGateway(b)) {
                    continue;
                }
                List<GatewayWorkload> ws = s.workloadsOf(b);
                boolean configured = s.servers(b).stream().anyMatch(srv -> r.matchesPort(srv.port())
                        && srv.acceptsHost(host, r.namespace())
                        && (ws.isEmpty() ? srv.port() == port : ws.stream().anyMatch(gw -> gw.reaches(port, srv.port()))));
                if (configured) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The sidecars a route's sourceNamespace/sourceLabels select. */
    private static String sidecarsOf(RouteRule.SourceMatch m) {
        return (m.namespace() == null ? "any namespace" : "namespace " + m.namespace())
                + (m.labels().isEmpty() ? "" : " with pod labels " + m.labels());
    }
}
