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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GitHub Action ({@code action.yml}): its inputs are declared and used, and its check and fail steps,
 * run as the runner runs them (their {@code ${{ }}} expressions filled in), check real files, write a SARIF
 * report code scanning accepts, and fail the job exactly when check fails.
 */
class GitHubActionTest {

    static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*([^}]*?)\\s*}}");
    static final Pattern INPUT = Pattern.compile("inputs\\.([A-Za-z0-9_-]+)");

    static Map<?, ?> action;
    static Map<String, Map<?, ?>> steps;

    @BeforeAll
    static void load() throws Exception {
        action = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(Path.of("action.yml")));
        steps = new LinkedHashMap<>();
        int i = 0;
        for (Object s : (List<?>) ((Map<?, ?>) action.get("runs")).get("steps")) {
            Map<?, ?> step = (Map<?, ?>) s;
            steps.put(step.get("id") != null ? (String) step.get("id") : "#" + i, step);
            i++;
        }
    }

    static Map<?, ?> inputs() {
        return (Map<?, ?>) action.get("inputs");
    }

    @Test
    void everyInputUsedIsDeclaredAndEveryDeclaredInputIsUsed() {
        Set<String> used = new TreeSet<>();
        Matcher m = INPUT.matcher(strings(action.get("runs")) + strings(action.get("outputs")));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertEquals(new TreeSet<>(stringKeys(inputs())), used);
        assertEquals(Boolean.TRUE, ((Map<?, ?>) inputs().get("paths")).get("required"));
        for (Object name : inputs().keySet()) {
            Map<?, ?> input = (Map<?, ?>) inputs().get(name);
            assertFalse(String.valueOf(input.get("description")).isBlank(), name + " has no description");
            assertTrue(Boolean.TRUE.equals(input.get("required")) || input.containsKey("default"), name + " has no default");
        }
    }

    @Test
    void compositeStepsAreWellFormed() {
        assertEquals("composite", ((Map<?, ?>) action.get("runs")).get("using"));
        for (Map<?, ?> step : steps.values()) {
            if (step.containsKey("run")) {
                assertEquals("bash", step.get("shell"), "composite run steps must name their shell: " + step);
            } else {
                assertTrue(((String) step.get("uses")).matches("[\\w-]+/[\\w/-]+@v\\d+"), "pinned action: " + step);
            }
        }
        // Outputs and conditions refer to steps that exist and to outputs that the check step writes.
        Matcher m = Pattern.compile("steps\\.([\\w-]+)\\.outputs\\.([\\w-]+)").matcher(strings(action));
        int references = 0;
        while (m.find()) {
            references++;
            Map<?, ?> step = steps.get(m.group(1));
            assertNotNull(step, "no step " + m.group(1));
            assertTrue(((String) step.get("run")).contains("echo \"" + m.group(2) + "="), m.group());
        }
        assertTrue(references >= 3);
        Map<?, ?> upload = steps.values().stream().filter(s -> String.valueOf(s.get("uses")).startsWith("github/codeql-action/upload-sarif@"))
                .findFirst().orElseThrow();
        assertTrue(((String) upload.get("if")).contains("inputs.upload-sarif == 'true'"));
        assertEquals("${{ inputs.sarif-file }}", ((Map<?, ?>) upload.get("with")).get("sarif_file"));
    }

    /** The variables the check step sets are those ci/check-and-report.sh reads (less GitLab's Code Quality file). */
    @Test
    void checkStepSetsTheVariablesTheScriptReads() throws Exception {
        Set<String> read = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{?(EGRESS_GUARD_CHECK_\\w+)").matcher(Files.readString(Path.of("ci/check-and-report.sh")));
        while (m.find()) {
            read.add(m.group(1));
        }
        read.remove("EGRESS_GUARD_CHECK_CODEQUALITY");
        assertEquals(read, new TreeSet<>(stringKeys((Map<?, ?>) steps.get("check").get("env"))));
    }

    @Test
    void findingsFailTheJobAndLandInSarif(@TempDir Path dir) throws Exception {
        Path sarif = dir.resolve("reports/egress-guard.sarif");
        Run run = runAction(dir, Map.of("paths", "examples/broken/route-loop.yaml\nexamples/cluster\n", "sarif-file", sarif.toString()));
        assertEquals(1, run.exitCode(), run.check().all());
        assertTrue(run.check().out().startsWith("error EG202 VirtualService default/slack-through-egress spec.http[0]"),
                run.check().all());
        JsonNode report = new ObjectMapper().readTree(sarif.toFile());
        assertEquals("2.1.0", report.get("version").asText());
        JsonNode result = report.get("runs").get(0).get("results").get(0);
        assertEquals("EG202", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        JsonNode location = result.get("locations").get(0).get("physicalLocation");
        // Relative to the workspace, as code scanning needs to annotate the file in the pull request.
        assertEquals("examples/broken/route-loop.yaml", location.get("artifactLocation").get("uri").asText());
        assertTrue(Files.readString(Path.of("examples/broken/route-loop.yaml")).lines()
                .skip(location.get("region").get("startLine").asInt() - 1).findFirst().orElseThrow().startsWith("apiVersion"));
        assertEquals(1, run.fail().status(), run.fail().all());
        assertTrue(run.fail().out().contains("::error title=egress-guard::findings at or above 'error'"), run.fail().all());
    }

    @Test
    void severityAndFailOnInputsReachCheck(@TempDir Path dir) throws Exception {
        Map<String, String> inputs = new HashMap<>(Map.of("paths", "examples/broken/route-loop.yaml examples/cluster",
                "sarif-file", dir.resolve("out.sarif").toString(), "severity", "EG202=warn, EG606=off"));
        Run warned = runAction(dir, inputs);
        assertEquals(0, warned.exitCode(), warned.check().all());
        assertTrue(warned.check().out().startsWith("warning EG202 "), warned.check().all());
        assertEquals("warning", new ObjectMapper().readTree(dir.resolve("out.sarif").toFile())
                .get("runs").get(0).get("results").get(0).get("level").asText());
        assertEquals(null, warned.fail(), "the fail step does not run on exit code 0");

        inputs.put("fail-on", "warning");
        Run failed = runAction(dir, inputs);
        assertEquals(1, failed.exitCode(), failed.check().all());
        assertEquals(1, failed.fail().status());
        assertTrue(failed.fail().out().contains("findings at or above 'warning'"), failed.fail().all());
    }

    @Test
    void correctConfigurationPasses(@TempDir Path dir) throws Exception {
        Run run = runAction(dir, Map.of("paths", "examples/cluster examples/correct", "sarif-file", dir.resolve("x.sarif").toString(),
                "root-namespace", "istio-system", "namespace", "default"));
        assertEquals(0, run.exitCode(), run.check().all());
        for (JsonNode result : new ObjectMapper().readTree(dir.resolve("x.sarif").toFile()).get("runs").get(0).get("results")) {
            assertEquals("note", result.get("level").asText(), result.toString());
        }
    }

    @Test
    void unreadableInputIsExit2WithoutReport(@TempDir Path dir) throws Exception {
        Path sarif = dir.resolve("x.sarif");
        Run run = runAction(dir, Map.of("paths", "examples/no-such-dir", "sarif-file", sarif.toString()));
        assertEquals(2, run.exitCode(), run.check().all());
        assertTrue(run.check().err().contains("egress-guard check: examples/no-such-dir: no such file or directory"),
                run.check().all());
        assertFalse(Files.exists(sarif));
        assertEquals(2, run.fail().status());
        assertTrue(run.fail().out().contains("check could not run (exit 2"), run.fail().all());

        Run usage = runAction(dir, Map.of("paths", "examples/correct", "sarif-file", sarif.toString(), "fail-on", "sometimes"));
        assertEquals(2, usage.exitCode(), usage.check().all());
        assertTrue(usage.check().err().contains("--fail-on takes error or warning, not 'sometimes'"), usage.check().all());
    }

    record Run(Result check, int exitCode, Result fail) {
    }

    /**
     * Runs the check step and, when the exit code calls for it, the fail step, as the runner would: their
     * {@code run} scripts under {@code bash -e -o pipefail}, with {@code env} and the script's expressions
     * filled in from the inputs (given, else the declared defaults) and the check step's outputs.
     */
    static Run runAction(Path dir, Map<String, String> given) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (Object name : inputs().keySet()) {
            Object d = ((Map<?, ?>) inputs().get(name)).get("default");
            values.put("inputs." + name, d == null ? "" : d.toString());
        }
        given.forEach((k, v) -> values.put("inputs." + k, v));
        Path output = dir.resolve("github-output");
        Files.writeString(output, "");
        Result check = runStep(steps.get("check"), values, output);
        assertEquals(0, check.status(), "the check step itself never fails: " + check.all());
        Map<String, String> outputs = new HashMap<>();
        for (String line : Files.readAllLines(output)) {
            int eq = line.indexOf('=');
            outputs.put(line.substring(0, eq), line.substring(eq + 1));
        }
        int exitCode = Integer.parseInt(outputs.get("exit-code"));
        values.put("steps.check.outputs.exit-code", outputs.get("exit-code"));
        Map<?, ?> fail = steps.values().stream().filter(s -> "Fail on findings".equals(s.get("name"))).findFirst().orElseThrow();
        assertEquals("always() && steps.check.outputs.exit-code != '0'", fail.get("if"));
        return new Run(check, exitCode, exitCode != 0 ? runStep(fail, values, output) : null);
    }

    static Result runStep(Map<?, ?> step, Map<String, String> values, Path output) throws Exception {
        Map<String, String> env = new HashMap<>(LauncherTest.withJar());
        env.put("GITHUB_ACTION_PATH", Processes.REPO.toString());
        env.put("GITHUB_OUTPUT", output.toString());
        Map<?, ?> stepEnv = step.get("env") == null ? Map.of() : (Map<?, ?>) step.get("env");
        stepEnv.forEach((k, v) -> env.put(k.toString(), fill(v.toString(), values)));
        List<String> command = new ArrayList<>(List.of("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c",
                fill((String) step.get("run"), values)));
        return Processes.run(Processes.REPO, env, null, command);
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = EXPRESSION.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            assertNotNull(value, "unknown expression " + m.group());
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static List<String> stringKeys(Map<?, ?> map) {
        return map.keySet().stream().map(Object::toString).toList();
    }

    /** Every string of a YAML tree, keys and values, one per line. */
    static String strings(Object node) {
        StringBuilder sb = new StringBuilder();
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> sb.append(k).append('\n').append(strings(v)));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> sb.append(strings(v)));
        } else if (node != null) {
            sb.append(node).append('\n');
        }
        return sb.toString();
    }
}
