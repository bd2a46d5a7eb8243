package io.egressguard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard, the PrometheusRule and the ServiceMonitor in {@code deploy/}: well-formed, covering
 * what operators watch, and scraping the Service the chart creates. That every metric they use is exported is
 * checked against the running application by {@code io.egressguard.webhook.ObservabilityMetricsTest}.
 */
class DashboardAndAlertsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void metricNamesAreFoundInPromQl() {
        assertEquals(Set.of("a_total", "b_seconds_count"), PromQl.metricNames(
                "sum by (kind, decision) (rate(a_total{decision=\"denied\", kind=~\"Virtual.*\"}[$__rate_interval])) / on(kind) "
                        + "group_left sum without (le) (b_seconds_count offset 1h) > 1e3"));
        assertEquals(Set.of("x"), PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(x[5m]))) or vector(0)"));
        assertEquals(Set.of("up"), PromQl.metricNames("time() - max(up) > 600 and ignoring(pod) up"));
        assertEquals(Map.of("a_total", Set.of("decision", "kind")),
                PromQl.selectorLabels("sum(a_total{decision=\"x,y\", kind!=\"}\"})"));
    }

    @Test
    void dashboardIsAGrafanaDashboard() throws Exception {
        JsonNode d = JSON.readTree(PromQl.DASHBOARD.toFile());
        assertEquals("egress-guard", d.get("uid").asText());
        assertFalse(d.get("title").asText().isBlank());
        assertTrue(d.get("schemaVersion").asInt() >= 36);
        JsonNode variables = d.get("templating").get("list");
        assertEquals("datasource", variables.get(0).get("name").asText());
        assertEquals("datasource", variables.get(0).get("type").asText());
        assertEquals("prometheus", variables.get(0).get("query").asText());

        Set<Integer> ids = new HashSet<>();
        List<int[]> areas = new ArrayList<>();
        for (JsonNode panel : d.get("panels")) {
            String title = panel.get("title").asText();
            assertTrue(ids.add(panel.get("id").asInt()), "duplicate panel id in " + title);
            assertEquals("${datasource}", panel.get("datasource").get("uid").asText(), title);
            JsonNode grid = panel.get("gridPos");
            int[] area = {grid.get("x").asInt(), grid.get("y").asInt(), grid.get("w").asInt(), grid.get("h").asInt()};
            assertTrue(area[0] >= 0 && area[2] > 0 && area[0] + area[2] <= 24 && area[3] > 0, title + " outside the 24-column grid");
            for (int[] other : areas) {
                boolean overlap = area[0] < other[0] + other[2] && other[0] < area[0] + area[2]
                        && area[1] < other[1] + other[3] && other[1] < area[1] + area[3];
                assertFalse(overlap, title + " overlaps another panel");
            }
            areas.add(area);
            assertTrue(panel.get("targets").size() > 0, title + " has no query");
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.get("targets")) {
                assertTrue(refIds.add(target.get("refId").asText()), title);
                assertFalse(PromQl.metricNames(target.get("expr").asText()).isEmpty(), title + ": no metric in " + target);
                assertBalanced(target.get("expr").asText());
            }
        }
    }

    /** The dashboard shows what the webhook and the audit measure, every series of it. */
    @Test
    void dashboardCoversTheWebhookAndTheAudit() throws Exception {
        Set<String> used = new TreeSet<>();
        PromQl.dashboardExpressions().values().forEach(e -> used.addAll(PromQl.metricNames(e)));
        assertTrue(used.containsAll(Set.of("egress_guard_reviews_total", "egress_guard_review_seconds_bucket",
                "egress_guard_findings_total", "egress_guard_audit_findings", "egress_guard_state_sync_age_seconds",
                "egress_guard_state_ready", "egress_guard_state_objects", "egress_guard_audit_last_run_timestamp_seconds",
                "egress_guard_audit_duration_seconds")), used.toString());
        String all = String.join("\n", PromQl.dashboardExpressions().values());
        for (String quantile : List.of("histogram_quantile(0.5,", "histogram_quantile(0.95,", "histogram_quantile(0.99,")) {
            assertTrue(all.contains(quantile), quantile);
        }
        assertTrue(all.contains("sum by (kind) (rate(egress_guard_reviews_total{decision=\"denied\"}"), "denials by kind");
        assertTrue(all.contains("max by (code, severity, namespace) (egress_guard_audit_findings"), "audit findings by code and namespace");
    }

    @Test
    void prometheusRuleAlertsOnWhatBreaks() throws Exception {
        Map<?, ?> doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(PromQl.RULES));
        assertEquals("monitoring.coreos.com/v1", doc.get("apiVersion"));
        assertEquals("PrometheusRule", doc.get("kind"));
        Set<String> names = new TreeSet<>();
        for (Map<?, ?> rule : PromQl.alertRules()) {
            String name = (String) rule.get("alert");
            assertTrue(names.add(name), "duplicate alert " + name);
            assertTrue(Set.of("warning", "critical").contains(((Map<?, ?>) rule.get("labels")).get("severity")), name);
            Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
            assertFalse(String.valueOf(annotations.get("summary")).isBlank(), name);
            assertFalse(String.valueOf(annotations.get("description")).isBlank(), name);
            assertTrue(rule.get("for") == null || String.valueOf(rule.get("for")).matches("\\d+[smh]"), name);
            String expr = ((String) rule.get("expr")).strip();
            assertFalse(PromQl.metricNames(expr).isEmpty(), name);
            assertTrue(expr.matches("(?s).*[<>]=?\\s*[0-9.]+$"), name + ": an alert compares with a threshold");
            assertBalanced(expr);
        }
        assertEquals(Set.of("EgressGuardWebhookErrors", "EgressGuardDenialsSpike", "EgressGuardStateNotSynced",
                "EgressMisconfigurationPresent", "EgressGuardAuditStale", "EgressGuardCertificateExpiresSoon",
                "EgressGuardCertificateReloadFailed"), names);
    }

    /** The ServiceMonitor selects the chart's Service and scrapes its management port at /q/metrics. */
    @Test
    void serviceMonitorScrapesTheChartsService() throws Exception {
        Map<?, ?> monitor = (Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("deploy/prometheus/servicemonitor.yaml")));
        assertEquals("ServiceMonitor", monitor.get("kind"));
        Map<?, ?> spec = (Map<?, ?>) monitor.get("spec");
        Map<?, ?> selector = (Map<?, ?>) ((Map<?, ?>) spec.get("selector")).get("matchLabels");
        Map<?, ?> service = null;
        for (Object o : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(HelmChartTest.MANIFESTS))) {
            if (o instanceof Map<?, ?> m && "Service".equals(m.get("kind"))) {
                service = m;
            }
        }
        Map<?, ?> labels = (Map<?, ?>) ((Map<?, ?>) service.get("metadata")).get("labels");
        selector.forEach((k, v) -> assertEquals(v, labels.get(k), "label " + k));
        Map<?, ?> endpoint = (Map<?, ?>) ((List<?>) spec.get("endpoints")).get(0);
        assertEquals("/q/metrics", endpoint.get("path"));
        // The audit's own `namespace` label must survive the scrape (the dashboard and alerts group by it).
        assertEquals(Boolean.TRUE, endpoint.get("honorLabels"));
        boolean portExists = ((List<?>) ((Map<?, ?>) service.get("spec")).get("ports")).stream()
                .anyMatch(p -> endpoint.get("port").equals(((Map<?, ?>) p).get("name")) && Integer.valueOf(9000).equals(((Map<?, ?>) p).get("port")));
        assertTrue(portExists, "the Service has no port " + endpoint.get("port") + " on 9000");
    }

    static void assertBalanced(String expr) {
        int depth = 0;
        for (char c : expr.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            assertTrue(depth >= 0, "unbalanced parentheses: " + expr);
        }
        assertEquals(0, depth, "unbalanced parentheses: " + expr);
    }
}
