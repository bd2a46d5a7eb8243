package io.egressguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.bench.LargeMesh;
import io.egressguard.mesh.MeshSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reviews the webhook benchmarks send ({@code bench/compare.sh}, {@code HandlerCost}) get the answers the
 * configuration calls for, from the whole of the checks. A team's VirtualService is correct: allowed, nothing to
 * warn about. The task's VirtualService is visible to every namespace, and its route to the gateway's subset
 * {@code cnn} is a 503 for the team namespaces' clients: each has its own DestinationRule for the gateway, which
 * their lookup finds before the task's in {@code default} (EG206, a warning). The review with the metadata the
 * API server adds (managedFields, the last-applied annotation, labels, the requesting user) gets the very answer
 * of the review without it, so measuring either measures the same decision.
 */
class BenchmarkReviewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBenchmarkReviewsGetTheAnswersOfTheConfigurationAndTheApiServersMetadataChangesNothing(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        LargeMesh.write(state, 40);
        AdmissionHandler handler = HandlerCost.standalone(new FileClusterState(state, MeshSettings.DEFAULT));

        JsonNode local = answer(handler, dir.resolve("state-review.json"));
        JsonNode applied = answer(handler, dir.resolve("state-review-applied.json"));
        JsonNode visibleEverywhere = answer(handler, dir.resolve("state-review-public.json"));
        assertTrue(local.path("response").path("allowed").asBoolean(false), local.toString());
        assertFalse(local.path("response").has("warnings"), local.toString());
        assertEquals(local, applied);

        assertTrue(visibleEverywhere.path("response").path("allowed").asBoolean(false), visibleEverywhere.toString());
        JsonNode warnings = visibleEverywhere.path("response").path("warnings");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).asText().startsWith(
                "EG206 VirtualService default/direct-cnn-through-egress-gateway: 503 for clients in team-0, "), warnings.toString());
        assertTrue(Files.readString(dir.resolve("state-review-applied.json")).contains("managedFields"));
    }

    private static JsonNode answer(AdmissionHandler handler, Path review) throws Exception {
        AdmissionHandler.Reply reply = handler.handle(Files.readAllBytes(review));
        assertEquals(200, reply.status(), reply.body());
        return JSON.readTree(reply.body());
    }
}
