package io.egressguard.mesh;

import io.egressguard.model.ObjectRef;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The proxies a gateway configuration runs on, as clients reach them: a Service host in front of gateway
 * pods, and the Gateway objects (Istio API, or one Gateway API Gateway) whose servers they listen on.
 *
 * @param serviceHost  the Service FQDN sidecars send to, e.g. {@code istio-egressgateway.istio-system.svc.cluster.local}
 * @param namespace    where the gateway pods run
 * @param servicePorts Service port to target port ({@link #NAMED_TARGET} when named); empty map when unknown
 * @param podLabels    labels that select the gateway pods
 * @param service      the Service object, or null when it is assumed (Istio's default install) or derived
 * @param bindings     the Gateway objects bound to these pods
 * @param servers      every server of those Gateways
 * @param egress       true when it carries traffic out of the mesh
 * @param serverPorts  the distinct ports of {@code servers}
 */
public record GatewayWorkload(String serviceHost, String namespace, Map<Integer, Integer> servicePorts,
        Map<String, String> podLabels, ObjectRef service, Set<Binding> bindings, List<GatewayServer> servers,
        boolean egress, Set<Integer> serverPorts) {

    /**
     * A workload with {@code serverPorts}, the distinct ports of {@code servers}: one egress gateway may carry the
     * servers of thousands of Gateways on a handful of ports.
     */
    public GatewayWorkload(String serviceHost, String namespace, Map<Integer, Integer> servicePorts,
            Map<String, String> podLabels, ObjectRef service, Set<Binding> bindings, List<GatewayServer> servers,
            boolean egress) {
        this(serviceHost, namespace, servicePorts, podLabels, service, bindings, servers, egress,
                servers.stream().map(GatewayServer::port).collect(java.util.stream.Collectors.toUnmodifiableSet()));
    }

    /** One workload per Service host: identity is the host, not the (possibly thousands of) bound Gateways. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayWorkload w && w.serviceHost.equals(serviceHost);
    }

    @Override
    public int hashCode() {
        return serviceHost.hashCode();
    }

    /** Marks a Service port whose targetPort is a name: the pod port number is not known here. */
    public static final int NAMED_TARGET = -1;

    public boolean portsKnown() {
        return !servicePorts.isEmpty();
    }

    /**
     * Where Istio's default gateway install sends its Service ports (80 to 8080, 443 to 8443): assumed for a
     * gateway whose Service is not in the state.
     */
    static final Map<Integer, Integer> DEFAULT_INSTALL_TARGETS = Map.of(80, 8080, 443, 8443);

    /**
     * The pod port a Service port lands on: null when the targetPort is named; for a Service not in the state,
     * the default install's mapping, else the same number.
     */
    public Integer targetPort(int servicePort) {
        Integer t = servicePorts.get(servicePort);
        if (t == null) {
            return servicePorts.isEmpty() && service == null
                    ? DEFAULT_INSTALL_TARGETS.getOrDefault(servicePort, servicePort) : servicePort;
        }
        return t == NAMED_TARGET ? null : t;
    }

    /**
     * The pod port a server of these pods listens on (pilot {@code model.resolvePorts}): a server port equal to
     * a port of the Service in front of the pods listens on that port's targetPort; any other server port
     * listens as written. Null when the targetPort is a name.
     */
    public Integer listeningPort(int serverPort) {
        return targetPort(serverPort);
    }

    /**
     * True when traffic sent to {@code servicePort} reaches the server declared with {@code serverPort}: both
     * land on the same pod port. A named targetPort, which is not resolved here, counts as reaching.
     */
    public boolean reaches(int servicePort, int serverPort) {
        Integer pod = targetPort(servicePort);
        Integer listening = listeningPort(serverPort);
        return pod == null || listening == null || pod.equals(listening);
    }

    /** True when traffic sent to {@code servicePort} reaches some server of these pods. */
    public boolean listensFor(int servicePort) {
        for (int p : serverPorts) {
            if (reaches(servicePort, p)) {
                return true;
            }
        }
        return false;
    }

    /** True when some Service port reaches the server declared with {@code serverPort}. */
    public boolean exposes(int serverPort) {
        return !portsKnown() || servicePorts.keySet().stream().anyMatch(sp -> reaches(sp, serverPort));
    }
}
