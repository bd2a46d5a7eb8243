package io.egressguard.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates a large, correct egress configuration: per namespace a ServiceEntry, an egress Gateway, a subset
 * DestinationRule, a two-hop VirtualService (exported to its own namespace and the gateway's) and a
 * NetworkPolicy that allows DNS, istiod and the egress gateway; plus the Istio install they rely on.
 * Six objects per namespace: {@code namespaces(3500)} gives about 21,000 objects. Beside them, in the state
 * directory the webhook benchmarks load, the configuration of Istio's egress gateway task (edition.cnn.com in
 * {@code default}): its VirtualService has no exportTo, so it is visible to every namespace, Istio's default.
 */
public final class LargeMesh {

    private LargeMesh() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/large-mesh");
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 3500;
        write(out, namespaces);
        System.out.println("wrote " + (namespaces * 6 + 14) + " objects to " + out);
    }

    /**
     * Writes the mesh as {@code cluster.yaml}, {@code task.yaml} and {@code namespaces.yaml} into {@code dir},
     * and beside it two AdmissionReviews: {@code review.json} re-applies the VirtualService of the middle
     * namespace (visible to its own namespace and the gateway's), {@code review-public.json} the task's
     * VirtualService (visible to every namespace).
     */
    public static void write(Path dir, int namespaces) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-review.json"), review(namespaces / 2));
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-review-public.json"), update(task(), "default"));
        Files.writeString(dir.resolve("cluster.yaml"), cluster());
        Files.writeString(dir.resolve("task.yaml"), task());
        try (Writer w = Files.newBufferedWriter(dir.resolve("namespaces.yaml"))) {
            for (int i = 0; i < namespaces; i++) {
                w.write(namespace(i));
            }
        }
    }

    /** An UPDATE AdmissionReview that re-applies the VirtualService of namespace {@code team-i}. */
    public static String review(int i) throws IOException {
        return update(namespace(i), "team-" + i);
    }

    /** An UPDATE AdmissionReview that re-applies the VirtualService among {@code yaml}, in {@code namespace}. */
    static String update(String yaml, String namespace) throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Map<?, ?> vs = null;
        for (Object doc : new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadAllFromString(yaml)) {
            if (doc instanceof java.util.Map<?, ?> m && "VirtualService".equals(m.get("kind"))) {
                vs = m;
            }
        }
        var review = mapper.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        var request = review.putObject("request").put("uid", "load").put("operation", "UPDATE")
                .put("name", String.valueOf(((java.util.Map<?, ?>) vs.get("metadata")).get("name")))
                .put("namespace", namespace);
        request.putObject("kind").put("group", "networking.istio.io").put("version", "v1").put("kind", "VirtualService");
        request.set("object", mapper.valueToTree(vs));
        request.set("oldObject", mapper.valueToTree(vs));
        return mapper.writeValueAsString(review);
    }

    public static String text(int namespaces) {
        StringBuilder sb = new StringBuilder(cluster());
        for (int i = 0; i < namespaces; i++) {
            sb.append(namespace(i));
        }
        return sb.toString();
    }

    static String cluster() {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: istio-system}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: kube-system}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istio-egressgateway, namespace: istio-system}
                spec:
                  selector: {matchLabels: {app: istio-egressgateway, istio: egressgateway}}
                  template:
                    metadata: {labels: {app: istio-egressgateway, istio: egressgateway}}
                    spec: {containers: [{name: istio-proxy, image: istio/proxyv2:1.27.0}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: istio-egressgateway, namespace: istio-system}
                spec:
                  selector: {app: istio-egressgateway, istio: egressgateway}
                  ports:
                  - {name: http2, port: 80, targetPort: 8080}
                  - {name: https, port: 443, targetPort: 8443}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system}
                spec:
                  selector: {matchLabels: {app: istiod, istio: pilot}}
                  template:
                    metadata: {labels: {app: istiod, istio: pilot}}
                    spec: {containers: [{name: discovery, image: istio/pilot:1.27.0}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: istiod, namespace: istio-system}
                spec:
                  selector: {app: istiod, istio: pilot}
                  ports:
                  - {name: grpc-xds, port: 15010}
                  - {name: https-dns, port: 15012}
                  - {name: https-webhook, port: 443, targetPort: 15017}
                ---
                """;
    }

    /**
     * Istio's egress gateway task (HTTP to edition.cnn.com through the egress gateway), as the task applies it:
     * everything in {@code default}, no exportTo.
     */
    public static String task() {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: default, labels: {istio-injection: enabled}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: cnn, namespace: default}
                spec:
                  hosts: [edition.cnn.com]
                  ports:
                  - {number: 80, name: http-port, protocol: HTTP}
                  - {number: 443, name: https, protocol: HTTPS}
                  resolution: DNS
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: istio-egressgateway, namespace: default}
                spec:
                  selector: {istio: egressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: [edition.cnn.com]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: egressgateway-for-cnn, namespace: default}
                spec:
                  host: istio-egressgateway.istio-system.svc.cluster.local
                  subsets: [{name: cnn}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: direct-cnn-through-egress-gateway, namespace: default}
                spec:
                  hosts: [edition.cnn.com]
                  gateways: [istio-egressgateway, mesh]
                  http:
                  - match: [{gateways: [mesh], port: 80}]
                    route:
                    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: cnn, port: {number: 80}}
                  - match: [{gateways: [istio-egressgateway], port: 80}]
                    route:
                    - destination: {host: edition.cnn.com, port: {number: 80}}
                ---
                """;
    }

    static String namespace(int i) {
        String ns = "team-" + i;
        String host = "api-" + i + ".example.com";
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: {{NS}}, labels: {istio-injection: enabled}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: external, namespace: {{NS}}}
                spec:
                  hosts: [{{HOST}}]
                  ports: [{number: 443, name: tls, protocol: TLS}]
                  resolution: DNS
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: egress, namespace: {{NS}}}
                spec:
                  selector: {istio: egressgateway}
                  servers:
                  - port: {number: 443, name: tls, protocol: TLS}
                    hosts: [{{HOST}}]
                    tls: {mode: PASSTHROUGH}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: egress-subsets, namespace: {{NS}}}
                spec:
                  host: istio-egressgateway.istio-system.svc.cluster.local
                  subsets: [{name: external}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: external-through-egress, namespace: {{NS}}}
                spec:
                  hosts: [{{HOST}}]
                  gateways: [mesh, egress]
                  exportTo: [".", istio-system]
                  tls:
                  - match: [{gateways: [mesh], port: 443, sniHosts: [{{HOST}}]}]
                    route:
                    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: external, port: {number: 443}}
                  - match: [{gateways: [egress], port: 443, sniHosts: [{{HOST}}]}]
                    route:
                    - destination: {host: {{HOST}}, port: {number: 443}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-lockdown, namespace: {{NS}}}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
                    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
                  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}]
                ---
                """.replace("{{NS}}", ns).replace("{{HOST}}", host);
    }
}
