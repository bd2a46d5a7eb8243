package io.egressguard.webhook;

import io.egressguard.audit.AuditService;
import io.egressguard.deploy.PromQl;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric the Grafana dashboard and the PrometheusRule in {@code deploy/} query, with the labels they
 * select on, is what the running application exports on {@code /q/metrics}, once it has answered reviews and
 * run an audit.
 */
@QuarkusTest
@TestProfile(StandaloneProfile.class)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class ObservabilityMetricsTest {

    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? ", Pattern.MULTILINE);
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Inject
    AuditService audits;

    @BeforeEach
    void https() {
        RestAssured.baseURI = "https://localhost";
        RestAssured.port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    /** Label names (and values seen) of every exported series, by metric name. */
    static Map<String, Map<String, Set<String>>> scrape() {
        String text = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/metrics").asString();
        Map<String, Map<String, Set<String>>> series = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            Map<String, Set<String>> labels = series.computeIfAbsent(m.group(1), k -> new HashMap<>());
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.computeIfAbsent(l.group(1), k -> new TreeSet<>()).add(l.group(2));
                }
            }
        }
        return series;
    }

    /**
     * The standalone state never changes: a second audit reuses the findings of the first instead of checking
     * every object again (at 21,000 objects that is seconds of CPU a minute), and still counts as run.
     */
    @Test
    void anAuditOfAnUnchangedStateReusesItsFindings() {
        var first = audits.run().orElseThrow();
        var second = audits.run().orElseThrow();
        org.junit.jupiter.api.Assertions.assertSame(first.report(), second.report());
        assertTrue(!second.time().isBefore(first.time()), second.time() + " before " + first.time());
        assertTrue(!first.report().findings().isEmpty(), "the standalone state has findings to reuse");
    }

    @Test
    void everyMetricOfTheDashboardAndTheAlertsIsExported() throws Exception {
        given().contentType("application/json").body(WebhookOperationsTest.review("create-virtualservice-loop"))
                .post("/validate").then().statusCode(200);
        given().contentType("application/json").body("{not json").post("/validate").then().statusCode(400);
        assertTrue(audits.run().isPresent(), "the standalone state is synced: the audit runs");
        Map<String, Map<String, Set<String>>> exported = scrape();

        Map<String, String> expressions = new java.util.LinkedHashMap<>(PromQl.dashboardExpressions());
        PromQl.alertExpressions().forEach((alert, expr) -> expressions.put("alert " + alert, expr));
        assertTrue(expressions.size() > 10);
        for (var e : expressions.entrySet()) {
            Set<String> names = PromQl.metricNames(e.getValue());
            assertTrue(!names.isEmpty(), e.getKey());
            for (String name : names) {
                assertTrue(exported.containsKey(name), e.getKey() + " uses " + name + ", which is not exported; exported: "
                        + new TreeSet<>(exported.keySet()).stream().filter(n -> n.startsWith("egress_guard")).toList());
            }
            PromQl.selectorLabels(e.getValue()).forEach((metric, labels) -> {
                for (String label : labels) {
                    assertTrue(exported.get(metric).containsKey(label), e.getKey() + " selects " + metric + " by " + label
                            + ", a label it does not have: " + exported.get(metric).keySet());
                }
            });
        }
        // What the "webhook errors" alert relies on: a body that is not an AdmissionReview is counted as
        // decision "invalid" of kind "unknown".
        assertTrue(exported.get("egress_guard_reviews_total").get("kind").contains("unknown"));
        assertTrue(exported.get("egress_guard_reviews_total").get("decision").containsAll(List.of("invalid", "denied")));
        assertTrue(exported.get("egress_guard_audit_findings").get("severity").contains("error"));
    }

    /** The latency histogram has the buckets the percentile panels need, in seconds. */
    @Test
    void reviewLatencyIsAHistogramWithFixedBuckets() throws Exception {
        given().contentType("application/json").body(WebhookOperationsTest.review("create-serviceentry-correct"))
                .post("/validate").then().statusCode(200);
        Set<String> le = scrape().get("egress_guard_review_seconds_bucket").get("le");
        Set<String> expected = new TreeSet<>();
        Arrays.stream(ReviewLatencyHistogram.BUCKETS_MILLIS).forEach(ms -> expected.add(String.valueOf(ms / 1000)));
        expected.add("+Inf");
        assertEquals(expected, le);
    }
}
