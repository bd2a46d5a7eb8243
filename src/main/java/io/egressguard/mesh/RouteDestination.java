package io.egressguard.mesh;

/**
 * Where a route sends traffic.
 *
 * @param host   the destination host, fully qualified as Istio resolves it
 * @param port   the destination port, or null when the route keeps the incoming port
 * @param subset the DestinationRule subset, or null
 * @param kind   how a Gateway API backend named it ({@code Service}, {@code Hostname}, ...); null for Istio API
 * @param path   field path of the destination, e.g. {@code spec.http[0].route[0].destination}
 */
public record RouteDestination(String host, Integer port, String subset, String kind, String path) {

    /** The port traffic arrives with at the destination, given the port it was matched on. */
    public Integer effectivePort(Integer incoming) {
        return port != null ? port : incoming;
    }
}
