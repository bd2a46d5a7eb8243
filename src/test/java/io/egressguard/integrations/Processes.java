package io.egressguard.integrations;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Runs the user-facing scripts (launcher, CI script, pre-commit entry) as processes, the way a shell or a CI
 * runner does. They need a runnable application jar; during {@code ./mvnw verify} tests run before packaging,
 * so {@link #applicationJar()} makes one that starts the real {@code io.egressguard.Main} on the test's class
 * path (a manifest-only jar, as {@code quarkus-run.jar} is one that points into {@code lib/}).
 */
final class Processes {

    static final Path REPO = Path.of("").toAbsolutePath();

    record Result(int status, String out, String err) {
        String all() {
            return "exit " + status + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    private static Path jar;

    private Processes() {
    }

    static synchronized Path applicationJar() throws IOException {
        if (jar == null) {
            Path dir = Files.createTempDirectory("egress-guard-app");
            jar = dir.resolve("quarkus-run.jar");
            writeApplicationJar(jar);
        }
        return jar;
    }

    static void writeApplicationJar(Path target) throws IOException {
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            urls.add(p.toUri().toString()); // directories get their trailing slash from toUri()
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.egressguard.Main");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        Files.createDirectories(target.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest)) {
            out.flush();
        }
    }

    /** Runs a command in the repository with these environment changes (a null value removes the variable). */
    static Result run(Map<String, String> env, String stdin, String... command) throws Exception {
        return run(REPO, env, stdin, List.of(command));
    }

    static Result run(Path dir, Map<String, String> env, String stdin, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        // A developer's own settings must not change what the scripts find.
        pb.environment().remove("EGRESS_GUARD_JAR");
        pb.environment().remove("EGRESS_GUARD_HOME");
        pb.environment().remove("EGRESS_GUARD_JAVA_OPTS");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
