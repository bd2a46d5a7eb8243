package io.egressguard.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.integrations.Processes.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GitLab CI template: a job users include, whose variables are the ones its script uses, whose report
 * files are the artifacts GitLab collects, and whose check line, run as the runner runs it, checks real files.
 */
class GitLabTemplateTest {

    static final Path TEMPLATE = Path.of("ci/gitlab/egress-guard.gitlab-ci.yml");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)");

    static Map<?, ?> job;
    static List<String> script;
    static Map<String, String> variables = new HashMap<>();

    @BeforeAll
    static void load() throws Exception {
        Map<?, ?> template = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(TEMPLATE));
        job = (Map<?, ?>) template.get(".egress-guard-check");
        script = ((List<?>) job.get("script")).stream().map(Object::toString).toList();
        ((Map<?, ?>) job.get("variables")).forEach((k, v) -> variables.put(k.toString(), v.toString()));
        Map<?, ?> visible = (Map<?, ?>) template.get("egress-guard-check");
        assertEquals(".egress-guard-check", visible.get("extends"));
        assertEquals("test", visible.get("stage"));
    }

    @Test
    void scriptUsesOnlyDeclaredVariablesAndEveryDeclaredOne() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String line : script) {
            Matcher m = VARIABLE.matcher(line);
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        Set<String> readByCheck = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{?(EGRESS_GUARD_CHECK_\\w+)").matcher(Files.readString(Path.of("ci/check-and-report.sh")));
        while (m.find()) {
            readByCheck.add(m.group(1));
        }
        Set<String> setInScript = new TreeSet<>();
        m = Pattern.compile("(EGRESS_GUARD_CHECK_\\w+)=").matcher(String.join("\n", script));
        while (m.find()) {
            setInScript.add(m.group(1));
        }
        for (String v : used) {
            assertTrue(variables.containsKey(v) || v.startsWith("CI_"), "undeclared variable " + v);
        }
        for (String v : variables.keySet()) {
            // MAVEN_OPTS is read by the Maven wrapper, EGRESS_GUARD_CHECK_* by ci/check-and-report.sh.
            assertTrue(used.contains(v) || readByCheck.contains(v) || v.equals("MAVEN_OPTS"), "unused variable " + v);
        }
        Set<String> given = new TreeSet<>(setInScript);
        variables.keySet().stream().filter(v -> v.startsWith("EGRESS_GUARD_CHECK_")).forEach(given::add);
        assertEquals(readByCheck, given);
        assertTrue(variables.get("MAVEN_OPTS").contains("$CI_PROJECT_DIR/.egress-guard-m2"));
        assertEquals(List.of(".egress-guard-m2/"), ((Map<?, ?>) job.get("cache")).get("paths"));
    }

    @Test
    void reportFilesAreTheArtifacts() {
        String check = checkLine();
        Map<?, ?> artifacts = (Map<?, ?>) job.get("artifacts");
        assertEquals("always", artifacts.get("when"));
        assertTrue(check.contains("EGRESS_GUARD_CHECK_SARIF=" + ((List<?>) artifacts.get("paths")).get(0) + " "), check);
        assertTrue(check.contains("EGRESS_GUARD_CHECK_CODEQUALITY=" + ((Map<?, ?>) artifacts.get("reports")).get("codequality") + " "),
                check);
    }

    @Test
    void checkLineChecksTheProjectAndWritesTheReports(@TempDir Path project) throws Exception {
        Files.createDirectories(project.resolve("deploy/istio"));
        Files.copy(Path.of("examples/broken/route-loop.yaml"), project.resolve("deploy/istio/route-loop.yaml"));
        Files.copy(Path.of("examples/cluster/istio-demo-install.yaml"), project.resolve("deploy/cluster.yaml"));
        Result r = runCheckLine(project, Map.of("EGRESS_GUARD_CHECK_PATHS", "deploy"));
        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().startsWith("error EG202 VirtualService default/slack-through-egress"), r.all());
        JsonNode quality = new ObjectMapper().readTree(project.resolve("gl-code-quality-report.json").toFile());
        assertEquals(1, quality.size(), quality.toString());
        assertEquals("EG202", quality.get(0).get("check_name").asText());
        assertEquals("deploy/istio/route-loop.yaml", quality.get(0).get("location").get("path").asText());
        JsonNode sarif = new ObjectMapper().readTree(project.resolve("egress-guard.sarif").toFile());
        assertEquals("EG202", sarif.get("runs").get(0).get("results").get(0).get("ruleId").asText());

        r = runCheckLine(project, Map.of("EGRESS_GUARD_CHECK_PATHS", "deploy", "EGRESS_GUARD_CHECK_SEVERITY", "EG202=info"));
        assertEquals(0, r.status(), r.all());
        assertEquals("info", new ObjectMapper().readTree(project.resolve("gl-code-quality-report.json").toFile())
                .get(0).get("severity").asText());
    }

    @Test
    void withoutPathsTheJobFailsWithTheReason(@TempDir Path project) throws Exception {
        Result r = runCheckLine(project, Map.of());
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("no paths to check: set EGRESS_GUARD_CHECK_PATHS"), r.all());
        assertFalse(Files.exists(project.resolve("gl-code-quality-report.json")));
    }

    static String checkLine() {
        return script.stream().filter(l -> l.contains("ci/check-and-report.sh")).findFirst().orElseThrow();
    }

    /** The check line under the template's variables (with these overrides), in the project directory. */
    static Result runCheckLine(Path project, Map<String, String> overrides) throws Exception {
        Map<String, String> env = new HashMap<>(variables);
        env.putAll(overrides);
        env.putAll(LauncherTest.withJar());
        env.put("CI_PROJECT_DIR", project.toString());
        env.put("EGRESS_GUARD_SOURCE_DIR", Processes.REPO.toString());
        return Processes.run(project, env, null, List.of("bash", "-c", checkLine()));
    }
}
