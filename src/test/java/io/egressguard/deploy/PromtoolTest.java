package io.egressguard.deploy;

import io.egressguard.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prometheus's own tool on the alerts and the dashboard: {@code promtool check rules} parses every expression
 * (the dashboard's queries as recording rules, Grafana's variables filled in), and {@code promtool test rules}
 * runs {@code src/test/resources/integrations/prometheus/alerts-test.yaml}: each alert fires on the series
 * that should fire it, with its labels and text, and not before its {@code for} has passed.
 */
class PromtoolTest {

    static final Path ALERT_TESTS = Path.of("src/test/resources/integrations/prometheus/alerts-test.yaml");

    @Test
    void alertsParseAndFireWhenTheyShould(@TempDir Path dir) throws Exception {
        Map<?, ?> rule = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(PromQl.RULES));
        write(dir.resolve("rules.yaml"), rule.get("spec"));
        String check = promtool(dir, "check", "rules", "rules.yaml");
        assertTrue(check.contains("SUCCESS: " + PromQl.alertRules().size() + " rules found"), check);

        Files.copy(ALERT_TESTS, dir.resolve("alerts-test.yaml"));
        String test = promtool(dir, "test", "rules", "alerts-test.yaml");
        assertTrue(test.contains("SUCCESS"), test);
        // Every alert is tested.
        String tests = Files.readString(ALERT_TESTS);
        for (String alert : PromQl.alertExpressions().keySet()) {
            assertTrue(tests.contains("alertname: " + alert + "\n    exp_alerts:"), alert + " has no firing test");
        }
    }

    @Test
    void dashboardQueriesParse(@TempDir Path dir) throws Exception {
        List<Object> rules = new ArrayList<>();
        int i = 0;
        for (String expr : PromQl.dashboardExpressions().values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("record", "dashboard:query" + i++);
            r.put("expr", expr.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$namespace", ".*"));
            rules.add(r);
        }
        write(dir.resolve("dashboard.yaml"), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))));
        String check = promtool(dir, "check", "rules", "dashboard.yaml");
        assertTrue(check.contains("SUCCESS: " + rules.size() + " rules found"), check);
    }

    static void write(Path file, Object yaml) throws IOException {
        Files.writeString(file, new Dump(DumpSettings.builder().build()).dumpToString(yaml));
    }

    static String promtool(Path dir, String... args) throws Exception {
        Prerequisites.requirePromtool();
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is needed for this test (Debian package prometheus; .ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
