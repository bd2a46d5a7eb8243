package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.model.ObjectRef;

import java.util.List;
import java.util.Map;

/**
 * A ServiceEntry, normalised.
 *
 * @param ports      port number to upper-case protocol ("" when unset)
 * @param resolution upper-case resolution; Istio's default when unset is {@code NONE}
 */
public record ServiceEntryInfo(ObjectRef ref, List<String> hosts, Map<Integer, String> ports, String resolution,
        ExportTo exportTo, boolean hasEndpoints) {

    public ServiceEntryInfo {
        hosts = List.copyOf(hosts);
        ports = Map.copyOf(ports);
    }

    public boolean declaresHost(String host) {
        return hosts.stream().anyMatch(h -> Hosts.covers(h, host));
    }

    /**
     * True for a port protocol that carries TLS (TLS, HTTPS): the only ports where sidecars build SNI chains
     * (pilot buildSidecarOutboundTLSFilterChainOpts) and where plain text from a gateway is refused.
     */
    public static boolean carriesTls(String protocol) {
        return "TLS".equals(protocol) || "HTTPS".equals(protocol);
    }

    /** The resolution forwards to the original destination IP: behind a gateway, the gateway itself. */
    public boolean forwardsToOriginalDestination() {
        return "NONE".equals(resolution);
    }
}
