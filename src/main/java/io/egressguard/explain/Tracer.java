package io.egressguard.explain;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayApiRoutes;
import io.egressguard.mesh.GatewayServer;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.mesh.Waypoints;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;
import io.egressguard.rules.PodEgress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Follows one request through the mesh configuration the way Istio's proxies handle it: the client sidecar's
 * route, the egress gateway Service and the DestinationRule the sidecar finds for it, the gateway server that
 * accepts the host, the gateway's route, the ServiceEntry of the external host, and what the client's
 * NetworkPolicies let the pod reach. Every semantic comes from the components the rules use ({@code mesh},
 * {@code istio}, {@link PodEgress}); the rules' findings on each hop's objects are attached to that hop.
 */
public final class Tracer {

    /**
     * Codes whose findings depend on the client namespace (EG206 lists the namespaces that fail, EG211 may
     * concern other namespaces, EG301 to EG303 are DestinationRule lookups from other clients): the tracer
     * decides them itself for the traced namespace instead of attaching them.
     */
    private static final Set<String> PER_CLIENT = Set.of("EG206", "EG211", "EG301", "EG302", "EG303", "EG901");

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
        return new Walk(q).run();
    }

    /** One trace in progress. */
    private final class Walk {
        final TraceRequest q;
        final List<Hop> hops = new ArrayList<>();
        /** Set once a hop stops the request: later hops are not reached. */
        boolean stopped;

        Walk(TraceRequest q) {
            this.q = q;
        }

        Trace run() {
            List<String> notes = new ArrayList<>();
            boolean injected = true;
            if (s.namespacesKnown() && s.namespaceLabels(q.namespace()).isEmpty()) {
                notes.add("namespace " + q.namespace() + " is not in the state: its pods are assumed to have sidecars");
            } else if (s.namespacesKnown() && !s.sidecarInjected(q.namespace())) {
                injected = false;
            }
            if (!injected && Waypoints.ambient(s, q.namespace())) {
                return ambient(notes);
            }
            SidecarChoice choice = injected ? sidecarRoute() : null;
            GatewayWorkload gateway = null;
            RouteDestination dest = null;
            Trace.Path path = Trace.Path.DIRECT;
            String external = q.host();
            int externalPort = q.port();

            if (!injected) {
                boolean viaGateway = gatewayConfigured(q.host(), q.port());
                add(HopKind.SIDECAR_ROUTE, viaGateway ? Verdict.BROKEN : Verdict.INFO,
                        "pods in " + q.namespace() + " have no sidecar (namespace not labelled istio-injection=enabled or "
                                + "istio.io/rev): no route applies, they connect to " + hostPort() + " directly",
                        List.of(new ObjectRef(Kind.NAMESPACE, null, q.namespace())), notes,
                        viaGateway ? Catalogue.EG201 : null,
                        viaGateway ? "Label the namespace istio-injection=enabled so that its pods get sidecars that "
                                + "apply the mesh route to the egress gateway." : null);
            } else if (choice.rule == null) {
                notes.addAll(choice.details);
                Catalogue code = bypassCode(choice);
                String how = "no route for sidecars applies to " + hostPort() + " (" + q.protocol() + ") in "
                        + q.namespace() + ": the sidecar sends it straight to the ServiceEntry host";
                add(HopKind.SIDECAR_ROUTE, code != null ? Verdict.BROKEN : Verdict.INFO,
                        how + (code != null ? ", skipping the egress gateway that is configured for it" : ", no egress gateway in the path"),
                        choice.objects, notes, code, code == null ? null : code.fix());
            } else {
                notes.addAll(choice.details);
                RouteRule r = choice.rule;
                dest = r.destinations().isEmpty() ? null : r.destinations().get(0);
                for (int i = 1; i < r.destinations().size(); i++) {
                    RouteDestination other = r.destinations().get(i);
                    notes.add("also sends part of the traffic to " + other.host() + portSuffix(other.effectivePort(q.port()))
                            + (other.subset() == null ? "" : " subset " + other.subset()) + " (only the first destination is traced)");
                }
                String where = describe(r);
                if (dest == null) {
                    add(HopKind.SIDECAR_ROUTE, Verdict.INFO, where + " applies but has no destination to follow",
                            choice.objects, notes, null, null);
                    return finish(Trace.Path.IN_MESH, null, null, q.host(), q.port());
                }
                String to = dest.host() + portSuffix(dest.effectivePort(q.port()))
                        + (dest.subset() == null ? "" : " subset " + dest.subset());
                gateway = s.workload(dest.host()).orElse(null);
                if (gateway != null) {
                    path = Trace.Path.EGRESS_GATEWAY;
                    add(HopKind.SIDECAR_ROUTE, Verdict.OK, where + " sends " + hostPort() + " to " + to, choice.objects,
                            notes, null, null);
                } else if (Hosts.covers(dest.host(), q.host()) || s.serviceEntryFor(dest.host(), q.namespace()).isPresent()) {
                    external = dest.host();
                    externalPort = dest.effectivePort(q.port());
                    boolean bypass = gatewayConfigured(q.host(), q.port());
                    add(HopKind.SIDECAR_ROUTE, bypass ? Verdict.BROKEN : Verdict.OK, where + " sends " + hostPort()
                                    + " to " + to + " directly" + (bypass ? ": sidecars skip the egress gateway configured for it" : ""),
                            choice.objects, notes, bypass ? Catalogue.EG203 : null, bypass ? Catalogue.EG203.fix() : null);
                } else if (s.service(dest.host()).isPresent()) {
                    add(HopKind.SIDECAR_ROUTE, Verdict.INFO, where + " sends " + hostPort() + " to Service " + to
                            + ", which is no gateway: the request ends inside the mesh", choice.objects, notes, null, null);
                    return finish(Trace.Path.IN_MESH, null, null, q.host(), q.port());
                } else {
                    // A host with dots is taken literally: a partial Service name matches nothing and the sidecar
                    // has no cluster for it.
                    add(HopKind.SIDECAR_ROUTE, Verdict.BROKEN, where + " sends " + hostPort() + " to " + to
                                    + ", which matches no Service and no ServiceEntry: the sidecar has no cluster for it (503)",
                            choice.objects, notes, Catalogue.EG213, Catalogue.EG213.fix());
                    stopped = true;
                    return finish(Trace.Path.IN_MESH, null, null, q.host(), q.port());
                }
            }

            if (path == Trace.Path.EGRESS_GATEWAY) {
                int gatewayPort = dest.effectivePort(q.port());
                destinationHop(gateway, dest, gatewayPort);
                GatewayServer server = serverHop(gateway, gatewayPort);
                RouteDestination forward = gatewayRouteHop(gateway, server, gatewayPort);
                if (forward != null) {
                    external = forward.host();
                    externalPort = forward.effectivePort(gatewayPort);
                }
                serviceEntryHop(external, externalPort, gateway.namespace(), true, forward);
                return finish(path, gateway, dest, external, externalPort);
            }
            serviceEntryHop(external, externalPort, q.namespace(), false, null);
            return finish(path, null, null, external, externalPort);
        }

        // ------------------------------------------------------------ hop 1: the sidecar's route

        /** The route the client's sidecars apply, and why the other routes for the host do not apply. */
        final class SidecarChoice {
            RouteRule rule;
            final List<ObjectRef> objects = new ArrayList<>();
            final List<String> details = new ArrayList<>();
            final Set<ObjectRef> hidden = new LinkedHashSet<>();
            final Set<ObjectRef> notForMesh = new LinkedHashSet<>();
            /** Visible routes the namespace's Sidecar does not import (egress.hosts). */
            final Set<ObjectRef> notImported = new LinkedHashSet<>();
        }

        /**
         * Istio gives a sidecar the VirtualServices bound to {@code mesh} that are visible in its namespace, in
         * this order: those private to the namespace, those exported to it by name, then the public ones, each
         * by creation time (pilot {@code VirtualServicesForGateway}). For one host the first that routes the
         * traffic wins; later ones are ignored on that sidecar.
         */
        SidecarChoice sidecarRoute() {
            SidecarChoice c = new SidecarChoice();
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
                if (!s.importsRoutes(q.namespace(), src)) {
                    visible.remove(src);
                    c.notImported.add(src);
                    c.details.add("not applied: " + src + " is in namespace " + src.namespace() + ", which "
                            + sidecarOf(q.namespace())
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
        boolean carries(RouteRule r) {
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
         * True unless the ServiceEntry declares the port with a protocol other than TLS/HTTPS: sidecars build
         * SNI chains only on TLS ports (pilot buildSidecarOutboundTLSFilterChainOpts).
         */
        /**
         * True when ServiceEntries declare the host but none is in the client's scope: exported to its
         * namespace (pilot PushContext.IsServiceVisible: its own namespace only when exportTo lists ".").
         */
        boolean hiddenServiceEntry() {
            var declared = s.serviceEntriesDeclaring(q.host());
            return !declared.isEmpty() && s.serviceEntryFor(q.host(), q.namespace()).isEmpty();
        }

        /**
         * A ServiceEntry visible to the namespace that declares the request's port of the host as TCP. With another
         * entry declaring it HTTP (EG106), pilot's simulation builds no HTTP route for the host on that port: the
         * sidecar passes the request through (an opaque TCP port carries no HTTP routing).
         */
        Optional<ServiceEntryInfo> opaqueDeclaration() {
            return s.serviceEntriesDeclaring(q.host()).stream()
                    .filter(se -> se.exportTo().visibleTo(q.namespace()))
                    .filter(se -> "TCP".equalsIgnoreCase(se.ports().get(q.port())))
                    .findFirst();
        }

        /** True when a ServiceEntry visible to the namespace declares the host but its Sidecar does not import it. */
        boolean serviceEntryNotImported() {
            return s.serviceEntryFor(q.host(), q.namespace()).isPresent() && !s.importsHost(q.namespace(), q.host());
        }

        boolean tlsPort() {
            String protocol = s.serviceEntryFor(q.host(), q.namespace()).map(se -> se.ports().get(q.port())).orElse(null);
            return protocol == null || ServiceEntryInfo.carriesTls(protocol);
        }

        String whyNoMatch(List<RouteRule> rules) {
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
                return "routes this port only for sidecars of " + sources.stream().map(Tracer::describe)
                        .collect(java.util.stream.Collectors.joining(" or ")) + " (sourceNamespace/sourceLabels; the "
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
        Catalogue bypassCode(SidecarChoice c) {
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
        boolean gatewayConfigured(String host, int port) {
            for (RouteRule r : s.gatewayRoutesFor(host)) {
                for (Binding b : r.bindings()) {
                    if (b.isMesh() || !s.isEgressGateway(b)) {
                        continue;
                    }
                    List<GatewayWorkload> ws = s.workloadsOf(b);
                    boolean configured = s.servers(b).stream().anyMatch(srv -> r.matchesPort(srv.port())
                            && srv.acceptsHost(host, r.namespace())
                            && (ws.isEmpty() ? srv.port() == port : ws.stream().anyMatch(w -> w.reaches(port, srv.port()))));
                    if (configured) {
                        return true;
                    }
                }
            }
            return false;
        }

        // ------------------------------------------------------------ hop 2: the egress gateway Service

        void destinationHop(GatewayWorkload w, RouteDestination d, int port) {
            List<ObjectRef> objects = new ArrayList<>();
            if (w.service() != null) {
                objects.add(w.service());
            }
            List<String> details = new ArrayList<>();
            details.add("the egress gateway pods run in " + w.namespace() + (w.service() == null
                    ? " (Service not in the state: Istio's default install assumed)" : ""));
            String svc = w.serviceHost() + ":" + port;
            if (stopped) {
                add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.SKIPPED, svc + ": not reached", objects, details, null, null);
                return;
            }
            if (w.portsKnown() && !w.servicePorts().containsKey(port)) {
                details.add("Service ports: " + new TreeSet<>(w.servicePorts().keySet()));
                stop(HopKind.EGRESS_GATEWAY_SERVICE, "the egress gateway Service does not expose port " + port
                        + ": the connection fails", objects, details, Catalogue.EG210);
                return;
            }
            Optional<DestinationRuleLookup.Result> found = lookup.lookup(q.namespace(), w.serviceHost(), w.namespace());
            found.ifPresent(r -> r.rules().forEach(dr -> objects.add(dr.ref())));
            String step = found.map(r -> "DestinationRule " + names(r.rules()) + ", found in " + r.step().description()
                    + " (" + r.namespace() + ")" + (r.host().equals(w.serviceHost()) ? "" : " through host " + r.host()))
                    .orElse(null);
            if (d.subset() == null) {
                details.add(step == null ? "no DestinationRule applies to the gateway Service for clients in " + q.namespace()
                        + " (none needed: the route names no subset)" : step + " applies (the route names no subset)");
                add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.OK, "sidecar connects to " + svc, objects, details, null, null);
                return;
            }
            if (found.isPresent() && found.get().hasSubset(d.subset())) {
                details.add(step + ", defines subset " + d.subset());
                add(HopKind.EGRESS_GATEWAY_SERVICE, Verdict.OK, "sidecar connects to " + svc + " subset " + d.subset(),
                        objects, details, null, null);
                return;
            }
            details.add("DestinationRule lookup for a sidecar in " + q.namespace() + ": " + q.namespace() + ", then "
                    + (w.namespace().equals(s.rootNamespace()) ? w.namespace() + " (the gateway's and the root namespace)"
                    : w.namespace() + " (the gateway's namespace), then " + s.rootNamespace() + " (root)")
                    + ", stopping at the first namespace with a rule for the host");
            Catalogue code;
            if (found.isPresent()) {
                details.add(step + ", lacks subset " + d.subset() + " (subsets " + new TreeSet<>(found.get().subsets())
                        + ") and the lookup stops there");
                code = found.get().step() == DestinationRuleLookup.Step.CLIENT_NAMESPACE ? Catalogue.EG303 : Catalogue.EG206;
            } else {
                details.add("no DestinationRule for " + w.serviceHost() + " is visible to " + q.namespace());
                code = Catalogue.EG206;
            }
            for (DestinationRuleInfo dr : s.destinationRulesFor(w.serviceHost())) {
                if (!dr.subsets().contains(d.subset()) || objects.contains(dr.ref())) {
                    continue;
                }
                objects.add(dr.ref());
                boolean searched = dr.namespace().equals(w.namespace()) || dr.namespace().equals(s.rootNamespace());
                if (searched && !dr.exportTo().visibleTo(q.namespace())) {
                    details.add(dr.ref() + " defines subset " + d.subset() + " but its exportTo " + dr.exportTo().entries()
                            + " hides it from " + q.namespace() + " (EG302)");
                    if (code == Catalogue.EG206) {
                        code = Catalogue.EG302;
                    }
                } else if (!searched && !dr.namespace().equals(q.namespace())) {
                    details.add(dr.ref() + " defines subset " + d.subset() + " but the lookup from " + q.namespace()
                            + " never reads namespace " + dr.namespace() + " (EG301)");
                } else {
                    details.add(dr.ref() + " defines subset " + d.subset() + " but is not the rule the lookup selects");
                }
            }
            stop(HopKind.EGRESS_GATEWAY_SERVICE, "sidecars in " + q.namespace() + " know no subset " + d.subset() + " of "
                    + w.serviceHost() + ": no healthy upstream (503)", objects, details, code);
        }

        // ------------------------------------------------------------ hop 3: the gateway's server (listener)

        GatewayServer serverHop(GatewayWorkload w, int port) {
            List<ObjectRef> objects = new ArrayList<>();
            List<String> details = new ArrayList<>();
            for (Binding b : w.bindings()) {
                s.gateway(b).ifPresent(objects::add);
            }
            GatewayServer chosen = null;
            boolean onPort = false;
            boolean hostOk = false;
            for (GatewayServer srv : w.servers()) {
                if (!w.reaches(port, srv.port())) {
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
            if (stopped) {
                add(HopKind.GATEWAY_SERVER, Verdict.SKIPPED, "egress gateway " + w.serviceHost() + ": not reached", objects,
                        details, null, null);
                return chosen;
            }
            if (w.servers().isEmpty()) {
                stop(HopKind.GATEWAY_SERVER, "no Gateway configures the proxies behind " + w.serviceHost()
                        + ": they have no listener for the traffic", objects, details, Catalogue.EG204);
                return null;
            }
            if (chosen == null) {
                Catalogue code = !onPort ? Catalogue.EG210 : !hostOk ? Catalogue.EG208 : Catalogue.EG209;
                String why = !onPort ? "no server of " + names(objects) + " listens on port " + port
                        : !hostOk ? "no server on port " + port + " accepts host " + q.host()
                        : "no server on port " + port + " carries " + q.protocol() + " traffic";
                stop(HopKind.GATEWAY_SERVER, why + ": the gateway answers 404 or resets the connection", objects, details, code);
                return null;
            }
            String mode = chosen.tlsMode() == null ? "" : " " + chosen.tlsMode();
            add(HopKind.GATEWAY_SERVER, Verdict.OK, chosen.gateway() + " " + chosen.path() + " (port " + chosen.port() + ", "
                    + chosen.protocol() + mode + ") accepts " + q.host(), objects, details, null, null);
            return chosen;
        }

        boolean acceptsHostAnyNamespace(GatewayServer srv, String host) {
            for (String h : srv.hosts()) {
                String hostPart = h.contains("/") ? h.substring(h.indexOf('/') + 1) : h;
                if (Hosts.intersect(hostPart, host)) {
                    return true;
                }
            }
            return false;
        }

        // ------------------------------------------------------------ hop 4: the gateway's route

        RouteDestination gatewayRouteHop(GatewayWorkload w, GatewayServer srv, int port) {
            List<ObjectRef> objects = new ArrayList<>();
            List<String> details = new ArrayList<>();
            if (srv == null) {
                add(HopKind.GATEWAY_ROUTE, Verdict.SKIPPED, "not reached", objects, details, null, null);
                return null;
            }
            RouteRule chosen = null;
            boolean hiddenFromGateway = false;
            boolean unattached = false;
            for (RouteRule r : s.routesBoundTo(srv.binding())) {
                if (!r.servesHost(q.host())) {
                    continue;
                }
                String why = null;
                if (!r.matchesPort(srv.port())) {
                    // a gateway route's port is the server's own port number, not the Service port
                    why = "matches port " + r.port() + ", not the server's port " + srv.port();
                } else if (!sectionFits(r, srv)) {
                    why = "is a " + r.section().field() + " route; server " + srv.path() + " is " + srv.protocol()
                            + (srv.tlsMode() == null ? "" : " " + srv.tlsMode());
                } else if (r.section() == Section.TLS && !r.sniHosts().isEmpty()
                        && r.sniHosts().stream().noneMatch(h -> Hosts.covers(h, q.host()))) {
                    why = "matches sniHosts " + r.sniHosts();
                } else if (r.hosts().stream().noneMatch(h -> srv.acceptsHost(h, r.namespace()))) {
                    why = "its namespace " + r.namespace() + " may not bind to server hosts " + srv.hosts();
                } else if (!r.exportTo().visibleTo(w.namespace())) {
                    why = "is not exported to the gateway's namespace " + w.namespace() + " (exportTo "
                            + r.exportTo().entries() + ")";
                    hiddenFromGateway = true;
                } else {
                    Optional<String> attach = attachmentProblem(r.source(), srv.binding());
                    if (attach.isPresent()) {
                        why = "cannot attach: route not attached: " + attach.get();
                        unattached = true;
                    }
                }
                if (why != null) {
                    details.add("not used: " + r.source() + " " + r.path() + " " + why);
                    if (!objects.contains(r.source())) {
                        objects.add(r.source());
                    }
                    continue;
                }
                if (chosen == null) {
                    chosen = r;
                    objects.add(0, r.source());
                }
            }
            if (stopped) {
                add(HopKind.GATEWAY_ROUTE, Verdict.SKIPPED, "not reached", objects, details, null, null);
                return chosen == null || chosen.destinations().isEmpty() ? null : chosen.destinations().get(0);
            }
            if (chosen != null && chosen.destinations().isEmpty() && chosen.source().kind() != Kind.VIRTUAL_SERVICE) {
                stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " matches but names no backend Istio supports: no "
                        + "cluster, the gateway answers 500 (HTTP) or resets", objects, details, Catalogue.EG506);
                return null;
            }
            if (chosen == null || chosen.destinations().isEmpty()) {
                Catalogue code = hiddenFromGateway ? Catalogue.EG211 : unattached ? Catalogue.EG505 : Catalogue.EG204;
                stop(HopKind.GATEWAY_ROUTE, "no route bound to " + srv.binding() + " forwards " + q.host() + " on port " + port
                        + ": the gateway answers 404 (HTTP) or resets the connection (TLS)", objects, details, code);
                return null;
            }
            RouteDestination d = chosen.destinations().get(0);
            int out = d.effectivePort(port);
            if (s.workload(d.host()).isPresent()) {
                if (d.subset() != null && !d.subset().isEmpty() && lookup.lookup(w.namespace(), d.host(), w.namespace())
                        .map(r -> !r.hasSubset(d.subset())).orElse(true)) {
                    // the gateway proxy looks the subset up from its own namespace: without it there is no
                    // cluster for the route, so it answers 503 before any loop can happen
                    stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " sends " + q.host() + " to " + d.host() + portSuffix(out)
                            + " again, subset " + d.subset() + ", which the gateway's DestinationRule lookup (from "
                            + w.namespace() + ") does not find: 503 (no cluster)", objects, details, Catalogue.EG202);
                    return null;
                }
                stop(HopKind.GATEWAY_ROUTE, describe(chosen) + " sends " + q.host() + " to " + d.host() + portSuffix(out)
                        + " again: the gateway routes to itself (loop)", objects, details, Catalogue.EG202);
                return null;
            }
            Optional<ServiceEntryInfo> se = s.exactServiceEntryFor(d.host(), w.namespace());
            lookup.lookup(w.namespace(), d.host(), se.map(x -> x.ref().namespace()).orElse(null)).ifPresent(r -> {
                List<DestinationRuleInfo> applied = r.applying(w.podLabels());
                if (applied.isEmpty()) {
                    details.add("the gateway applies no DestinationRule to " + d.host() + ": the lookup stops at "
                            + names(r.rules()) + " in " + r.namespace() + ", whose workloadSelector does not select the gateway pods");
                    return;
                }
                applied.forEach(dr -> objects.add(dr.ref()));
                details.add("the gateway applies DestinationRule " + names(applied) + " (found in " + r.step().description()
                        + ", " + r.namespace() + ") to " + d.host() + ", e.g. to originate TLS");
            });
            add(HopKind.GATEWAY_ROUTE, Verdict.OK, describe(chosen) + " forwards " + q.host() + " to " + d.host()
                    + portSuffix(out), objects, details, null, null);
            return d;
        }

        boolean sectionFits(RouteRule r, GatewayServer srv) {
            return switch (r.section()) {
                case HTTP -> srv.servesHttp();
                case TLS -> srv.servesTlsPassthrough();
                case TCP -> true;
            };
        }

        // ------------------------------------------------------------ hop 5: the ServiceEntry

        /**
         * The ServiceEntry the forwarding proxy uses for the host: the gateway's behind an egress gateway, the
         * sidecar's on a direct path.
         */
        void serviceEntryHop(String host, int port, String proxyNamespace, boolean viaGateway, RouteDestination forward) {
            // a gateway's cluster lookup is exact; a sidecar's listener may come from a wildcard entry
            Optional<ServiceEntryInfo> found = viaGateway ? s.exactServiceEntryFor(host, proxyNamespace)
                    : s.serviceEntryFor(host, proxyNamespace);
            List<ObjectRef> objects = found.map(se -> List.of(se.ref())).orElse(List.of());
            List<String> details = new ArrayList<>();
            if (!viaGateway && found.isPresent() && !s.importsHost(proxyNamespace, host)) {
                details.add(found.get().ref() + " declares " + host + ", but "
                        + sidecarOf(proxyNamespace)
                        + " does not import it (egress.hosts): the sidecar has no cluster or listener for it");
                found = Optional.empty();
            }
            String proxy = viaGateway ? "the egress gateway (" + proxyNamespace + ")" : "the sidecar (" + proxyNamespace + ")";
            if (stopped) {
                add(HopKind.SERVICE_ENTRY, Verdict.SKIPPED, host + ":" + port + ": not reached", objects, details, null, null);
                return;
            }
            boolean hostname = forward != null && "Hostname".equals(forward.kind());
            if (found.isEmpty() && host.endsWith("." + Hosts.CLUSTER_DOMAIN)) {
                // A Kubernetes Service is in the mesh registry by itself: no ServiceEntry is needed for it.
                Optional<ObjectRef> svc = Hosts.serviceNamespace(host)
                        .map(ns -> new ObjectRef(Kind.SERVICE, ns, host.substring(0, host.indexOf('.'))));
                boolean known = s.service(host).isPresent();
                add(HopKind.SERVICE_ENTRY, known ? Verdict.OK : Verdict.INFO, host + " is a Kubernetes Service"
                                + (known ? "" : " (not in the state)") + ", in the mesh registry without a ServiceEntry; " + proxy
                                + " connects to its endpoints", known && svc.isPresent() ? List.of(svc.get()) : List.of(),
                        details, null, null);
                return;
            }
            if (found.isEmpty()) {
                if (viaGateway) {
                    stop(HopKind.SERVICE_ENTRY, "no ServiceEntry visible to " + proxy + " declares " + host
                                    + ": it is unknown to the mesh registry and the gateway has no cluster for it",
                            objects, details, hostname ? Catalogue.EG504 : Catalogue.EG212);
                } else if (!outbound(proxyNamespace, objects, details, "no ServiceEntry in the scope of " + proxy
                        + " declares " + host)) {
                    add(HopKind.SERVICE_ENTRY, Verdict.INFO, "no ServiceEntry in the scope of " + proxy + " declares "
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
                stop(HopKind.SERVICE_ENTRY, se.ref() + " has resolution " + se.resolution() + ": a gateway cannot pass "
                        + "through to the original destination, and its cluster has no endpoint: 503 UH or a reset",
                        objects, details, Catalogue.EG101);
                return;
            }
            if (!viaGateway && protocol == null) {
                if (!outbound(proxyNamespace, objects, details, se.ref() + " declares " + host + " but not port " + port)) {
                    add(HopKind.SERVICE_ENTRY, Verdict.INFO, se.ref() + " declares " + host + " but not port " + port
                                    + ": outboundTrafficPolicy ALLOW_ANY passes it through (PassthroughCluster)", objects,
                            details, null, null);
                }
                return;
            }
            if (viaGateway && protocol == null) {
                stop(HopKind.SERVICE_ENTRY, se.ref() + " does not declare port " + port + ": the gateway has no cluster for "
                        + host + ":" + port + " (503)", objects, details, hostname ? Catalogue.EG504 : Catalogue.EG102);
                return;
            }
            String resolution = switch (se.resolution()) {
                case "NONE" -> "connects to the address the application resolved";
                case "STATIC" -> "connects to the ServiceEntry's endpoints";
                default -> "resolves " + host + " by DNS and connects to it";
            };
            add(HopKind.SERVICE_ENTRY, Verdict.OK, se.ref() + " declares " + host + ":" + port
                    + (protocol == null || protocol.isEmpty() ? "" : " (" + protocol + ")") + "; " + proxy + " " + resolution,
                    objects, details, null, null);
        }

        // ------------------------------------------------------------ NetworkPolicy verdicts, and the end

        Trace finish(Trace.Path path, GatewayWorkload gateway, RouteDestination dest, String external, int externalPort) {
            boolean wasStopped = stopped;
            policyHops(path, gateway, dest, external, externalPort);
            List<Hop> attached = attach(hops);
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
            Trace t = new Trace(q, path, reached, outcome, attached);
            if (reached && t.broken()) {
                Hop first = t.firstBroken().orElseThrow();
                return new Trace(q, path, true, outcome + ", but " + first.kind().title() + " is flagged"
                        + (first.code() == null ? "" : " (" + first.code() + ")"), attached);
            }
            return t;
        }

        void policyHops(Trace.Path path, GatewayWorkload gateway, RouteDestination dest, String external, int externalPort) {
            PodEgress pod = new PodEgress(s, q.namespace(), q.podLabels());
            List<ObjectRef> policies = pod.policies();
            String labels = q.labelsGiven() ? " with labels " + q.podLabels() : "";
            List<String> base = new ArrayList<>();
            if (!q.labelsGiven() && s.networkPolicies(q.namespace()).size() > policies.size()) {
                base.add("policies with a podSelector were judged for a pod without labels: give them with --from "
                        + q.namespace() + "/key=value");
            }
            if (path == Trace.Path.EGRESS_GATEWAY) {
                int servicePort = dest.effectivePort(q.port());
                Integer podPort = gateway.targetPort(servicePort);
                PodEgress.Result r = pod.toPods(gateway.namespace(), gateway.podLabels(), podPort, "TCP");
                String what = "pods in " + q.namespace() + labels + " to the egress gateway pods (" + gateway.namespace()
                        + (podPort == null ? "" : ", pod port " + podPort) + ")";
                if (r.allowed()) {
                    add(HopKind.POLICY_TO_GATEWAY, Verdict.OK, what + ": " + allowedText(r), policies, base, null, null);
                } else {
                    add(HopKind.POLICY_TO_GATEWAY, Verdict.BROKEN, what + ": blocked", policies, base, Catalogue.EG604,
                            Catalogue.EG604.fix());
                }
            }
            PodEgress.Result udp = pod.toPods(PodEgress.DNS_NAMESPACE, null, PodEgress.DNS_PORT, "UDP");
            PodEgress.Result tcp = pod.toPods(PodEgress.DNS_NAMESPACE, null, PodEgress.DNS_PORT, "TCP");
            String dns = "pods in " + q.namespace() + labels + " to DNS (" + PodEgress.DNS_NAMESPACE + ", port "
                    + PodEgress.DNS_PORT + ")";
            if (udp.allowed() && tcp.allowed()) {
                add(HopKind.POLICY_TO_DNS, Verdict.OK, dns + ": " + allowedText(udp), policies, base, null, null);
            } else if (udp.allowed() || tcp.allowed()) {
                add(HopKind.POLICY_TO_DNS, Verdict.INFO, dns + ": allowed over " + (udp.allowed() ? "UDP" : "TCP")
                        + " only", policies, base, null, null);
            } else {
                add(HopKind.POLICY_TO_DNS, Verdict.BROKEN, dns + ": blocked, names do not resolve", policies, base,
                        Catalogue.EG601, Catalogue.EG601.fix());
            }
            PodEgress.Result net = pod.toInternet(externalPort);
            String internet = "pods in " + q.namespace() + labels + " to " + external + ":" + externalPort;
            List<String> details = new ArrayList<>(base);
            if (path == Trace.Path.EGRESS_GATEWAY) {
                switch (net.verdict()) {
                    case BLOCKED -> add(HopKind.POLICY_TO_INTERNET, Verdict.OK, internet + ": blocked, only the egress gateway "
                            + "reaches it", policies, details, null, null);
                    case DEPENDS -> {
                        details.add("ipBlocks " + net.detail() + " may cover its addresses");
                        add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed only if its addresses fall in an "
                                + "ipBlock", policies, details, null, null);
                    }
                    case ALLOWED -> add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed directly, pods without "
                            + "a sidecar can bypass the egress gateway", policies, details, null, null);
                    case UNRESTRICTED -> add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": no NetworkPolicy restricts "
                            + "egress, pods without a sidecar can bypass the egress gateway", policies, details, null, null);
                }
            } else if (path == Trace.Path.DIRECT) {
                switch (net.verdict()) {
                    case BLOCKED -> {
                        Catalogue code = firstBrokenCode(HopKind.SIDECAR_ROUTE);
                        details.add(code == null ? "no egress gateway route exists for " + q.host()
                                + ": route it through an egress gateway, or allow it in a NetworkPolicy"
                                : "the request leaves directly because of the sidecar route (" + code + ")");
                        addCoded(HopKind.POLICY_TO_INTERNET, Verdict.BROKEN, internet + ": blocked, and the request goes there "
                                + "directly", policies, details, code == null ? null : code.code(),
                                code == null ? "Route " + q.host() + " through an egress gateway, or allow it in the pods' "
                                        + "NetworkPolicy." : code.fix());
                    }
                    case DEPENDS -> {
                        details.add("ipBlocks " + net.detail() + " may cover its addresses");
                        add(HopKind.POLICY_TO_INTERNET, Verdict.INFO, internet + ": allowed only if its addresses fall in an "
                                + "ipBlock", policies, details, null, null);
                    }
                    default -> add(HopKind.POLICY_TO_INTERNET, Verdict.OK, internet + ": " + allowedText(net), policies,
                            details, null, null);
                }
            }
        }

        Catalogue firstBrokenCode(HopKind kind) {
            for (Hop h : hops) {
                if (h.kind() == kind && h.verdict() == Verdict.BROKEN && h.code() != null) {
                    return Catalogue.of(h.code()).orElse(null);
                }
            }
            return null;
        }

        String allowedText(PodEgress.Result r) {
            return r.verdict() == PodEgress.Verdict.UNRESTRICTED ? "allowed (no NetworkPolicy restricts egress of these pods)"
                    : "allowed by " + names(r.policies());
        }

        // ------------------------------------------------------------ helpers

        void add(HopKind kind, Verdict verdict, String summary, List<ObjectRef> objects, List<String> details,
                Catalogue code, String fix) {
            addCoded(kind, verdict, summary, objects, details, code == null ? null : code.code(), fix);
        }

        void addCoded(HopKind kind, Verdict verdict, String summary, List<ObjectRef> objects, List<String> details,
                String code, String fix) {
            hops.add(new Hop(kind, verdict, summary, objects, details, code, fix, List.of()));
        }

        /** A hop where the request fails: every later hop on the path is not reached. */
        /**
         * Pods of an ambient namespace have no sidecar: ztunnel carries their traffic over HBONE, to the waypoint the
         * host's ServiceEntry enrols in, or directly. One info hop says which; the path is not analysed further
         * (no route, no NetworkPolicy verdict: pods reach a waypoint on 15008, not the external host).
         */
        Trace ambient(List<String> notes) {
            Optional<ServiceEntryInfo> se = s.serviceEntryFor(q.host(), q.namespace());
            Optional<Waypoints.Enrolment> wp = se.flatMap(x -> Waypoints.enrolment(s, x.ref()));
            List<ObjectRef> objects = new ArrayList<>(List.of(new ObjectRef(Kind.NAMESPACE, null, q.namespace())));
            se.ifPresent(x -> objects.add(x.ref()));
            String via;
            if (wp.isPresent() && wp.get().used()) {
                objects.add(wp.get().gateway());
                via = "to waypoint " + wp.get().gateway() + " over HBONE (port 15008), which connects to " + hostPort();
            } else if (wp.isPresent() && wp.get().exists() && !wp.get().admitted()) {
                objects.add(wp.get().gateway());
                via = "to " + hostPort() + " without a waypoint: " + wp.get().gateway() + " admits only " + wp.get().admits();
            } else if (wp.isPresent() && wp.get().exists()) {
                objects.add(wp.get().gateway());
                via = "to " + hostPort() + " without a waypoint: " + wp.get().gateway() + " serves no service traffic ("
                        + Waypoints.WAYPOINT_FOR + ": " + wp.get().waypointFor() + ")";
            } else if (wp.isPresent()) {
                via = "to waypoint " + wp.get().gateway() + ", which is not in the state";
            } else {
                via = "to " + hostPort() + " without a waypoint (neither " + se.map(x -> "ServiceEntry " + x.ref().name())
                        .orElse("a ServiceEntry") + " nor its namespace carries istio.io/use-waypoint)";
            }
            add(HopKind.ZTUNNEL, Verdict.INFO, "pods in " + q.namespace() + " run in ambient mode (istio.io/dataplane-mode="
                    + "ambient), without sidecars: ztunnel carries the traffic " + via + "; ambient paths are not analysed "
                    + "further", objects, notes, null, null);
            return new Trace(q, Trace.Path.AMBIENT, false, hostPort() + ": ambient mode, path not analysed", attach(hops));
        }

        /**
         * Traffic the sidecar has no listener or cluster for: with outboundTrafficPolicy REGISTRY_ONLY (the
         * namespace's Sidecar or the mesh config) it goes to BlackHoleCluster and the request stops here (true);
         * with ALLOW_ANY it is passed through (false, the caller says so).
         */
        boolean outbound(String namespace, List<ObjectRef> objects, List<String> details, String why) {
            MeshSnapshot.OutboundTrafficPolicy policy = s.outboundTrafficPolicy(namespace);
            details.add("outboundTrafficPolicy " + policy.mode() + " for sidecars in " + namespace
                    + (policy.source() == null ? " (Istio's default)" : " (set by " + policy.source() + ")"));
            if (!policy.registryOnly()) {
                return false;
            }
            List<ObjectRef> all = new ArrayList<>(objects);
            all.add(policy.source());
            add(HopKind.SERVICE_ENTRY, Verdict.BROKEN, why + ": outboundTrafficPolicy REGISTRY_ONLY sends it to "
                    + "BlackHoleCluster (502 for HTTP, a reset otherwise)", all, details, null,
                    "Declare the host in a ServiceEntry that the sidecars of " + namespace + " see (exported to the "
                            + "namespace and imported by its Sidecar's egress.hosts), or route it to the egress gateway.");
            stopped = true;
            return true;
        }

        void stop(HopKind kind, String summary, List<ObjectRef> objects, List<String> details, Catalogue code) {
            add(kind, Verdict.BROKEN, summary, objects, details, code, code.fix());
            stopped = true;
        }

        String hostPort() {
            return q.host() + ":" + q.port();
        }
    }

    /**
     * Attaches to each hop the findings on its objects whose codes judge that hop (each finding once). A
     * warning or error on a hop that the path itself passes makes the hop broken, named by that finding.
     */
    private List<Hop> attach(List<Hop> hops) {
        Set<Finding> used = new LinkedHashSet<>();
        List<Hop> out = new ArrayList<>();
        for (Hop h : hops) {
            List<Finding> mine = new ArrayList<>();
            for (Finding f : findings) {
                if (!used.contains(f) && !PER_CLIENT.contains(f.code()) && h.kind().judgedBy(f.code())
                        && h.objects().contains(f.object())) {
                    mine.add(f);
                    used.add(f);
                }
            }
            Verdict verdict = h.verdict();
            String code = h.code();
            String fix = h.fix();
            if (verdict != Verdict.BROKEN && verdict != Verdict.SKIPPED) {
                Optional<Finding> worst = mine.stream().filter(f -> f.severity() != Severity.INFO).findFirst();
                if (worst.isPresent()) {
                    verdict = Verdict.BROKEN;
                    code = worst.get().code();
                    fix = Catalogue.of(code).map(Catalogue::fix).orElse(null);
                }
            }
            out.add(h.withFindings(mine, verdict, code, fix));
        }
        return out;
    }

    /** The Sidecar that scopes a namespace's proxies, named for a detail line. */
    private String sidecarOf(String namespace) {
        return s.sidecarScope(namespace).map(x -> x.ref().toString()).orElse("the Sidecar");
    }

    /** Why a Gateway API route does not attach to the Gateway of {@code gateway}, by its parentRefs naming it. */
    private Optional<String> attachmentProblem(ObjectRef route, Binding gateway) {
        if (gateway.type() != Binding.Type.KUBERNETES_GATEWAY) {
            return Optional.empty();
        }
        Resource r = s.resource(route).orElse(null);
        if (r == null) {
            return Optional.empty();
        }
        Optional<String> problem = Optional.empty();
        for (var p : GatewayApiRoutes.parentRefs(r.object())) {
            if (p == null || p.getName() == null || !GatewayApiRoutes.isGatewayRef(p)
                    || !GatewayApiRoutes.gatewayBinding(route, p).equals(gateway)) {
                continue;
            }
            problem = GatewayApiRoutes.attachmentProblem(s, r, p);
            if (problem.isEmpty()) {
                return problem; // one parentRef that attaches is enough
            }
        }
        return problem;
    }

    /** {@code VirtualService default/x spec.http[0].match[0]}. */
    private static String describe(RouteRule r) {
        return r.source() + " " + r.path();
    }

    private static String portSuffix(Integer port) {
        return port == null ? "" : ":" + port;
    }

    private static String names(List<?> items) {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            out.add(o instanceof DestinationRuleInfo d ? d.ref().namespace() + "/" + d.ref().name() : o.toString());
        }
        return String.join(", ", out);
    }

    static String describe(RouteRule.SourceMatch m) {
        return (m.namespace() == null ? "any namespace" : "namespace " + m.namespace())
                + (m.labels().isEmpty() ? "" : " with pod labels " + m.labels());
    }
}
