package io.egressguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.mesh.MeshSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decision in each mode and with severity overrides, on the recorded reviews and state. */
class AdmissionModesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static AdmissionHandler handler(WebhookConfig.Mode mode, List<String> severities) throws Exception {
        FileClusterState state = new FileClusterState(Path.of("src/test/resources/webhook/state"), MeshSettings.DEFAULT);
        AdmissionHandler h = new AdmissionHandler();
        h.config = new WebhookConfig() {
            @Override
            public Mode mode() {
                return mode;
            }

            @Override
            public String rootNamespace() {
                return "istio-system";
            }

            @Override
            public Optional<List<String>> severities() {
                return Optional.of(severities);
            }

            @Override
            public int maxBodyBytes() {
                return 1 << 20;
            }

            @Override
            public int inFlightBytes() {
                return 4 << 20;
            }

            @Override
            public java.time.Duration headerTimeout() {
                return java.time.Duration.ofSeconds(10);
            }

            @Override
            public State state() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Tls tls() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Audit audit() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Management management() {
                throw new UnsupportedOperationException();
            }
        };
        h.states = new ClusterStateProvider() {
            @Override
            public synchronized ClusterState state() {
                return state;
            }
        };
        h.metrics = new SimpleMeterRegistry();
        h.init();
        return h;
    }

    static JsonNode answer(AdmissionHandler h, String review) throws Exception {
        AdmissionHandler.Reply r = h.handle(Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve(review + ".json")));
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body()).get("response");
    }

    @Test
    void enforceDeniesNewErrors() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.ENFORCE, List.of()), "create-virtualservice-loop");
        assertFalse(r.get("allowed").asBoolean());
        assertEquals(403, r.path("status").path("code").asInt());
    }

    @Test
    void warnModeTurnsErrorsIntoWarnings() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.WARN, List.of()), "create-virtualservice-loop");
        assertTrue(r.get("allowed").asBoolean());
        assertTrue(r.path("warnings").get(0).asText().startsWith("EG202 VirtualService shop/github-shortcut: "), r.toString());
    }

    @Test
    void auditModeAlwaysAllowsSilently() throws Exception {
        AdmissionHandler h = handler(WebhookConfig.Mode.AUDIT, List.of());
        for (String review : List.of("create-virtualservice-loop", "update-virtualservice-without-mesh")) {
            JsonNode r = answer(h, review);
            assertTrue(r.get("allowed").asBoolean());
            assertTrue(r.path("warnings").isMissingNode(), r.toString());
        }
        assertEquals(1.0, h.metrics.find("egress_guard_findings_total").tag("code", "EG202").counter().count());
    }

    @Test
    void severityOverridesApplyToDecisions() throws Exception {
        JsonNode warned = answer(handler(WebhookConfig.Mode.ENFORCE, List.of("EG202=warn")), "create-virtualservice-loop");
        assertTrue(warned.get("allowed").asBoolean());
        assertTrue(warned.path("warnings").get(0).asText().startsWith("EG202"));
        JsonNode off = answer(handler(WebhookConfig.Mode.ENFORCE, List.of("EG202=off")), "create-virtualservice-loop");
        assertTrue(off.get("allowed").asBoolean());
        JsonNode denied = answer(handler(WebhookConfig.Mode.ENFORCE, List.of("EG201=deny")), "update-virtualservice-without-mesh");
        assertFalse(denied.get("allowed").asBoolean());
    }

    @Test
    void deleteIsNeverDenied() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.ENFORCE, List.of("EG206=deny")), "delete-destinationrule");
        assertTrue(r.get("allowed").asBoolean());
        assertTrue(r.path("warnings").get(0).asText().startsWith("EG206"), r.toString());
    }

    /** A recorded review with its object (or oldObject) given a spec that cannot be read. */
    static byte[] unreadable(String review) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(WebhookStandaloneTest.REVIEWS.resolve(review + ".json").toFile());
        com.fasterxml.jackson.databind.node.ObjectNode request = (com.fasterxml.jackson.databind.node.ObjectNode) root.get("request");
        String field = request.get("operation").asText().equals("DELETE") ? "oldObject" : "object";
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get(field)).put("spec", "not an object");
        return JSON.writeValueAsBytes(root);
    }

    static JsonNode answer(AdmissionHandler h, byte[] body) throws Exception {
        AdmissionHandler.Reply r = h.handle(body);
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body()).get("response");
    }

    @Test
    void aDeleteWhoseOldObjectCannotBeReadIsAllowedWithAWarning() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.ENFORCE, List.of()), unreadable("delete-destinationrule"));
        assertTrue(r.get("allowed").asBoolean(), r.toString());
        assertTrue(r.path("warnings").get(0).asText().contains("request.oldObject"), r.toString());
    }

    @Test
    void auditModeAllowsAnObjectItCannotRead() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.AUDIT, List.of()), unreadable("create-virtualservice-loop"));
        assertTrue(r.get("allowed").asBoolean(), r.toString());
        assertTrue(r.path("warnings").isMissingNode(), r.toString());
        JsonNode enforced = answer(handler(WebhookConfig.Mode.ENFORCE, List.of()), unreadable("create-virtualservice-loop"));
        assertFalse(enforced.get("allowed").asBoolean());
        assertEquals(400, enforced.path("status").path("code").asInt());
        assertTrue(enforced.path("status").path("message").asText().contains("request.object"), enforced.toString());
    }

    @Test
    void anIgnoredNamespaceIsSkippedBeforeTheObjectIsRead() throws Exception {
        JsonNode r = answer(handler(WebhookConfig.Mode.ENFORCE, List.of()),
                unreadable("create-virtualservice-loop-in-ignored-namespace"));
        assertTrue(r.get("allowed").asBoolean(), r.toString());
        assertTrue(r.path("warnings").isMissingNode(), r.toString());
    }

    @Test
    void suppressionSilencesFindingsButNotAnUnreadableObject() throws Exception {
        AdmissionHandler h = handler(WebhookConfig.Mode.ENFORCE, List.of());
        assertTrue(answer(h, "create-virtualservice-loop-suppressed").get("allowed").asBoolean());
        JsonNode r = answer(h, unreadable("create-virtualservice-loop-suppressed"));
        assertFalse(r.get("allowed").asBoolean(), r.toString());
        assertEquals(400, r.path("status").path("code").asInt());
    }

    @Test
    void anInternalErrorIsA500SoThatTheFailurePolicyDecides() throws Exception {
        AdmissionHandler h = handler(WebhookConfig.Mode.ENFORCE, List.of());
        h.states = new ClusterStateProvider() {
            @Override
            public synchronized ClusterState state() {
                throw new IllegalStateException("broken");
            }
        };
        AdmissionHandler.Reply r = h.handle(Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve("create-virtualservice-loop.json")));
        assertEquals(500, r.status(), r.body());
        assertTrue(r.body().contains("internal error"), r.body());
        assertEquals(400, h.handle("{not json".getBytes()).status());
    }

    @Test
    void metricLabelsComeFromFixedSets() throws Exception {
        AdmissionHandler h = handler(WebhookConfig.Mode.ENFORCE, List.of());
        String body = new String(Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve("create-configmap.json")));
        for (int i = 0; i < 50; i++) {
            h.handle(body.replace("\"kind\": \"ConfigMap\"", "\"kind\": \"Invented" + i + "\"")
                    .replace("\"operation\": \"CREATE\"", "\"operation\": \"OP" + "x".repeat(1000) + i + "\"").getBytes());
        }
        var counters = h.metrics.find("egress_guard_reviews_total").counters();
        assertEquals(1, counters.size(), counters.toString());
        var c = counters.iterator().next();
        assertEquals("other", c.getId().getTag("kind"));
        assertEquals("other", c.getId().getTag("operation"));
        assertEquals(50.0, c.count());
        h.handle(Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve("create-virtualservice-loop.json")));
        assertEquals(1.0, h.metrics.find("egress_guard_reviews_total").tag("kind", "VirtualService")
                .tag("operation", "CREATE").counter().count());
    }
}
