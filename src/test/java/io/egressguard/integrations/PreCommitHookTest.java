package io.egressguard.integrations;

import io.egressguard.integrations.Processes.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code .pre-commit-hooks.yaml}: the hook's entry is a real executable that runs check on the files
 * pre-commit passes, and its file patterns take manifests and leave the usual non-manifest YAML out.
 */
class PreCommitHookTest {

    static Map<?, ?> hook;

    @BeforeAll
    static void load() throws Exception {
        List<?> hooks = (List<?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(Path.of(".pre-commit-hooks.yaml")));
        assertEquals(1, hooks.size());
        hook = (Map<?, ?>) hooks.get(0);
        assertEquals("egress-guard-check", hook.get("id"));
        assertEquals("script", hook.get("language"));
        // All files of one run form one cluster state: pre-commit must not split them over parallel processes.
        assertEquals(Boolean.TRUE, hook.get("require_serial"));
    }

    static List<String> entry() {
        return List.of(((String) hook.get("entry")).split(" "));
    }

    /** pre-commit's own test: the path searched from the start, as Python's re.search does. */
    static boolean matches(String key, String path) {
        return Pattern.compile((String) hook.get(key)).matcher(path).find();
    }

    static boolean selected(String path) {
        return matches("files", path) && !matches("exclude", path);
    }

    @Test
    void entryIsAnExecutableThatRunsCheck() throws Exception {
        Path script = Path.of(entry().get(0));
        assertTrue(Files.isRegularFile(script) && Files.isExecutable(script), script + " must be an executable file");
        List<String> command = new ArrayList<>(entry());
        command.addAll(List.of("examples/broken/route-loop.yaml", "examples/cluster/istio-demo-install.yaml"));
        Result broken = Processes.run(Processes.REPO, LauncherTest.withJar(), null, command);
        assertEquals(1, broken.status(), broken.all());
        assertTrue(broken.out().startsWith("error EG202 VirtualService default/slack-through-egress"), broken.all());

        command = new ArrayList<>(entry());
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("examples/cluster")), Files.walk(Path.of("examples/correct")))) {
            files.filter(Files::isRegularFile).map(Path::toString).filter(PreCommitHookTest::selected).forEach(command::add);
        }
        Result correct = Processes.run(Processes.REPO, LauncherTest.withJar(), null, command);
        assertEquals(0, correct.status(), correct.all());
        assertTrue(correct.out().contains(": 0 errors, 0 warnings"), correct.all());

        command = new ArrayList<>(entry());
        command.add("README.md");
        Result notAManifest = Processes.run(Processes.REPO, LauncherTest.withJar(), null, command);
        assertEquals(2, notAManifest.status(), notAManifest.all());
        assertTrue(notAManifest.err().startsWith("egress-guard check: README.md"), notAManifest.all());
    }

    @Test
    void filePatternsTakeManifestsOnly() throws Exception {
        try (Stream<Path> files = Files.walk(Path.of("examples"))) {
            List<String> manifests = files.filter(Files::isRegularFile).map(Path::toString).filter(p -> !p.endsWith(".md")).toList();
            assertFalse(manifests.isEmpty());
            for (String manifest : manifests) {
                assertTrue(selected(manifest), manifest);
            }
        }
        for (String manifest : List.of("deploy/istio/egress.yml", "policies.json", "k8s/base/networkpolicy.yaml")) {
            assertTrue(selected(manifest), manifest);
        }
        for (String other : List.of("README.md", ".pre-commit-config.yaml", ".github/workflows/ci.yml", ".gitlab-ci.yml",
                "charts/app/Chart.yaml", "charts/app/values.yaml", "charts/app/values-prod.yaml",
                "charts/app/templates/virtualservice.yaml", "overlays/prod/kustomization.yaml", "action.yml",
                "package.json", "deploy/helm/egress-guard/templates/deployment.yaml")) {
            assertFalse(selected(other), other);
        }
    }
}
