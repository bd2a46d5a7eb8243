package io.egressguard.audit;

import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Severity;
import io.egressguard.webhook.WebhookConfig.PolicyReportsMode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit's PolicyReports and Events: what {@link PolicyReports#build} makes of findings, and what
 * {@link PolicyReportWriter} and {@link AuditEvents} do with it against the fabric8 mock API server (CRUD mode),
 * counting the requests they send.
 */
class PolicyReportsTest {

    static final ObjectRef PARTNER_SE = new ObjectRef(Kind.SERVICE_ENTRY, "legacy", "partner");
    static final ObjectRef PARTNER_VS = new ObjectRef(Kind.VIRTUAL_SERVICE, "legacy", "partner-through-egress");
    static final ObjectRef SHOP_DR = new ObjectRef(Kind.DESTINATION_RULE, "shop", "egress");
    static final ObjectRef PAYMENTS_NS = new ObjectRef(Kind.NAMESPACE, "", "payments");

    static final Finding EG101 = new Finding("EG101", Severity.ERROR, PARTNER_VS,
            "spec.http[0].route[0].destination.host", "the egress gateway has no endpoint for partner.example.com",
            "detail", List.of(PARTNER_SE));
    static final Finding EG206 = new Finding("EG206", Severity.WARNING, SHOP_DR, "spec.subsets[1]",
            "subset v2 is never routed to", "detail", List.of());
    static final Finding EG901 = new Finding("EG901", Severity.WARNING, PAYMENTS_NS, "",
            "pods of payments can bypass the egress gateway", "detail", List.of());

    KubernetesMockServer server;
    KubernetesClient client;
    final Map<ObjectRef, HasMetadata> objects = new HashMap<>();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new ApplyingDispatcher(), false);
        server.init();
        client = server.createClient();
        GenericKubernetesResource vs = new GenericKubernetesResource();
        vs.setApiVersion("networking.istio.io/v1");
        vs.setKind("VirtualService");
        vs.setMetadata(new ObjectMetaBuilder().withName(PARTNER_VS.name()).withNamespace("legacy").withUid("uid-vs").build());
        objects.put(PARTNER_VS, vs);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    /**
     * The mock server's CRUD dispatcher, with server-side apply, which it does not know (415), done as the API
     * server does for an object with a single manager: a missing object is created, an existing one replaced
     * by the applied fields.
     */
    static final class ApplyingDispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            String type = request.getHeader("Content-Type");
            if (type == null || !type.startsWith("application/apply-patch")) {
                return super.handlePatch(request);
            }
            String path = request.getPath().replaceFirst("\\?.*", "");
            Buffer body = new Buffer(request.getUtf8Body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var headers = Headers.builder().setHeaders(request.getHeaders());
            if (handleGet(path).code() == 404) {
                return handleCreate(new RecordedRequest("POST " + path + " HTTP/1.1", HttpMethod.POST,
                        path.substring(0, path.lastIndexOf('/')), headers.set("Content-Type", "application/json").build(), body));
            }
            return handleUpdate(new RecordedRequest("PUT " + path + " HTTP/1.1", HttpMethod.PUT, path,
                    headers.set("Content-Type", "application/json").build(), body));
        }
    }

    /** The CRDs of wgpolicyk8s.io, as far as API discovery needs them. */
    void installCrds() {
        for (String kind : List.of("PolicyReport", "ClusterPolicyReport")) {
            String plural = kind.toLowerCase() + "s";
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(plural + ".wgpolicyk8s.io").endMetadata()
                    .withNewSpec().withGroup("wgpolicyk8s.io").withScope(kind.equals("PolicyReport") ? "Namespaced" : "Cluster")
                    .withNewNames().withKind(kind).withPlural(plural).endNames()
                    .addNewVersion().withName("v1alpha2").withServed(true).withStorage(true).endVersion()
                    .endSpec().build()).create();
        }
    }

    List<GenericKubernetesResource> reports() {
        return client.genericKubernetesResources(PolicyReports.POLICY_REPORT).inAnyNamespace().list().getItems();
    }

    GenericKubernetesResource report(String namespace) {
        return client.genericKubernetesResources(PolicyReports.POLICY_REPORT).inNamespace(namespace)
                .withName("egress-guard").get();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(GenericKubernetesResource r) {
        return (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
    }

    @Test
    void oneReportPerNamespaceAndOneClusterReport() {
        var reports = PolicyReports.build(List.of(EG206, EG901, EG101), objects::get);
        assertEquals(List.of("", "legacy", "shop"), List.copyOf(reports.keySet()));

        GenericKubernetesResource legacy = reports.get("legacy");
        assertEquals("PolicyReport", legacy.getKind());
        assertEquals("wgpolicyk8s.io/v1alpha2", legacy.getApiVersion());
        assertEquals("egress-guard", legacy.getMetadata().getName());
        assertEquals("legacy", legacy.getMetadata().getNamespace());
        assertEquals(Map.of("app.kubernetes.io/managed-by", "egress-guard"), legacy.getMetadata().getLabels());
        assertTrue(legacy.getMetadata().getOwnerReferences().isEmpty(), "no owner: the report outlives the pod");
        Map<String, Object> r = results(legacy).get(0);
        assertEquals("EG101", r.get("policy"));
        assertEquals("ServiceEntry resolution NONE behind an egress gateway", r.get("rule"));
        assertEquals("fail", r.get("result"));
        assertEquals("high", r.get("severity"));
        assertEquals("egress-guard", r.get("source"));
        assertEquals(EG101.message(), r.get("message"));
        assertEquals(List.of(Map.of("apiVersion", "networking.istio.io/v1", "kind", "VirtualService",
                "namespace", "legacy", "name", "partner-through-egress", "uid", "uid-vs")), r.get("resources"));
        assertEquals(Map.of("path", "spec.http[0].route[0].destination.host", "related", "ServiceEntry legacy/partner"),
                r.get("properties"));
        assertFalse(r.containsKey("timestamp"), "no timestamp: an unchanged audit gives the same report");
        assertEquals(Map.of("pass", 0, "fail", 1, "warn", 0, "error", 0, "skip", 0),
                legacy.getAdditionalProperties().get("summary"));

        Map<String, Object> shop = results(reports.get("shop")).get(0);
        assertEquals("warn", shop.get("result"));
        assertEquals("medium", shop.get("severity"));
        assertEquals(List.of(Map.of("kind", "DestinationRule", "namespace", "shop", "name", "egress")), shop.get("resources"),
                "an object not in the state: no apiVersion, no uid");

        GenericKubernetesResource cluster = reports.get("");
        assertEquals("ClusterPolicyReport", cluster.getKind());
        assertNull(cluster.getMetadata().getNamespace());
        assertEquals(List.of(Map.of("kind", "Namespace", "name", "payments")), results(cluster).get(0).get("resources"));
        assertEquals(Map.of("pass", 0, "fail", 0, "warn", 1, "error", 0, "skip", 0),
                cluster.getAdditionalProperties().get("summary"));
    }

    @Test
    void theDigestIgnoresFindingOrderAndServerMetadata() {
        var a = PolicyReports.build(List.of(EG101, EG206), objects::get).get("legacy");
        var b = PolicyReports.build(List.of(EG206, EG101), objects::get).get("legacy");
        assertEquals(PolicyReports.digest(a), PolicyReports.digest(b));
        b.getMetadata().setResourceVersion("42");
        b.getMetadata().setUid("x");
        assertEquals(PolicyReports.digest(a), PolicyReports.digest(b));
        var c = PolicyReports.build(List.of(EG101.withSeverity(Severity.WARNING)), objects::get).get("legacy");
        assertFalse(PolicyReports.digest(a).equals(PolicyReports.digest(c)));
    }

    @Test
    void writesOnlyChangesAndDeletesReportsWithoutFindings() {
        installCrds();
        PolicyReportWriter writer = new PolicyReportWriter(client, PolicyReportsMode.AUTO);
        assertTrue(writer.write(PolicyReports.build(List.of(EG101, EG206, EG901), objects::get)));
        assertEquals(2, reports().size());
        GenericKubernetesResource legacy = report("legacy");
        assertEquals("EG101", results(legacy).get(0).get("policy"));
        assertNotNull(client.genericKubernetesResources(PolicyReports.CLUSTER_POLICY_REPORT).withName("egress-guard").get());

        // The same findings: not a single request.
        int requests = server.getRequestCount();
        assertTrue(writer.write(PolicyReports.build(List.of(EG206, EG901, EG101), objects::get)));
        assertEquals(requests, server.getRequestCount());

        // legacy fixed, shop changed: one apply, one delete.
        Finding shopError = EG206.withSeverity(Severity.ERROR);
        writer.write(PolicyReports.build(List.of(shopError, EG901), objects::get));
        assertEquals(requests + 2, server.getRequestCount());
        assertNull(report("legacy"));
        assertEquals("fail", results(report("shop")).get(0).get("result"));

        // Nothing left: every report goes.
        writer.write(PolicyReports.build(List.of(), objects::get));
        assertEquals(List.of(), reports());
        assertNull(client.genericKubernetesResources(PolicyReports.CLUSTER_POLICY_REPORT).withName("egress-guard").get());
    }

    @Test
    void aRestartedProcessRemovesStaleReportsAndKeepsCurrentOnes() {
        installCrds();
        new PolicyReportWriter(client, PolicyReportsMode.AUTO).write(PolicyReports.build(List.of(EG101, EG206), objects::get));
        String shopVersion = report("shop").getMetadata().getResourceVersion();
        // A report of another tool in the same namespace is not egress-guard's: never touched.
        GenericKubernetesResource other = new GenericKubernetesResource();
        other.setApiVersion(PolicyReports.API_VERSION);
        other.setKind("PolicyReport");
        other.setMetadata(new ObjectMetaBuilder().withName("kyverno").withNamespace("legacy").build());
        client.resource(other).create();

        PolicyReportWriter restarted = new PolicyReportWriter(client, PolicyReportsMode.AUTO);
        restarted.write(PolicyReports.build(List.of(EG206), objects::get));
        assertNull(report("legacy"), "the report of the fixed namespace, written before the restart, is deleted");
        assertEquals(shopVersion, report("shop").getMetadata().getResourceVersion(), "an unchanged report is not rewritten");
        assertNotNull(client.genericKubernetesResources(PolicyReports.POLICY_REPORT).inNamespace("legacy")
                .withName("kyverno").get());
    }

    @Test
    void withoutTheCrdNothingIsWrittenAndItIsSaidOnce() {
        List<String> lines = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage() == null ? "" : String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(PolicyReportWriter.class.getName());
        log.addHandler(handler);
        try {
            PolicyReportWriter writer = new PolicyReportWriter(client, PolicyReportsMode.AUTO);
            for (int i = 0; i < 3; i++) {
                assertFalse(writer.write(PolicyReports.build(List.of(EG101), objects::get)));
            }
            assertEquals(1, lines.stream().filter(l -> l.contains("not served")).count(), lines.toString());
            assertEquals(0, countWrites(), "only discovery requests");

            // Installed later: the next audit writes.
            installCrds();
            assertTrue(writer.write(PolicyReports.build(List.of(EG101), objects::get)));
            assertNotNull(report("legacy"));
        } finally {
            log.removeHandler(handler);
        }
    }

    /** Requests other than GETs recorded so far. */
    int countWrites() {
        int writes = 0;
        try {
            for (int i = server.getRequestCount(); i > 0; i--) {
                var r = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
                if (r != null && !r.getMethod().equals("GET")) {
                    writes++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return writes;
    }

    @Test
    void disabledWritesNothing() {
        installCrds();
        int before = server.getRequestCount();
        assertFalse(new PolicyReportWriter(client, PolicyReportsMode.FALSE).write(
                PolicyReports.build(List.of(EG101), objects::get)));
        assertEquals(before, server.getRequestCount());
        assertEquals(List.of(), reports());
    }

    @Test
    void oneEventPerObjectAndCodeWhenAnErrorAppears() {
        AuditEvents events = new AuditEvents(client, "egress-guard-7d9f");
        Finding secondPath = new Finding("EG101", Severity.ERROR, PARTNER_VS, "spec.http[1].route[0].destination.host",
                "the egress gateway has no endpoint for partner.example.com", "detail", List.of());
        Instant now = Instant.parse("2026-01-02T03:04:05.678Z");
        assertEquals(1, events.emit(List.of(EG101, secondPath, EG206, EG901), objects::get, now),
                "one Event for the two EG101 findings of one object; none for warnings");
        var list = client.v1().events().inNamespace("legacy").list().getItems();
        assertEquals(1, list.size());
        var e = list.get(0);
        assertEquals("Warning", e.getType());
        assertEquals("EG101", e.getReason());
        assertEquals("VirtualService", e.getInvolvedObject().getKind());
        assertEquals("partner-through-egress", e.getInvolvedObject().getName());
        assertEquals("uid-vs", e.getInvolvedObject().getUid());
        assertEquals("networking.istio.io/v1", e.getInvolvedObject().getApiVersion());
        assertEquals("egress-guard", e.getSource().getComponent());
        assertEquals("egress-guard-7d9f", e.getReportingInstance());
        assertEquals("2026-01-02T03:04:05Z", e.getFirstTimestamp());
        assertTrue(e.getMessage().startsWith(EG101.message()), e.getMessage());

        // The error persists: no new Event on the next audits.
        assertEquals(0, events.emit(List.of(EG101), objects::get, now.plusSeconds(60)));
        assertEquals(0, events.emit(List.of(EG101), objects::get, now.plusSeconds(120)));
        // Another replica (or a restart) finding the same error: the same Event, not a second one.
        assertEquals(0, new AuditEvents(client, "other").emit(List.of(EG101), objects::get, now.plusSeconds(130)));
        assertEquals(1, client.v1().events().inNamespace("legacy").list().getItems().size());

        // A cluster-scoped object's error: in default, as client-go puts it.
        Finding nsError = EG901.withSeverity(Severity.ERROR);
        assertEquals(1, events.emit(List.of(EG101, nsError), objects::get, now.plusSeconds(180)));
        var ns = client.v1().events().inNamespace("default").list().getItems();
        assertEquals(1, ns.size());
        assertEquals("Namespace", ns.get(0).getInvolvedObject().getKind());
        assertEquals("EG901", ns.get(0).getReason());

        // An Istio Gateway and a Gateway API Gateway of the same name are two objects: two Events.
        Finding istio = new Finding("EG501", Severity.ERROR, new ObjectRef(Kind.GATEWAY, "legacy", "egress"), "", "m", "d",
                List.of());
        Finding gatewayApi = new Finding("EG501", Severity.ERROR, new ObjectRef(Kind.KUBERNETES_GATEWAY, "legacy", "egress"),
                "", "m", "d", List.of());
        assertEquals(2, events.emit(List.of(EG101, istio, gatewayApi), objects::get, now.plusSeconds(240)));
    }

    @Test
    void eventNamesAreValidAndDistinct() {
        String a = AuditEvents.name(PARTNER_VS, "uid-vs", "EG101");
        assertTrue(a.matches("partner-through-egress\\.eg101\\.[0-9a-f]{10}"), a);
        assertFalse(a.equals(AuditEvents.name(PARTNER_VS, "uid-other", "EG101")), "a recreated object: another Event");
        assertFalse(a.equals(AuditEvents.name(PARTNER_VS, "uid-vs", "EG102")));
        String longName = "a".repeat(199) + "-b";
        String n = AuditEvents.name(new ObjectRef(Kind.VIRTUAL_SERVICE, "x", longName), null, "EG101");
        assertTrue(n.length() <= 253 && n.startsWith("a".repeat(199) + ".eg101."), n);
    }
}
