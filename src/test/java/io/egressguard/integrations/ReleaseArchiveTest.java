package io.egressguard.integrations;

import io.egressguard.integrations.Processes.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ci/release-archive.sh, run by the release workflow, makes the archive the krew manifest installs: unpacked
 * and placed as krew places its {@code files}, the plugin runs {@code check}.
 */
class ReleaseArchiveTest {

    @Test
    void archiveHasTheLayoutOfTheKrewManifestAndRuns(@TempDir Path dir) throws Exception {
        // A checkout after ./mvnw package: the scripts and target/quarkus-app.
        Path checkout = dir.resolve("checkout");
        LauncherTest.copyLauncher(checkout);
        Files.createDirectories(checkout.resolve("ci"));
        Files.copy(Path.of("ci/release-archive.sh"), checkout.resolve("ci/release-archive.sh"));
        Processes.writeApplicationJar(checkout.resolve("target/quarkus-app/quarkus-run.jar"));
        Result built = Processes.run(checkout, Map.of(), null, List.of("bash", "ci/release-archive.sh", "0.1.0", dir.toString()));
        assertEquals(0, built.status(), built.all());
        Path archive = dir.resolve("egress-guard-0.1.0.tar.gz");
        assertEquals(archive + "\n", built.out().lines().findFirst().orElse("") + "\n");
        assertTrue(built.out().lines().anyMatch(l -> l.matches("sha256 [0-9a-f]{64}")), built.out());

        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        assertEquals(0, Processes.run(unpacked, Map.of(), null, List.of("tar", "-xzf", archive.toString())).status());
        // krew copies each `from` to its `to` under the plugin's directory, then runs `bin`.
        Map<?, ?> spec = (Map<?, ?>) ((Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("deploy/krew/egress-guard.yaml")))).get("spec");
        Map<?, ?> platform = (Map<?, ?>) ((List<?>) spec.get("platforms")).get(0);
        Path installed = Files.createDirectories(dir.resolve("krew-plugin"));
        for (Object o : (List<?>) platform.get("files")) {
            Map<?, ?> f = (Map<?, ?>) o;
            String from = (String) f.get("from");
            Path target = Files.createDirectories(installed.resolve((String) f.get("to")));
            String copy = from.endsWith("/*") ? "cp -R " + unpacked.resolve(from.substring(0, from.length() - 2)) + "/. " + target
                    : "cp -R " + unpacked.resolve(from) + "/. " + target;
            assertEquals(0, Processes.run(dir, Map.of(), null, List.of("bash", "-c", copy)).status(), copy);
        }
        Path plugin = installed.resolve((String) platform.get("bin"));
        assertTrue(Files.isExecutable(plugin), plugin.toString());
        Result r = Processes.run(dir, Map.of(), null,
                List.of(plugin.toString(), "check", Processes.REPO.resolve("examples/broken/route-loop.yaml").toString()));
        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().startsWith("error EG202 VirtualService default/slack-through-egress"), r.all());
    }

    @Test
    void helpPrintsTheUsage() throws Exception {
        Result r = Processes.run(Map.of(), null, "bash", "ci/release-archive.sh", "--help");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().startsWith("Builds the release archive") && !r.out().contains("set -euo"), r.out());
    }
}
