package io.egressguard.integrations;

import io.egressguard.Prerequisites;
import io.egressguard.integrations.Processes.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/egress-guard} and the kubectl plugin {@code kubectl-egress_guard}: they find the application,
 * pass every argument and the exit status through, and fail with exit 2 and a reason when Java or the
 * application is missing.
 */
class LauncherTest {

    static final String LAUNCHER = "bin/egress-guard";
    static final String PLUGIN = "bin/kubectl-egress_guard";

    static Map<String, String> withJar() throws Exception {
        return Map.of("EGRESS_GUARD_JAR", Processes.applicationJar().toString());
    }

    @Test
    void runsCheckAndPassesTheExitStatusThrough() throws Exception {
        Result ok = Processes.run(withJar(), null, LAUNCHER, "check", "examples/cluster", "examples/correct");
        assertEquals(0, ok.status(), ok.all());
        assertTrue(ok.out().contains(": 0 errors, 0 warnings"), ok.all());

        Result broken = Processes.run(withJar(), null, LAUNCHER, "check", "examples/broken/route-loop.yaml");
        assertEquals(1, broken.status(), broken.all());
        assertTrue(broken.out().startsWith("error EG202 VirtualService default/slack-through-egress spec.http[0]: "),
                broken.all());

        Result missing = Processes.run(withJar(), null, LAUNCHER, "check", "examples/no-such-file.yaml");
        assertEquals(2, missing.status(), missing.all());
        assertEquals("egress-guard check: examples/no-such-file.yaml: no such file or directory\n", missing.err());
        assertEquals("", missing.out());
    }

    @Test
    void readsStandardInput() throws Exception {
        String loop = Files.readString(Path.of("examples/broken/route-loop.yaml"));
        Result r = Processes.run(withJar(), loop, LAUNCHER, "check", "-o", "json", "-");
        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().contains("\"code\" : \"EG202\""), r.all());
        assertTrue(r.out().contains("\"file\" : \"-\""), r.all());
    }

    @Test
    void kubectlPluginIsTheSameLauncher() throws Exception {
        assertTrue(Files.isExecutable(Path.of(PLUGIN)), PLUGIN + " must be executable");
        Result direct = Processes.run(withJar(), null, LAUNCHER, "check", "--fail-on", "warning", "examples/broken/bypass.yaml");
        Result plugin = Processes.run(withJar(), null, PLUGIN, "check", "--fail-on", "warning", "examples/broken/bypass.yaml");
        assertEquals(1, plugin.status(), plugin.all());
        assertTrue(plugin.out().startsWith("warning EG203 VirtualService default/weather-through-egress"), plugin.all());
        assertEquals(direct, plugin);
        Result help = Processes.run(withJar(), null, PLUGIN, "--help");
        assertEquals(0, help.status(), help.all());
        assertTrue(help.out().contains("check ") && help.out().contains("audit "), help.all());
    }

    /** kubectl itself finds the plugin on PATH and runs it: {@code kubectl egress-guard check ...}. */
    @Test
    void kubectlRunsThePluginFromPath() throws Exception {
        Prerequisites.requireKubectl();
        Map<String, String> env = new HashMap<>(withJar());
        env.put("PATH", Processes.REPO.resolve("bin") + ":" + System.getenv("PATH"));
        env.put("KUBECONFIG", "/dev/null"); // plugins run without a cluster
        Result list = Processes.run(env, null, "kubectl", "plugin", "list");
        assertTrue(list.out().contains("kubectl-egress_guard"), list.all());
        Result r = Processes.run(env, null, "kubectl", "egress-guard", "check", "examples/broken/route-loop.yaml");
        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().contains("error EG202 VirtualService default/slack-through-egress"), r.all());
    }

    @Test
    void findsTheApplicationOfAReleaseArchiveOrASourceCheckout(@TempDir Path dir) throws Exception {
        Path example = Processes.REPO.resolve("examples/broken/route-loop.yaml");
        // A release archive: bin/ and quarkus-app/ side by side.
        Path release = dir.resolve("release");
        Path launcher = copyLauncher(release);
        Processes.writeApplicationJar(release.resolve("quarkus-app/quarkus-run.jar"));
        assertEquals(1, Processes.run(dir, Map.of(), null, List.of(launcher.toString(), "check", example.toString())).status());
        // A source checkout after ./mvnw package.
        Path checkout = dir.resolve("checkout");
        launcher = copyLauncher(checkout);
        Processes.writeApplicationJar(checkout.resolve("target/quarkus-app/quarkus-run.jar"));
        Result r = Processes.run(dir, Map.of(), null, List.of(launcher.toString(), "check", example.toString()));
        assertEquals(1, r.status(), r.all());
        // EGRESS_GUARD_HOME naming the quarkus-app directory or its parent.
        Path bare = copyLauncher(dir.resolve("bare"));
        for (Path home : List.of(release, release.resolve("quarkus-app"))) {
            r = Processes.run(dir, Map.of("EGRESS_GUARD_HOME", home.toString()), null,
                    List.of(bare.toString(), "check", example.toString()));
            assertEquals(1, r.status(), home + ": " + r.all());
        }
    }

    /** Installed as a symbolic link (krew, or a link in ~/bin), the launcher still finds its own directory. */
    @Test
    void followsSymbolicLinks(@TempDir Path dir) throws Exception {
        Path release = dir.resolve("release");
        Path launcher = copyLauncher(release);
        Processes.writeApplicationJar(release.resolve("quarkus-app/quarkus-run.jar"));
        Path onPath = Files.createDirectories(dir.resolve("path"));
        Files.createSymbolicLink(release.resolve("bin/kubectl-egress_guard"), Path.of("egress-guard"));
        Files.createSymbolicLink(onPath.resolve("kubectl-egress_guard"), release.resolve("bin/kubectl-egress_guard"));
        Result r = Processes.run(dir, Map.of(), null, List.of(onPath.resolve("kubectl-egress_guard").toString(), "check",
                Processes.REPO.resolve("examples/correct").toString(), Processes.REPO.resolve("examples/cluster").toString()));
        assertEquals(0, r.status(), r.all());
    }

    @Test
    void missingApplicationIsExit2WithTheReason(@TempDir Path dir) throws Exception {
        Path alone = copyLauncher(dir.resolve("alone"));
        Result r = Processes.run(dir, Map.of(), null, List.of(alone.toString(), "check", "x.yaml"));
        assertEquals(2, r.status(), r.all());
        assertEquals("egress-guard: cannot find the application (quarkus-app/quarkus-run.jar): set EGRESS_GUARD_HOME or "
                + "EGRESS_GUARD_JAR\n", r.err());

        Path checkout = dir.resolve("checkout");
        Path launcher = copyLauncher(checkout);
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.copy(Path.of("mvnw"), checkout.resolve("mvnw"));
        r = Processes.run(dir, Map.of(), null, List.of(launcher.toString(), "check", "x.yaml"));
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("the application is not built: run ./mvnw -B package -DskipTests in " + checkout.toRealPath()),
                r.all());

        r = Processes.run(dir, Map.of("EGRESS_GUARD_HOME", dir.toString()), null, List.of(alone.toString(), "check", "x.yaml"));
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("EGRESS_GUARD_HOME=" + dir + " holds neither"), r.all());

        r = Processes.run(dir, Map.of("EGRESS_GUARD_JAR", dir.resolve("nope.jar").toString()), null,
                List.of(alone.toString(), "check", "x.yaml"));
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("EGRESS_GUARD_JAR=" + dir.resolve("nope.jar") + ": no such file"), r.all());
    }

    @Test
    void missingJavaIsExit2WithTheReason(@TempDir Path dir) throws Exception {
        // A PATH with the few tools the launcher itself uses, and no java.
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("dirname", "readlink")) {
            Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::exists).findFirst()
                    .orElseThrow();
            Files.createSymbolicLink(tools.resolve(tool), real);
        }
        Map<String, String> env = new HashMap<>(withJar());
        env.put("PATH", tools.toString());
        env.put("JAVA_HOME", null);
        Result r = Processes.run(Processes.REPO, env, null, List.of("/bin/bash", LAUNCHER, "check", "examples/correct"));
        assertEquals(2, r.status(), r.all());
        assertEquals("egress-guard: Java 17 or newer is needed: install a JDK or JRE, or set JAVA_HOME\n", r.err());
    }

    @Test
    void passesJavaOptions() throws Exception {
        Map<String, String> env = new HashMap<>(withJar());
        env.put("EGRESS_GUARD_JAVA_OPTS", "-Duser.language=en -XshowSettings:properties");
        Result r = Processes.run(env, null, LAUNCHER, "check", "examples/correct", "examples/cluster");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.err().contains("user.language = en"), r.all());
    }

    /** The JVM runs with the images' compiler thresholds, and an option of EGRESS_GUARD_JAVA_OPTS overrides one. */
    @Test
    void startsTheJvmWithTheImagesCompilerThresholds() throws Exception {
        Map<String, String> env = new HashMap<>(withJar());
        env.put("EGRESS_GUARD_JAVA_OPTS", "-XX:Tier4CompileThreshold=70000 -XX:+PrintFlagsFinal -version");
        Result r = Processes.run(env, null, LAUNCHER, "check", "examples/correct");
        assertEquals(0, r.status(), r.all());
        // one line of -XX:+PrintFlagsFinal per flag: its value and where it was set
        assertTrue(r.out().matches("(?s).*\\bTier4InvocationThreshold += 20000 [^\\n]*\\{command line}.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\bTier4BackEdgeThreshold += 160000 [^\\n]*\\{command line}.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\bTier4CompileThreshold += 70000 [^\\n]*\\{command line}.*"), r.out());
    }

    /** The krew manifest installs the launcher from a release archive laid out as the launcher expects. */
    @Test
    void krewManifestPointsAtThePlugin() throws Exception {
        Map<?, ?> plugin = (Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("deploy/krew/egress-guard.yaml")));
        assertEquals("krew.googlecontainertools.github.com/v1alpha2", plugin.get("apiVersion"));
        assertEquals("Plugin", plugin.get("kind"));
        assertEquals("egress-guard", ((Map<?, ?>) plugin.get("metadata")).get("name"));
        Map<?, ?> spec = (Map<?, ?>) plugin.get("spec");
        Matcher version = Pattern.compile("<artifactId>egress-guard</artifactId>\\s*<version>(\\d+\\.\\d+\\.\\d+)")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(version.find());
        assertEquals("v" + version.group(1), spec.get("version"));
        List<?> platforms = (List<?>) spec.get("platforms");
        assertEquals(1, platforms.size());
        Map<?, ?> platform = (Map<?, ?>) platforms.get(0);
        assertEquals(PLUGIN, platform.get("bin"));
        assertTrue(Files.isExecutable(Path.of((String) platform.get("bin"))));
        assertTrue(((String) platform.get("uri")).endsWith("/egress-guard-" + version.group(1) + ".tar.gz"));
        assertTrue(((String) platform.get("sha256")).matches("[0-9a-f]{64}"));
        // bin/ and quarkus-app/ side by side: the layout the launcher looks for first.
        List<?> files = (List<?>) platform.get("files");
        assertEquals(List.of("bin", "quarkus-app"), files.stream().map(f -> ((Map<?, ?>) f).get("to")).toList());
        assertTrue(((String) spec.get("shortDescription")).length() <= 50);
    }

    static Path copyLauncher(Path root) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path launcher = bin.resolve("egress-guard");
        Files.copy(Path.of(LAUNCHER), launcher);
        assertTrue(launcher.toFile().setExecutable(true));
        return launcher;
    }
}
