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
     * and beside it three AdmissionReviews: {@code review.json} re-applies the VirtualService of the middle
     * namespace (visible to its own namespace and the gateway's), {@code review-public.json} the task's
     * VirtualService (visible to every namespace), {@code review-applied.json} the first with the metadata the API
     * server sends ({@link #applied}).
     */
    public static void write(Path dir, int namespaces) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-review.json"), review(namespaces / 2));
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-review-public.json"), update(task(), "default"));
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-review-applied.json"), applied(review(namespaces / 2)));
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

    /**
     * {@code review} with the metadata the API server sends with an object that {@code kubectl apply} created and
     * a second field manager (a GitOps controller) labelled: uid, resourceVersion, generation, creation time, the
     * last-applied-configuration annotation (the object again, as JSON) and one managedFields entry per manager,
     * each a map of the fields it set; and the requesting user. The object and oldObject alike.
     */
    static String applied(String review) throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(review);
        var request = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("request");
        String lastApplied = mapper.writeValueAsString(request.get("object")) + "\n";
        for (String name : java.util.List.of("object", "oldObject")) {
            var object = (com.fasterxml.jackson.databind.node.ObjectNode) request.get(name);
            var metadata = (com.fasterxml.jackson.databind.node.ObjectNode) object.get("metadata");
            metadata.put("uid", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f").put("resourceVersion", "48213")
                    .put("generation", 3).put("creationTimestamp", "2026-12-01T10:00:00Z");
            metadata.putObject("labels").put("app.kubernetes.io/instance", "egress");
            metadata.putObject("annotations").put("kubectl.kubernetes.io/last-applied-configuration", lastApplied);
            var managed = metadata.putArray("managedFields");
            var kubectl = managed.addObject().put("manager", "kubectl-client-side-apply").put("operation", "Update")
                    .put("apiVersion", "networking.istio.io/v1").put("time", "2026-12-01T10:00:00Z")
                    .put("fieldsType", "FieldsV1");
            var fields = kubectl.putObject("fieldsV1");
            var annotations = fields.putObject("f:metadata").putObject("f:annotations");
            annotations.putObject(".");
            annotations.putObject("f:kubectl.kubernetes.io/last-applied-configuration");
            fields.set("f:spec", fieldsOf(mapper, object.get("spec")));
            var labels = managed.addObject().put("manager", "argocd-controller").put("operation", "Update")
                    .put("apiVersion", "networking.istio.io/v1").put("time", "2026-12-01T11:00:00Z")
                    .put("fieldsType", "FieldsV1").putObject("fieldsV1").putObject("f:metadata").putObject("f:labels");
            labels.putObject(".");
            labels.putObject("f:app.kubernetes.io/instance");
        }
        var user = request.putObject("userInfo").put("username", "system:serviceaccount:argocd:argocd-application-controller");
        user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:argocd").add("system:authenticated");
        return mapper.writeValueAsString(tree);
    }

    /**
     * The FieldsV1 form of a value: {@code f:} per field of an object; a list is atomic (Istio's CRDs do not
     * declare list types), one entry for the whole of it.
     */
    private static com.fasterxml.jackson.databind.JsonNode fieldsOf(com.fasterxml.jackson.databind.ObjectMapper mapper,
            com.fasterxml.jackson.databind.JsonNode value) {
        var out = mapper.createObjectNode();
        if (value.isObject()) {
            value.fields().forEachRemaining(e -> out.set("f:" + e.getKey(), fieldsOf(mapper, e.getValue())));
        }
        return out;
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
