package io.egressguard.rules;

import io.egressguard.model.Kind;
import io.egressguard.model.Severity;

import java.util.Optional;

import static io.egressguard.model.Kind.DESTINATION_RULE;
import static io.egressguard.model.Kind.GATEWAY;
import static io.egressguard.model.Kind.HTTP_ROUTE;
import static io.egressguard.model.Kind.KUBERNETES_GATEWAY;
import static io.egressguard.model.Kind.NAMESPACE;
import static io.egressguard.model.Kind.NETWORK_POLICY;
import static io.egressguard.model.Kind.SERVICE_ENTRY;
import static io.egressguard.model.Kind.SIDECAR;
import static io.egressguard.model.Kind.TLS_ROUTE;
import static io.egressguard.model.Kind.VIRTUAL_SERVICE;
import static io.egressguard.model.Severity.ERROR;
import static io.egressguard.model.Severity.INFO;
import static io.egressguard.model.Severity.WARNING;

/**
 * The rule catalogue: every public code with its default severity, the kinds it reports on, and the text
 * of {@code docs/rules.md}. Codes are stable; a retired code stays here, marked retired.
 */
public enum Catalogue {
    EG001(WARNING, "Unknown field",
            "A field the kind's schema does not have. Istio's and Gateway API's CRDs have complete schemas: the API "
                    + "server rejects the object under kubectl's default strict field validation, or silently drops the "
                    + "field for other clients (`gateway:` for `gateways:` then binds a VirtualService to `mesh` only). "
                    + "A snake_case spelling or a near miss of a known field is a warning; any other unknown field is "
                    + "info, since the cluster's CRDs may be newer than egress-guard.",
            "Spell the field as the schema does (e.g. `gateways`, `sniHosts`).", SERVICE_ENTRY, VIRTUAL_SERVICE,
            DESTINATION_RULE, GATEWAY, KUBERNETES_GATEWAY, HTTP_ROUTE, TLS_ROUTE),
    EG101(ERROR, "ServiceEntry resolution NONE behind an egress gateway",
            "ServiceEntry `resolution: NONE` (also the default when unset) lets a sidecar forward to the original "
                    + "destination IP, but a gateway cannot use passthrough clusters: it gets an EDS cluster, and a NONE "
                    + "entry without `endpoints` has no endpoint. The gateway's cluster is empty: 503 UH (no healthy "
                    + "upstream) for HTTP, an immediate connection reset for TLS.",
            "Use `resolution: DNS` on a ServiceEntry for the exact host the gateway forwards to (a wildcard entry "
                    + "never serves a gateway route).", SERVICE_ENTRY, VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE),
    EG102(WARNING, "Gateway hop forwards to a port the ServiceEntry lacks",
            "The egress gateway route forwards host H on port P, but no ServiceEntry for H declares P: the gateway "
                    + "has no cluster for H:P and answers 503 / resets the connection.",
            "Add port P to the ServiceEntry, or forward to a port it declares.", VIRTUAL_SERVICE),
    EG103(WARNING, "ServiceEntry protocol contradicts the gateway hop",
            "The ServiceEntry port protocol disagrees with how the gateway carries the traffic: a plain-text protocol "
                    + "(HTTP) behind a TLS passthrough route, or an opaque `TLS` port behind an HTTP route without TLS "
                    + "origination. Envoy builds the wrong filter chain for the upstream.",
            "Declare the port as the gateway carries it: `TLS`/`HTTPS` for passthrough, `HTTP` (with a DestinationRule "
                    + "originating TLS if needed) for HTTP routes.", SERVICE_ENTRY),
    EG104(WARNING, "ServiceEntry hidden from the clients of its mesh route",
            "A sidecar builds listeners only for the services exported to its namespace (a ServiceEntry's own "
                    + "namespace included only when its exportTo lists `.`). A `tls` or `tcp` mesh route (or `http` on a port other than 80) for a host "
                    + "whose ServiceEntry is hidden from the client namespace has no listener: the route is never used "
                    + "and the host leaves directly, bypassing the egress gateway.",
            "Export the ServiceEntry to the client namespaces (or drop exportTo).", SERVICE_ENTRY),
    EG105(WARNING, "TCP ServiceEntry port without addresses",
            "A ServiceEntry port with protocol TCP (or none) and no `addresses` gets an outbound listener on "
                    + "0.0.0.0:<port> at every sidecar that imports it: without DNS capture, every connection to that "
                    + "port that no other listener claims goes to this host. Auto-allocated addresses "
                    + "(`status.addresses`) are used only by proxies that capture DNS.",
            "Set `spec.addresses`, or enable DNS capture (ISTIO_META_DNS_CAPTURE and auto-allocation).", SERVICE_ENTRY),
    EG106(WARNING, "Host and port declared with two protocols",
            "Two ServiceEntries declare the same host and port with different protocols. Pilot keeps one service per "
                    + "host and namespace and merges the entries' ports; the protocol the sidecars end up with is not "
                    + "what one of the authors wrote, and routes written for the other protocol never match (with an "
                    + "HTTP and a TCP declaration, Istio's own simulation passes the traffic through, bypassing the HTTP "
                    + "routes to the egress gateway).",
            "Declare each host and port once, with one protocol.", SERVICE_ENTRY),
    EG107(WARNING, "ServiceEntry enrolled in a waypoint that does not take it",
            "In ambient mode a ServiceEntry uses the waypoint its `istio.io/use-waypoint` label names (else its "
                    + "namespace's label), in `istio.io/use-waypoint-namespace` if set. The waypoint's HBONE listener "
                    + "admits only its own namespace unless `allowedRoutes` says otherwise: from another namespace the "
                    + "attachment is denied (status reason AttachmentDenied). A waypoint labelled `istio.io/waypoint-for: "
                    + "workload` or `none` serves no service traffic (UnsupportedTrafficType); `service` (the default) and "
                    + "`all` do. In a cluster's state, a waypoint Gateway that does not exist is reported too "
                    + "(WaypointIsNotReady). In each case the entry gets no waypoint and ztunnel sends its traffic "
                    + "directly, past the egress waypoint and its policies.",
            "Set `allowedRoutes: {namespaces: {from: All}}` (or a selector matching this namespace) on the waypoint's "
                    + "HBONE listener, or declare the ServiceEntry in the waypoint's namespace; label the waypoint "
                    + "`istio.io/waypoint-for: service` (or `all`); create the waypoint the label names.", SERVICE_ENTRY),
    EG201(WARNING, "Egress gateway route without a mesh route",
            "The VirtualService is bound to an egress gateway but not to `mesh`, and no other route sends the host's "
                    + "mesh traffic to that gateway: sidecars never send to the gateway, traffic leaves directly.",
            "Add `mesh` to `spec.gateways` with a route (match `gateways: [mesh]`) to the egress gateway Service, or "
                    + "add such a VirtualService.", VIRTUAL_SERVICE),
    EG202(ERROR, "Route to the egress gateway also applies at the gateway",
            "A route without a gateway match applies to every gateway of the VirtualService. When it sends to the "
                    + "egress gateway Service and the VirtualService is bound to both `mesh` and the egress gateway, the "
                    + "gateway routes the traffic to itself: a loop.",
            "Give the route `match: [{gateways: [mesh]}]` and add a separate route matching the gateway that forwards "
                    + "to the external host.", VIRTUAL_SERVICE),
    EG203(WARNING, "Route to the external host also applies to sidecars",
            "A route without a gateway match applies to `mesh` and the egress gateway alike. Its destination is the "
                    + "external host, so sidecars send straight to it and skip the gateway.",
            "Restrict the route with `match: [{gateways: [<egress gateway>]}]` and add a `mesh` route to the egress "
                    + "gateway Service.", VIRTUAL_SERVICE),
    EG204(WARNING, "Mesh route to the egress gateway with no gateway route",
            "Sidecars send host H on port P to the egress gateway, but no route bound to that gateway serves H on P: "
                    + "the gateway answers 404 (HTTP) or resets the connection (TLS).",
            "Add a route bound to the egress gateway (match `gateways: [<gateway>]`, `port: P`) that forwards H.",
            VIRTUAL_SERVICE, HTTP_ROUTE, TLS_ROUTE),
    EG205(WARNING, "Gateway route that mesh traffic never reaches",
            "The VirtualService forwards H on port P at the egress gateway and is bound to `mesh`, but no mesh route "
                    + "for H sends traffic to the gateway on P: the gateway hop is dead and traffic leaves directly.",
            "Add a route matching `gateways: [mesh]` that sends H to the egress gateway Service on port P.",
            VIRTUAL_SERVICE),
    EG206(WARNING, "Subset of the egress gateway not found by some clients",
            "The mesh route names a subset of the egress gateway Service, but Istio's DestinationRule lookup for "
                    + "clients in some namespaces finds no rule defining it (it searches the client namespace, then the "
                    + "gateway's namespace, then the root namespace): those clients get 503. Clients are the namespaces whose "
                    + "sidecars apply the route: it is exported to them and their Sidecar, if any, imports it.",
            "Define the subset in a DestinationRule in each listed namespace, or once in the gateway's namespace or "
                    + "the root namespace exported to them.", VIRTUAL_SERVICE),
    EG207(WARNING, "Gateway not found",
            "The VirtualService names a Gateway that does not exist (a name without `/` is looked up in the "
                    + "VirtualService's namespace), or a Gateway API Gateway, to which VirtualServices never bind: "
                    + "routes for it are never applied.",
            "Create the Gateway, or name it as `<namespace>/<name>`; for a Gateway API Gateway attach an HTTPRoute or "
                    + "TLSRoute to it instead.", VIRTUAL_SERVICE),
    EG208(WARNING, "VirtualService hosts not served by the Gateway",
            "No host of the VirtualService matches a host of the referenced Gateway's servers (respecting `ns/host` "
                    + "restrictions): the gateway ignores this VirtualService.",
            "Make the Gateway server hosts and the VirtualService hosts agree.", VIRTUAL_SERVICE),
    EG209(WARNING, "Route section does not match the protocol",
            "`http` routes only match where the proxy sees HTTP, `tls` routes only where it sees TLS by SNI. An `http` "
                    + "route on a TLS passthrough server, a `tls` route on an HTTP server, or a mesh `http` match on a "
                    + "port the ServiceEntry declares TLS/HTTPS never matches.",
            "Use the section that matches the protocol: `tls` with `sniHosts` for passthrough, `http` for HTTP.",
            VIRTUAL_SERVICE),
    EG210(WARNING, "Egress gateway port not exposed",
            "The route sends to the egress gateway Service on a port that the Service does not expose, or that no "
                    + "server of the gateway's Gateways listens on: the connection fails.",
            "Use a port the egress gateway Service exposes and a Gateway server listens on (80 and 443 by default).",
            VIRTUAL_SERVICE),
    EG211(WARNING, "exportTo hides the VirtualService",
            "A VirtualService applies only to proxies in namespaces it is exported to. Hidden from the egress gateway's "
                    + "namespace, the gateway hop is ignored; hidden from a namespace prepared as a client, its sidecars "
                    + "never route to the gateway.",
            "Add the gateway's namespace (and client namespaces) to `exportTo`, or remove `exportTo`.", VIRTUAL_SERVICE),
    EG212(WARNING, "Gateway forwards to a host with no ServiceEntry",
            "The gateway hop forwards to a host that no ServiceEntry visible to the gateway declares: it is unknown "
                    + "to the mesh registry, the gateway has no cluster for it: 503 for HTTP, a reset for TLS (outboundTrafficPolicy "
                    + "concerns sidecars only: a gateway never routes to unknown hosts).",
            "Add a ServiceEntry (resolution DNS) for the host.", VIRTUAL_SERVICE),
    EG213(WARNING, "Partial service name taken literally",
            "A host with dots is taken literally: Istio does not expand `istio-egressgateway.istio-system` to the "
                    + "Service's FQDN, so it matches no service.",
            "Write the full name `<service>.<namespace>.svc.cluster.local`.", VIRTUAL_SERVICE, DESTINATION_RULE),
    EG214(WARNING, "Sidecar does not import the mesh route to the egress gateway",
            "A Sidecar without workloadSelector sets what the proxies of its namespace see (the root namespace's "
                    + "Sidecar: of every namespace without one); one with a workloadSelector, what the pods it selects see "
                    + "(it replaces the namespace's for them; the oldest selecting a pod wins). A VirtualService is imported only when one of its hosts "
                    + "is listed in `egress[].hosts` under the VirtualService's namespace or `*/`. The mesh route to the "
                    + "egress gateway is then never applied: with outboundTrafficPolicy ALLOW_ANY (Istio's default) the "
                    + "traffic leaves directly, bypassing the gateway; with REGISTRY_ONLY the sidecar answers 502 / resets "
                    + "it. Routes written in another client namespace are that team's own and are not judged: a Sidecar "
                    + "keeping its proxies to their own configuration (`./*`) leaves them out on purpose.",
            "Add the VirtualService's namespace and host to the Sidecar's `egress[].hosts` (e.g. `egress-config/edition.cnn.com`), "
                    + "or move the VirtualService to a namespace the Sidecar imports.", SIDECAR),
    EG215(WARNING, "Sidecar does not import the ServiceEntry of a tls/tcp mesh route",
            "A sidecar builds listeners only for the services its Sidecar's `egress[].hosts` import (the destinations "
                    + "of imported VirtualServices get clusters, not listeners). A `tls` or `tcp` mesh route (or `http` on "
                    + "a port other than 80) for a host whose ServiceEntry is not imported has no listener: the route is "
                    + "never used (ALLOW_ANY: the traffic leaves directly; REGISTRY_ONLY: 502 / reset).",
            "Import the ServiceEntry in the Sidecar's `egress[].hosts` (`<namespace>/<host>`).", SIDECAR),
    EG216(WARNING, "Mesh route to the egress gateway shadowed by another VirtualService",
            "Sidecars take one VirtualService per host and port: those private to their namespace first, then those "
                    + "exported to it, then the public ones, each oldest first; the later ones for the same host are "
                    + "dropped (for `tls`, the first match per SNI wins). An older VirtualService for the external "
                    + "host (a timeout, retries) silently disables the route to the egress gateway.",
            "Merge the two VirtualServices into one.", VIRTUAL_SERVICE),
    EG301(WARNING, "Egress gateway subset defined where clients cannot find it",
            "DestinationRules are looked up in the client's namespace, then the gateway Service's namespace, then the "
                    + "root namespace. A rule defining gateway subsets in another namespace is only found by clients in "
                    + "that namespace: clients elsewhere get 503. A namespace whose Sidecar does not import the route is no "
                    + "client of it.",
            "Move the DestinationRule to the gateway's namespace or the root namespace, or copy it into each client "
                    + "namespace.", DESTINATION_RULE),
    EG302(WARNING, "exportTo hides the egress gateway subsets",
            "The DestinationRule in the gateway's or the root namespace defines subsets that mesh routes use, but its "
                    + "`exportTo` hides it from some client namespaces (whose sidecars apply such a route: exported to them and "
                    + "imported by their Sidecar, if any), which find no subset (503).",
            "Export the DestinationRule to the client namespaces (or remove `exportTo`).", DESTINATION_RULE),
    EG303(WARNING, "DestinationRule shadows the egress gateway subset",
            "The DestinationRule matches the egress gateway host (exactly or by wildcard) in a client namespace but "
                    + "lacks the subset mesh routes use. Istio's lookup stops at the first namespace with a match, so the "
                    + "subset defined elsewhere is never used: 503.",
            "Add the subset to this DestinationRule, or narrow its host.", DESTINATION_RULE),
    EG304(WARNING, "Conflicting DestinationRules for one host",
            "DestinationRules for the same host in one namespace with equal exportTo are merged: a subset defined "
                    + "twice keeps the oldest definition, and only the oldest top-level traffic policy applies. Since "
                    + "Istio 1.24 rules with different exportTo are not merged: proxies that see several apply the newest "
                    + "alone, without the subsets of the others.",
            "Merge them into one DestinationRule, or rename the subset.", DESTINATION_RULE),
    EG305(WARNING, "TLS origination without server verification",
            "The DestinationRule originates TLS to an external host without verifying its certificate "
                    + "(`insecureSkipVerify: true`; or, on Istio before 1.20 or with VERIFY_CERTIFICATE_AT_CLIENT=false, "
                    + "no `caCertificates`/`credentialName`). Since 1.20 Istio verifies against the OS trust bundle by "
                    + "default, so a plain SIMPLE rule is correct.",
            "Remove `insecureSkipVerify`, or set `caCertificates`/`credentialName`.", DESTINATION_RULE),
    EG306(WARNING, "DestinationRule for an unregistered external host",
            "Pilot selects DestinationRules only for the services in a proxy's scope: for an external host that no "
                    + "ServiceEntry declares there is no cluster, and the DestinationRule never applies (TLS origination "
                    + "for it originates nothing). A warning: the ServiceEntry may come later in the same apply.",
            "Add a ServiceEntry (resolution DNS) for the host, or remove the DestinationRule.", DESTINATION_RULE),
    EG307(WARNING, "Egress gateway subset selecting no gateway pod",
            "A subset's endpoints are the service's endpoints whose labels include the subset's labels: labels that "
                    + "no egress gateway pod carries give an empty cluster, 503 UH (no healthy upstream). Judged only "
                    + "when the gateway's pods are in the state.",
            "Remove the subset's labels (the task's subset has none) or use labels of the gateway pods.",
            DESTINATION_RULE),
    EG401(WARNING, "Egress Gateway selects no workload",
            "The Gateway's selector matches no gateway pod in the cluster: its servers are configured nowhere.",
            "Fix the selector (default egress gateway: `istio: egressgateway`) or install the egress gateway.", GATEWAY),
    EG402(WARNING, "Gateway server port not exposed by the egress gateway Service",
            "Sidecars reach the egress gateway through its Service. A server port equal to a Service port listens on "
                    + "that port's targetPort; any other server port listens as written (pilot resolvePorts). A server "
                    + "on a pod port that no Service port targets is unreachable.",
            "Use a port of the egress gateway Service (80, 443 by default) or expose the port.", GATEWAY),
    EG403(WARNING, "Gateway TLS mode contradicts its routes",
            "`tls` (SNI) routes need a PASSTHROUGH server; a server that terminates TLS (or is plain HTTP) only "
                    + "matches `http` routes, and a PASSTHROUGH server only `tls` routes.",
            "Use `tls.mode: PASSTHROUGH` for application-originated TLS, or route with `http`.", GATEWAY),
    EG404(WARNING, "Egress Gateway without selector",
            "A Gateway without `selector` applies to every gateway workload of the mesh, from any namespace: the "
                    + "egress gateway, but also ingress gateways, usually reachable from outside through a "
                    + "LoadBalancer. Its servers and the routes bound to it then forward external hosts from there: "
                    + "an open egress proxy.",
            "Set `selector: {istio: egressgateway}` (the labels of the egress gateway pods).", GATEWAY),
    EG405(WARNING, "Gateway server skipped: its TLS hosts duplicate an older Gateway's",
            "When pilot merges the Gateways of one proxy (oldest first), a server with `tls` whose hosts repeat a "
                    + "host that an earlier TLS server already serves on the same port is skipped as a whole (\"duplicate "
                    + "host names\"): Envoy cannot have two filter chains with the same SNI. Routes bound only to the "
                    + "skipped server's Gateway are never used; the kept server answers with the routes of its own "
                    + "Gateway.",
            "Serve each TLS host on a port from one Gateway only: bind the routes to the existing Gateway, or delete "
                    + "the older one.", GATEWAY),
    EG406(ERROR, "HTTPS or TLS Gateway server without tls",
            "Istio's validation rejects a Gateway server with protocol HTTPS or TLS and no `tls` block (\"server must "
                    + "have TLS settings for HTTPS/TLS protocols\"): istiod refuses the Gateway.",
            "Add `tls: {mode: PASSTHROUGH}` for TLS that the application originates (or SIMPLE/ISTIO_MUTUAL with "
                    + "credentials).", GATEWAY),
    EG501(WARNING, "Gateway API egress gateway exposed outside the cluster",
            "Without the annotation `networking.istio.io/service-type: ClusterIP`, Istio gives a Gateway API Gateway "
                    + "a LoadBalancer Service: an egress proxy reachable from outside the cluster.",
            "Annotate the Gateway with `networking.istio.io/service-type: ClusterIP`.", KUBERNETES_GATEWAY),
    EG502(WARNING, "Route parent ServiceEntry not found",
            "A route's parentRef names a ServiceEntry that does not exist (the namespace defaults to the route's): "
                    + "the mesh route applies to no host.",
            "Create the ServiceEntry or fix the parentRef.", HTTP_ROUTE, TLS_ROUTE),
    EG503(WARNING, "Backend is not an egress gateway Service",
            "Istio deploys a Gateway API Gateway `<gw>` with the Service `<gw>-istio`. The mesh route's backend names "
                    + "such a Service, but no Gateway `<gw>` of class istio exists, or the port is no listener port.",
            "Point the backendRef at `<gateway-name>-istio` with a listener port.", HTTP_ROUTE, TLS_ROUTE),
    EG504(WARNING, "Hostname backend without a ServiceEntry",
            "A `Hostname` backend (group networking.istio.io) names a host that no ServiceEntry declares, or a port "
                    + "the ServiceEntry lacks: the gateway cannot forward it.",
            "Declare the host and port in a ServiceEntry.", HTTP_ROUTE, TLS_ROUTE),
    EG505(WARNING, "Route cannot attach to the Gateway",
            "The route does not attach to the Gateway: it does not exist, hostnames do not intersect the listener "
                    + "hostname, the route kind does not fit the listener protocol (HTTPRoute needs HTTP/HTTPS, TLSRoute "
                    + "a TLS Passthrough listener), or `allowedRoutes` excludes the route's namespace.",
            "Align hostnames, protocol and allowedRoutes with the listener.", HTTP_ROUTE, TLS_ROUTE),
    EG506(WARNING, "Unsupported backendRef kind",
            "Istio sends a Gateway API route only to backends of kind Service or Hostname (group "
                    + "networking.istio.io), plus ServiceImport and InferencePool; any other kind, ServiceEntry "
                    + "included, leaves the route without destination: HTTP requests get 500.",
            "Use `{group: networking.istio.io, kind: Hostname, name: <external host>, port: <port>}`.", HTTP_ROUTE,
            TLS_ROUTE),
    EG601(WARNING, "NetworkPolicy blocks DNS",
            "Once an egress policy selects a pod, only what its rules allow leaves the pod. No rule allows port 53, "
                    + "so the pods cannot resolve names and every external call fails.",
            "Add an egress rule to kube-dns (namespace kube-system) on port 53 UDP and TCP.", NETWORK_POLICY),
    EG602(WARNING, "NetworkPolicy blocks the Istio control plane",
            "Sidecars fetch their configuration from istiod (root namespace, port 15012). An egress policy in a "
                    + "sidecar-injected namespace that does not allow it leaves sidecars without configuration.",
            "Allow egress to the root namespace (istiod) on port 15012.", NETWORK_POLICY),
    EG603(WARNING, "namespaceSelector matches no namespace",
            "The egress peer selects namespaces by labels that no namespace has (for example `kube-system: \"true\"` "
                    + "before anyone labels kube-system): the rule allows nothing.",
            "Label the namespace, or select it with `kubernetes.io/metadata.name: <name>`.", NETWORK_POLICY),
    EG604(WARNING, "NetworkPolicy blocks the egress gateway",
            "Pods of this namespace route external traffic through an egress gateway (a mesh route exported to the "
                    + "namespace and imported by its Sidecar, if any), but the policy does not allow the gateway's pods "
                    + "(on their target ports): traffic through the gateway is blocked.",
            "Allow egress to the egress gateway pods' namespace (and ports).", NETWORK_POLICY),
    EG605(WARNING, "NetworkPolicy lets pods bypass the egress gateway",
            "A rule with no `to`, or an ipBlock `0.0.0.0/0` / `::/0`, lets pods reach the internet directly: a pod "
                    + "that skips its sidecar bypasses the egress gateway.",
            "Restrict egress to kube-dns, istiod and the egress gateway.", NETWORK_POLICY),
    EG606(INFO, "DNS over UDP only",
            "DNS is allowed over UDP port 53 only; answers too large for UDP are retried over TCP 53 and fail.",
            "Allow TCP 53 as well.", NETWORK_POLICY),
    EG901(WARNING, "Egress gateway can be bypassed (audit)",
            "The namespace's sidecars route external traffic through an egress gateway (a mesh route exported to the "
                    + "namespace and imported by its Sidecar, if any), but no egress NetworkPolicy "
                    + "covers all its pods. Istio only steers traffic that passes through a sidecar: a pod without "
                    + "one, or that bypasses it, reaches the internet directly and the gateway's control is lost. "
                    + "Reported by the audit (whole-cluster view), not on single changes.",
            "Add an egress NetworkPolicy with `podSelector: {}` allowing only DNS, istiod and the egress gateway.",
            NAMESPACE);

    private final Severity defaultSeverity;
    private final String title;
    private final String description;
    private final String fix;
    private final Kind[] reportsOn;

    /** Codes judged on the whole cluster only (audit, and `check` with --audit), never on single changes. */
    public boolean auditOnly() {
        return code().startsWith("EG9");
    }

    Catalogue(Severity defaultSeverity, String title, String description, String fix, Kind... reportsOn) {
        this.defaultSeverity = defaultSeverity;
        this.title = title;
        this.description = description;
        this.fix = fix;
        this.reportsOn = reportsOn;
    }

    public String code() {
        return name();
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public String fix() {
        return fix;
    }

    public Kind[] reportsOn() {
        return reportsOn.clone();
    }

    public static Optional<Catalogue> of(String code) {
        for (Catalogue c : values()) {
            if (c.name().equalsIgnoreCase(code)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
