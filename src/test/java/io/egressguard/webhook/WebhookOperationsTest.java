package io.egressguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, metrics, concurrency and damaged input on the running webhook (standalone state). */
@QuarkusTest
@TestProfile(StandaloneProfile.class)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class WebhookOperationsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void https() {
        RestAssured.baseURI = "https://localhost";
        RestAssured.port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    static int managementPort() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    static byte[] review(String name) throws Exception {
        return Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve(name + ".json"));
    }

    @Test
    void healthIsServedOnTheManagementInterface() {
        given().baseUri("http://localhost").port(managementPort()).get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].data.state", containsString("files in src/test/resources/webhook/state"));
        given().baseUri("http://localhost").port(managementPort()).get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsCountReviewsFindingsAndLatency() throws Exception {
        WebhookStandaloneTest.post(review("create-virtualservice-loop")).then().statusCode(200);
        String metrics = given().baseUri("http://localhost").port(managementPort()).get("/q/metrics").asString();
        assertTrue(metrics.contains("egress_guard_reviews_total{decision=\"denied\",kind=\"VirtualService\",operation=\"CREATE\"}"),
                metrics);
        assertTrue(metrics.contains("egress_guard_findings_total{code=\"EG202\",severity=\"error\"}"), metrics);
        assertTrue(metrics.contains("egress_guard_review_seconds_count{kind=\"VirtualService\",operation=\"CREATE\"}"), metrics);
        assertTrue(metrics.contains("egress_guard_state_objects "), metrics);
        assertTrue(metrics.contains("egress_guard_state_sync_age_seconds "), metrics);
    }

    @Test
    void parallelReviewsGetConsistentAnswers() throws Exception {
        List<String> names = List.of("create-virtualservice-loop", "update-virtualservice-without-mesh",
                "create-serviceentry-correct", "delete-destinationrule");
        Map<String, JsonNode> expected = new java.util.HashMap<>();
        for (String n : names) {
            expected.put(n, JSON.readTree(WebhookStandaloneTest.REVIEWS.resolve(n + ".response.json").toFile()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String n = names.get(i % names.size());
                byte[] body = review(n);
                results.add(pool.submit(() -> {
                    var r = WebhookStandaloneTest.post(body);
                    return r.statusCode() == 200 && JSON.readTree(r.asString()).equals(expected.get(n)) ? "ok" : n + ": " + r.asString();
                }));
            }
            for (Future<String> f : results) {
                assertEquals("ok", f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Damaged reviews: each answer is a 400 or a proper 200 review, never a 500, and the server keeps serving. */
    @Test
    void damagedReviewsNeverGet500() throws Exception {
        Random random = new Random(42);
        List<String> names = List.of("create-virtualservice-loop", "update-serviceentry-resolution-none",
                "create-networkpolicy-without-dns", "create-httproute-missing-serviceentry", "delete-destinationrule");
        for (int i = 0; i < 250; i++) {
            JsonNode review = JSON.readTree(review(names.get(random.nextInt(names.size()))));
            for (int d = 0; d < 1 + random.nextInt(4); d++) {
                damage(review, random, 0);
            }
            byte[] body = random.nextInt(10) == 0 ? truncate(JSON.writeValueAsBytes(review), random) : JSON.writeValueAsBytes(review);
            int status = WebhookStandaloneTest.post(body).statusCode();
            assertTrue(status == 200 || status == 400, "status " + status + " for " + new String(body));
        }
        WebhookStandaloneTest.post(review("create-serviceentry-correct")).then().statusCode(200)
                .body("response.allowed", equalTo(true));
    }

    static byte[] truncate(byte[] b, Random r) {
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
    }

    static void damage(JsonNode node, Random r, int depth) {
        if (!(node instanceof ObjectNode o) || o.isEmpty()) {
            return;
        }
        List<String> fields = new ArrayList<>();
        Iterator<String> it = o.fieldNames();
        it.forEachRemaining(fields::add);
        String f = fields.get(r.nextInt(fields.size()));
        switch (r.nextInt(depth > 4 ? 2 : 4)) {
            case 0 -> o.remove(f);
            case 1 -> {
                switch (r.nextInt(4)) {
                    case 0 -> o.putNull(f);
                    case 1 -> o.put(f, r.nextInt());
                    case 2 -> o.put(f, "x" + r.nextInt(9));
                    default -> o.putArray(f).add(r.nextBoolean());
                }
            }
            default -> damage(o.get(f), r, depth + 1);
        }
    }
}
