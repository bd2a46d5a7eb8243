package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.model.ObjectRef;

import java.util.List;
import java.util.Locale;

/**
 * A server of an Istio {@code Gateway} or a listener of a Gateway API {@code Gateway}, normalised.
 *
 * @param gateway  the Gateway object
 * @param binding  the binding routes use to attach to it
 * @param path     field path, e.g. {@code spec.servers[0]} or {@code spec.listeners[0]}
 * @param name     the listener name (Gateway API sectionName) or the server port name
 * @param port     the port number (the gateway Service port)
 * @param protocol upper-case protocol: HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, ...
 * @param tlsMode  upper-case TLS mode (PASSTHROUGH, SIMPLE, ISTIO_MUTUAL, TERMINATE, ...), or null
 * @param hosts    server hosts, {@code namespace/} prefixes kept (Istio API); listener hostname or {@code *}
 */
public record GatewayServer(ObjectRef gateway, Binding binding, String path, String name, int port, String protocol,
        String tlsMode, List<String> hosts) {

    public GatewayServer {
        protocol = protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
        tlsMode = tlsMode == null ? null : tlsMode.toUpperCase(Locale.ROOT);
        // a null entry (`hosts: [null]` in a file) names no host; the API server's schema would have refused it
        hosts = hosts.stream().filter(java.util.Objects::nonNull).toList();
    }

    /**
     * A Gateway API listener as a server. Its TLS mode defaults to Terminate when a {@code tls} block or the
     * HTTPS protocol says TLS is terminated; without either there is no TLS mode.
     */
    public static GatewayServer ofListener(ObjectRef gateway, Binding binding, String path,
            io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener l) {
        String mode = l.getTls() != null ? (l.getTls().getMode() == null ? "TERMINATE" : l.getTls().getMode())
                : "HTTPS".equalsIgnoreCase(l.getProtocol()) ? "TERMINATE" : null;
        return new GatewayServer(gateway, binding, path, l.getName(), l.getPort() == null ? 0 : l.getPort(), l.getProtocol(),
                mode, List.of(l.getHostname() == null ? "*" : l.getHostname()));
    }

    /** The gateway passes TLS through untouched: only SNI ({@code tls}) routes can match. */
    public boolean passthrough() {
        return tlsMode != null && tlsMode.contains("PASSTHROUGH");
    }

    /** The gateway sees HTTP (plain, or after terminating TLS): {@code http} routes apply. */
    public boolean servesHttp() {
        return switch (protocol) {
            case "HTTP", "HTTP2", "GRPC", "GRPC-WEB" -> true;
            case "HTTPS" -> !passthrough();
            default -> false;
        };
    }

    /** The gateway handles TLS by SNI without terminating it: {@code tls} routes apply. */
    public boolean servesTlsPassthrough() {
        return ("TLS".equals(protocol) || "HTTPS".equals(protocol)) && (passthrough() || tlsMode == null && "TLS".equals(protocol));
    }

    /**
     * True when a route written in {@code routeNamespace} for {@code host} is accepted by this server.
     * Istio API server hosts may carry a namespace: {@code *}/host, {@code .}/host (the Gateway's
     * namespace) or {@code ns/host}.
     */
    public boolean acceptsHost(String host, String routeNamespace) {
        for (String h : hosts) {
            String hostPart = h;
            int slash = h.indexOf('/');
            if (slash >= 0) {
                String ns = h.substring(0, slash);
                hostPart = h.substring(slash + 1);
                boolean nsOk = ns.equals("*") || ns.equals(routeNamespace)
                        || (ns.equals(".") && gateway.namespace().equals(routeNamespace));
                if (!nsOk) {
                    continue;
                }
            }
            if (Hosts.intersect(hostPart, host)) {
                return true;
            }
        }
        return false;
    }
}
