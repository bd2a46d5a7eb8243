package io.egressguard.explain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to trace: a pod (its namespace, optionally its labels) sending to {@code host:port} with a protocol.
 *
 * @param namespace the client namespace, whose sidecars apply the first hop
 * @param podLabels the pod's labels, for NetworkPolicy podSelectors ({@code {}} when not given)
 * @param host      the external host, as the application addresses it
 * @param port      the port the application connects to
 * @param protocol  {@code http} (plain HTTP, matched by {@code http} routes) or {@code tls} (matched by SNI)
 */
public record TraceRequest(String namespace, Map<String, String> podLabels, String host, int port, String protocol) {

    public static final String HTTP = "http";
    public static final String TLS = "tls";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    public TraceRequest {
        podLabels = Collections.unmodifiableMap(new LinkedHashMap<>(podLabels));
    }

    /** Labels given with {@code --from}: NetworkPolicies with a podSelector are judged against them. */
    public boolean labelsGiven() {
        return !podLabels.isEmpty();
    }

    /**
     * Reads {@code --from NAMESPACE[/key=value,...]}, {@code --to HOST[:PORT]} and {@code --protocol}. Without a
     * port, 80 for http and 443 for tls; without a protocol, tls on 443 and http otherwise.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static TraceRequest parse(String from, String to, String protocol) {
        return parse(from, to, protocol, "--");
    }

    /** As {@link #parse(String, String, String)}; messages name the parameters with {@code prefix} ({@code --} on the command line). */
    public static TraceRequest parse(String from, String to, String protocol, String prefix) {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException(prefix + "from is required: NAMESPACE or NAMESPACE/key=value,...");
        }
        if (to == null || to.isBlank()) {
            throw new IllegalArgumentException(prefix + "to is required: HOST or HOST:PORT");
        }
        String ns = from;
        Map<String, String> labels = new LinkedHashMap<>();
        int slash = from.indexOf('/');
        if (slash >= 0) {
            ns = from.substring(0, slash);
            for (String pair : from.substring(slash + 1).split(",", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(prefix + "from: pod labels must be key=value pairs separated by commas, not '"
                            + pair + "'");
                }
                labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        if (!DNS_LABEL.matcher(ns).matches() || ns.length() > 63) {
            throw new IllegalArgumentException(prefix + "from: '" + ns + "' is not a namespace name");
        }
        String host = to.trim().toLowerCase(Locale.ROOT);
        Integer port = null;
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            String p = host.substring(colon + 1);
            host = host.substring(0, colon);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(prefix + "to: '" + p + "' is not a port number");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(prefix + "to: port " + port + " is out of range (1-65535)");
            }
        }
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException(prefix + "to: '" + host + "' is not a host name");
        }
        String proto = protocol == null ? null : protocol.trim().toLowerCase(Locale.ROOT);
        if (proto != null && !proto.equals(HTTP) && !proto.equals(TLS)) {
            throw new IllegalArgumentException(prefix + "protocol takes http or tls, not '" + protocol + "'");
        }
        if (port == null) {
            port = TLS.equals(proto) ? 443 : 80;
        }
        if (proto == null) {
            proto = port == 443 ? TLS : HTTP;
        }
        return new TraceRequest(ns, labels, host, port, proto);
    }

    /** {@code default -> edition.cnn.com:80 (http)}. */
    @Override
    public String toString() {
        return namespace + (podLabels.isEmpty() ? "" : " " + podLabels) + " -> " + host + ":" + port + " (" + protocol + ")";
    }
}
