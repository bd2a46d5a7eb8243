package io.egressguard.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The audit's findings as the Policy WG's reports ({@code wgpolicyk8s.io/v1alpha2}), the objects Kyverno,
 * Kubewarden and Trivy Operator write and Policy Reporter shows: one {@code PolicyReport} named
 * {@value #NAME} per namespace with findings, and one {@code ClusterPolicyReport} for findings on cluster-scoped
 * objects (Namespaces). A pure function of the findings: what the writer compares and applies.
 *
 * <p>A result carries no timestamp: the report of an unchanged cluster stays byte for byte the same, so it is
 * written only when a finding appears, changes or goes.
 */
public final class PolicyReports {

    public static final String NAME = "egress-guard";
    public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
    /** The label marking the reports egress-guard writes and may delete. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "egress-guard";
    /** Key of the cluster-scoped report in {@link #build}'s answer. */
    public static final String CLUSTER = "";

    public static final ResourceDefinitionContext POLICY_REPORT = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext CLUSTER_POLICY_REPORT = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("ClusterPolicyReport")
            .withPlural("clusterpolicyreports").withNamespaced(false).build();

    /** Sorted keys: the digest of a report read back from the API server (Go sorts map keys) equals ours. */
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private PolicyReports() {
    }

    /**
     * The reports the findings call for, by namespace ({@link #CLUSTER} for the ClusterPolicyReport); a
     * namespace without findings has none.
     *
     * @param objects the objects of the audited state, for the {@code apiVersion} and {@code uid} of each
     *                result's resource (a finding on an object not in it still gets kind, namespace and name)
     */
    public static Map<String, GenericKubernetesResource> build(List<Finding> findings,
            Function<ObjectRef, HasMetadata> objects) {
        Map<String, List<Finding>> byScope = new TreeMap<>(findings.stream().collect(Collectors.groupingBy(
                f -> f.object().kind().namespaced() ? f.object().namespace() : CLUSTER)));
        Map<String, GenericKubernetesResource> reports = new LinkedHashMap<>();
        byScope.forEach((scope, list) -> reports.put(scope, report(scope, list, objects)));
        return reports;
    }

    private static GenericKubernetesResource report(String scope, List<Finding> findings,
            Function<ObjectRef, HasMetadata> objects) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(API_VERSION);
        r.setKind(scope.equals(CLUSTER) ? "ClusterPolicyReport" : "PolicyReport");
        r.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(scope.equals(CLUSTER) ? null : scope)
                .addToLabels(MANAGED_BY, MANAGER).build());
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort((a, b) -> {
            int c = a.object().compareTo(b.object());
            c = c != 0 ? c : a.code().compareTo(b.code());
            c = c != 0 ? c : a.path().compareTo(b.path());
            return c != 0 ? c : a.message().compareTo(b.message());
        });
        List<Map<String, Object>> results = new ArrayList<>();
        int fail = 0;
        int warn = 0;
        for (Finding f : sorted) {
            Map<String, Object> result = result(f, objects);
            if (result.get("result").equals("fail")) {
                fail++;
            } else {
                warn++;
            }
            results.add(result);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pass", 0);
        summary.put("fail", fail);
        summary.put("warn", warn);
        summary.put("error", 0);
        summary.put("skip", 0);
        r.setAdditionalProperty("results", results);
        r.setAdditionalProperty("summary", summary);
        return r;
    }

    /**
     * One result: {@code policy} the rule code, {@code rule} its title; errors {@code fail} (severity high),
     * warnings and info {@code warn} (medium, info). The finding's object is the result's resource; the field
     * path and the other objects involved are properties.
     */
    static Map<String, Object> result(Finding f, Function<ObjectRef, HasMetadata> objects) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("policy", f.code());
        result.put("rule", Catalogue.of(f.code()).map(Catalogue::title).orElse(f.code()));
        result.put("result", f.severity() == Severity.ERROR ? "fail" : "warn");
        result.put("severity", switch (f.severity()) {
            case ERROR -> "high";
            case WARNING -> "medium";
            case INFO -> "info";
        });
        result.put("message", f.message());
        result.put("source", MANAGER);
        result.put("category", "Istio egress");
        result.put("resources", List.of(reference(f.object(), objects.apply(f.object()))));
        Map<String, String> properties = new LinkedHashMap<>();
        if (!f.path().isEmpty()) {
            properties.put("path", f.path());
        }
        if (!f.related().isEmpty()) {
            properties.put("related", f.related().stream().map(ObjectRef::toString).collect(Collectors.joining(", ")));
        }
        if (!properties.isEmpty()) {
            result.put("properties", properties);
        }
        return result;
    }

    /** An ObjectReference; {@code apiVersion} and {@code uid} only when the object is known. */
    static Map<String, Object> reference(ObjectRef ref, HasMetadata object) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (object != null && object.getApiVersion() != null) {
            r.put("apiVersion", object.getApiVersion());
        }
        r.put("kind", ref.kind().kindName());
        if (ref.kind().namespaced()) {
            r.put("namespace", ref.namespace());
        }
        r.put("name", ref.name());
        if (object != null && object.getMetadata() != null && object.getMetadata().getUid() != null) {
            r.put("uid", object.getMetadata().getUid());
        }
        return r;
    }

    /**
     * What identifies a report's content: its results and summary, and the managed-by label; the same for a
     * report built here and for one read back from the API server, whatever metadata the server added.
     */
    public static String digest(GenericKubernetesResource report) {
        Map<String, Object> content = new TreeMap<>();
        content.put("results", report.getAdditionalProperties().get("results"));
        content.put("summary", report.getAdditionalProperties().get("summary"));
        Map<String, String> labels = report.getMetadata() == null ? null : report.getMetadata().getLabels();
        content.put("managedBy", labels == null ? null : labels.get(MANAGED_BY));
        try {
            byte[] json = CANONICAL.writeValueAsBytes(content);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
