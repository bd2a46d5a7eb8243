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
 */
public record GatewayWorkload(String serviceHost, String namespace, Map<Integer, Integer> servicePorts,
        Map<String, String> podLabels, ObjectRef service, Set<Binding> bindings, List<GatewayServer> servers,
        boolean egress) {

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

    /** The pod port a Service port lands on: the same number when the Service is unknown, null when named. */
    public Integer targetPort(int servicePort) {
        Integer t = servicePorts.get(servicePort);
        if (t == null) {
            return servicePort;
        }
        return t == NAMED_TARGET ? null : t;
    }
}
