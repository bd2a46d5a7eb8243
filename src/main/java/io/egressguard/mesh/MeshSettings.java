package io.egressguard.mesh;

import java.util.Map;

/**
 * What egress-guard assumes about the Istio installation.
 *
 * @param rootNamespace        Istio's config root namespace (meshConfig.rootNamespace, default {@code istio-system})
 * @param egressGatewayLabels  pod labels that mark egress gateway workloads (default {@code istio: egressgateway})
 * @param defaultEgressService the Service name of the default egress gateway install, in the root namespace
 * @param gatewayClassName     the Gateway API class Istio deploys gateways for
 */
public record MeshSettings(String rootNamespace, Map<String, String> egressGatewayLabels, String defaultEgressService,
        String gatewayClassName) {

    public static final MeshSettings DEFAULT = new MeshSettings("istio-system", Map.of("istio", "egressgateway"),
            "istio-egressgateway", "istio");

    public MeshSettings withRootNamespace(String ns) {
        return new MeshSettings(ns, egressGatewayLabels, defaultEgressService, gatewayClassName);
    }
}
