package io.egressguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /q/audit and /explain need a bearer token that the API server authenticates (TokenReview) and authorizes for
 * the path (SubjectAccessReview); health and metrics stay open. The fabric8 mock API server plays both reviews.
 */
@QuarkusTest
@TestProfile(ManagementAccessTest.TokenProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class ManagementAccessTest {

    static final String READER = "system:serviceaccount:monitoring:prometheus";
    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger TOKEN_REVIEWS = new AtomicInteger();

    public static class TokenProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(new ClusterProfile().getConfigOverrides());
            m.put("egress-guard.management.topology", "token");
            return m;
        }
    }

    @KubernetesTestServer
    io.quarkus.test.kubernetes.client.KubernetesServer server;

    @BeforeEach
    void reviews() {
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            TOKEN_REVIEWS.incrementAndGet();
            String token = read(request.getBody().readUtf8()).path("spec").path("token").asText();
            var b = new TokenReviewBuilder().withNewStatus().withAuthenticated(!token.equals("bad-token"));
            if (token.equals("reader-token")) {
                b.withNewUser().withUsername(READER).withGroups("system:serviceaccounts").endUser();
            } else if (token.equals("stranger-token")) {
                b.withNewUser().withUsername("alice").withGroups("system:authenticated").endUser();
            }
            return b.endStatus().build();
        }).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
            JsonNode spec = read(request.getBody().readUtf8()).path("spec");
            boolean allowed = spec.path("user").asText().equals(READER) && spec.path("nonResourceAttributes").path("verb").asText().equals("get")
                    && List.of("/q/audit", "/explain").contains(spec.path("nonResourceAttributes").path("path").asText());
            return new SubjectAccessReviewBuilder().withNewStatus().withAllowed(allowed).endStatus().build();
        }).always();
    }

    static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RequestSpecification management(String token) {
        RequestSpecification r = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort());
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    @Test
    void topologyNeedsATokenAllowedForThePath() {
        for (String path : List.of("/q/audit", "/explain")) {
            management(null).get(path).then().statusCode(401).header("WWW-Authenticate", "Bearer")
                    .body("message", containsString("bearer token"));
            management("bad-token").get(path).then().statusCode(401);
            management("stranger-token").get(path).then().statusCode(403).body("message", containsString("alice may not get " + path));
        }
        // Past the guard: /q/audit answers (200, or 503 before the first audit), /explain asks for its parameters.
        int audit = management("reader-token").get("/q/audit").statusCode();
        assertTrue(audit == 200 || audit == 503, "audit: " + audit);
        management("reader-token").get("/explain").then().statusCode(400).body("message", containsString("required"));
    }

    @Test
    void answersAreRememberedForAMinute() {
        management("reader-token").get("/explain").then().statusCode(400);
        int before = TOKEN_REVIEWS.get();
        for (int i = 0; i < 5; i++) {
            management("reader-token").get("/explain").then().statusCode(400);
        }
        assertEquals(before, TOKEN_REVIEWS.get(), "no TokenReview for a token known a moment ago");
    }

    @Test
    void healthAndMetricsStayOpen() {
        management(null).get("/q/health/live").then().statusCode(200);
        management(null).get("/q/metrics").then().statusCode(200).body(not(containsString("bearer")));
    }
}
