package io.egressguard.istio;

import java.util.Collection;
import java.util.Optional;

/**
 * Istio's host name rules.
 *
 * <p>A VirtualService or DestinationRule host without dots is short for
 * {@code <name>.<namespace of the rule>.svc.cluster.local}; a host with dots is taken literally (Istio does
 * not expand {@code istio-egressgateway.istio-system}). A leading {@code *.} is a wildcard that covers every
 * host with that suffix; {@code *} alone covers everything.
 */
public final class Hosts {

    public static final String CLUSTER_DOMAIN = "svc.cluster.local";

    private Hosts() {
    }

    /** The fully qualified name Istio uses for {@code host} written in an object of {@code namespace}. */
    public static String fqdn(String host, String namespace) {
        if (host == null || host.isEmpty() || host.contains(".") || host.startsWith("*")) {
            return host;
        }
        return host + "." + namespace + "." + CLUSTER_DOMAIN;
    }

    /** The Kubernetes Service FQDN. */
    public static String serviceHost(String name, String namespace) {
        return name + "." + namespace + "." + CLUSTER_DOMAIN;
    }

    /** The namespace of a Kubernetes Service FQDN, or empty for any other host. */
    public static Optional<String> serviceNamespace(String host) {
        String suffix = "." + CLUSTER_DOMAIN;
        if (host == null || !host.endsWith(suffix)) {
            return Optional.empty();
        }
        String[] labels = host.substring(0, host.length() - suffix.length()).split("\\.");
        return labels.length == 2 ? Optional.of(labels[1]) : Optional.empty();
    }

    public static boolean isWildcard(String host) {
        return host != null && host.startsWith("*");
    }

    /** True when {@code pattern} (maybe a wildcard) covers every name {@code host} stands for. */
    public static boolean covers(String pattern, String host) {
        if (pattern == null || host == null) {
            return false;
        }
        if (pattern.equals("*") || pattern.equals(host)) {
            return true;
        }
        if (!isWildcard(pattern)) {
            return false;
        }
        String suffix = pattern.substring(1); // ".example.com"
        if (isWildcard(host)) {
            return host.substring(1).endsWith(suffix) && host.length() > pattern.length();
        }
        return host.endsWith(suffix);
    }

    /** True when the two host patterns share at least one name. */
    public static boolean intersect(String a, String b) {
        return covers(a, b) || covers(b, a);
    }

    /**
     * Istio's {@code MostSpecificHostMatch}: an exact match wins, otherwise the longest wildcard that
     * covers {@code host}.
     */
    public static Optional<String> mostSpecificMatch(String host, Collection<String> candidates) {
        if (candidates.contains(host)) {
            return Optional.of(host);
        }
        String best = null;
        for (String c : candidates) {
            if (isWildcard(c) && covers(c, host) && (best == null || c.length() > best.length())) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }
}
