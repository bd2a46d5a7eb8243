package io.egressguard.integrations;

import io.egressguard.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every command and sample output of the documentation, run and compared, so that the docs cannot drift from
 * the program. The convention, in README.md, examples/README.md, deploy/README.md and docs/*.md:
 *
 * <ul>
 * <li>A {@code ```console} block holds commands ({@code $ } lines; a line ending in {@code \} continues on the
 * next) each followed by its exact output (stdout and stderr as a terminal shows them). The block's commands run
 * in order in one bash, in the repository, so {@code $ echo $?} shows the previous command's exit status. A line
 * {@code ...} in an output stands for any number of lines (an excerpt).</li>
 * <li>A {@code ```sh} block is a script whose output is not shown: it runs and must exit 0.</li>
 * <li>{@code <!-- output of: COMMAND -->} before any other block (JSON, Mermaid, text): the block is the output of
 * COMMAND.</li>
 * <li>{@code <!-- not run: REASON -->} before a block: not run (it needs a cluster, Docker, a registry...), with
 * the reason; counted and listed separately.</li>
 * <li>{@code <!-- needs: PROGRAM -->} before a block: skipped with a message where PROGRAM is not on PATH (and a
 * failure in CI).</li>
 * </ul>
 *
 * The commands run as written: {@code java -jar target/quarkus-app/quarkus-run.jar} and {@code bin/egress-guard}
 * run the application built from the test's class path (tests run before packaging), {@code ./mvnw} is not run
 * again (the build running this test is that command), HOME is an empty directory. What must vary is normalised
 * on both sides: HOME becomes {@code /home/you}, the repository {@code /src/egress-guard}.
 * {@code -Degressguard.updateDocs=true} writes the actual outputs into the docs (except excerpts).
 */
class DocSamplesTest {

    static final Path REPO = Processes.REPO;
    static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*$");
    static final Pattern MARKER = Pattern.compile("^<!-- (not run|output of|needs): (.*) -->\\s*$");
    static final String HOME = "/home/you";
    static final String CHECKOUT = "/src/egress-guard";
    static final boolean UPDATE = Boolean.getBoolean("egressguard.updateDocs");

    static final AtomicInteger commands = new AtomicInteger();
    static final AtomicInteger outputs = new AtomicInteger();
    static final AtomicInteger builds = new AtomicInteger();
    static final AtomicInteger blocksRun = new AtomicInteger();
    static final Map<String, String> notRun = new LinkedHashMap<>();
    static final Map<String, String> skipped = new LinkedHashMap<>();
    static final Map<Path, List<String>> updated = new LinkedHashMap<>();

    /** A fenced block and the markers above it. */
    record Block(Path file, int line, String language, List<String> body, Map<String, String> markers, int bodyStart) {
        String name() {
            return REPO.relativize(file) + ":" + line + " (" + (language.isEmpty() ? "text" : language) + ")";
        }
    }

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(REPO.resolve("README.md"), REPO.resolve("examples/README.md"),
                REPO.resolve("deploy/README.md")));
        try (Stream<Path> s = Files.list(REPO.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    static List<Block> blocks(Path file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        Map<String, String> markers = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            Matcher m = MARKER.matcher(l);
            if (m.matches()) {
                markers.put(m.group(1), m.group(2).trim());
                continue;
            }
            Matcher f = FENCE.matcher(l);
            if (f.matches()) {
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).startsWith("```")) {
                    end++;
                }
                blocks.add(new Block(file, i + 1, f.group(1), List.copyOf(lines.subList(start, end)), markers, start));
                markers = new LinkedHashMap<>();
                i = end;
                continue;
            }
            if (!l.isBlank()) {
                markers = new LinkedHashMap<>();
            }
        }
        return blocks;
    }

    @TestFactory
    Stream<DynamicNode> docSamples() throws IOException {
        List<DynamicNode> files = new ArrayList<>();
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            List<DynamicNode> tests = new ArrayList<>();
            for (Block b : blocks(doc, lines)) {
                DynamicTest t = test(b, lines);
                if (t != null) {
                    tests.add(t);
                }
            }
            if (!tests.isEmpty()) {
                files.add(DynamicContainer.dynamicContainer(REPO.relativize(doc).toString(), tests));
            }
        }
        return files.stream();
    }

    /** The test of one block, or null when the block is neither a command nor an output sample. */
    static DynamicTest test(Block b, List<String> lines) {
        boolean console = b.language().equals("console");
        boolean script = b.language().equals("sh") || b.language().equals("bash");
        String outputOf = b.markers().get("output of");
        if (!console && !script && outputOf == null) {
            return null;
        }
        if (b.markers().containsKey("not run")) {
            String reason = b.markers().get("not run");
            notRun.put(b.name(), reason);
            return DynamicTest.dynamicTest(b.name() + ": not run", () -> Assumptions.abort("not run: " + reason));
        }
        return DynamicTest.dynamicTest(b.name(), () -> {
            if (b.markers().containsKey("needs")) {
                for (String program : b.markers().get("needs").split("[ ,]+")) {
                    if (!Prerequisites.inCi() && !onPath(program)) {
                        skipped.put(b.name(), program + " is not on PATH");
                    }
                    Prerequisites.requireCommand(program, "needed by the sample at " + b.name());
                }
            }
            blocksRun.incrementAndGet();
            if (console) {
                runConsole(b, lines);
            } else if (script) {
                for (String l : b.body()) {
                    if (!l.isBlank() && !l.startsWith("#") && !l.endsWith("\\")) {
                        (l.startsWith("./mvnw") ? builds : commands).incrementAndGet();
                    }
                }
                Processes.Result r = bash(String.join("\n", b.body()));
                assertEquals(0, r.status(), b.name() + " failed:\n" + r.all());
            } else {
                commands.incrementAndGet();
                outputs.incrementAndGet();
                Processes.Result r = bash("{ " + outputOf + "\n} 2>&1");
                compare(b, lines, b.body(), r.out().lines().toList(), 0, b.body().size());
            }
        });
    }

    /** Runs each {@code $} command of a console block and compares what it prints with the lines below it. */
    static void runConsole(Block b, List<String> lines) throws Exception {
        List<String> body = b.body();
        List<String> script = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>(); // per command: first and last+1 output line in body
        int i = 0;
        while (i < body.size()) {
            if (!body.get(i).startsWith("$ ")) {
                throw new AssertionError(b.name() + ": line " + (b.bodyStart() + i + 1) + " is no command: " + body.get(i));
            }
            StringBuilder cmd = new StringBuilder(body.get(i).substring(2));
            while (body.get(i).endsWith("\\")) {
                i++;
                cmd.append('\n').append(body.get(i));
            }
            i++;
            int start = i;
            while (i < body.size() && !body.get(i).startsWith("$ ")) {
                i++;
            }
            ranges.add(new int[] {start, i});
            int n = ranges.size();
            script.add("{ " + cmd + "\n} 2>&1; __eg=$?; printf '@@EG-DOC-" + n + "@@\\n'; (exit $__eg)");
        }
        Processes.Result r = bash(String.join("\n", script));
        String[] parts = r.out().split("@@EG-DOC-\\d+@@\n", -1);
        for (int c = 0; c < ranges.size(); c++) {
            commands.incrementAndGet();
            outputs.incrementAndGet();
            int[] range = ranges.get(c);
            List<String> expected = body.subList(range[0], range[1]);
            List<String> actual = c < parts.length ? parts[c].lines().toList() : List.of("(no output: " + r.all() + ")");
            compare(b, lines, expected, actual, range[0], range[1]);
        }
    }

    static void compare(Block b, List<String> lines, List<String> expected, List<String> actualRaw, int from, int to) {
        List<String> actual = actualRaw.stream().map(DocSamplesTest::normalise).toList();
        if (matches(expected, actual)) {
            return;
        }
        if (UPDATE && !expected.contains("...")) {
            List<String> doc = updated.computeIfAbsent(b.file(), f -> new ArrayList<>(lines));
            // Later blocks first is not guaranteed, so replace by content at the recorded position when unchanged.
            int at = b.bodyStart() + from;
            int shift = doc.size() - lines.size();
            List<String> region = doc.subList(at + shift, at + shift + (to - from));
            region.clear();
            region.addAll(actual);
            return;
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual), b.name() + ": the output differs");
    }

    /** Whether the actual lines are the expected ones, a {@code ...} line standing for any lines. */
    static boolean matches(List<String> expected, List<String> actual) {
        if (expected.isEmpty()) {
            return actual.isEmpty();
        }
        if (expected.get(0).equals("...")) {
            for (int skip = 0; skip <= actual.size(); skip++) {
                if (matches(expected.subList(1, expected.size()), actual.subList(skip, actual.size()))) {
                    return true;
                }
            }
            return false;
        }
        return !actual.isEmpty() && expected.get(0).equals(actual.get(0))
                && matches(expected.subList(1, expected.size()), actual.subList(1, actual.size()));
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    static Path home;

    static synchronized Path home() throws IOException {
        if (home == null) {
            home = Files.createTempDirectory("egress-guard-doc-home");
        }
        return home;
    }

    static String normalise(String line) {
        try {
            return line.replace(home().toString(), HOME).replace(REPO.toString(), CHECKOUT);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Processes.Result bash(String script) throws Exception {
        String prelude = """
                java() {
                  if [ "$1" = -jar ] && [ "$2" = target/quarkus-app/quarkus-run.jar ]; then
                    shift 2; command java $EGRESS_GUARD_JAVA_OPTS -jar "$EGRESS_GUARD_JAR" "$@"
                  else
                    command java "$@"
                  fi
                }
                function ./mvnw { :; }
                """;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EGRESS_GUARD_JAR", Processes.applicationJar().toString());
        env.put("HOME", home().toString());
        // What quarkus-run.jar sets itself (the test's jar runs Main on a plain class path), and a quick start.
        env.put("EGRESS_GUARD_JAVA_OPTS", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager "
                + "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        env.put("KUBECONFIG", null);
        // Only directories that exist: kubectl warns about the others, which differ from machine to machine.
        StringBuilder path = new StringBuilder(home().resolve(".local/bin").toString());
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isDirectory(Path.of(d))) {
                path.append(java.io.File.pathSeparator).append(d);
            }
        }
        env.put("PATH", path.toString());
        return Processes.run(REPO, env, null, List.of("bash", "-c", prelude + script));
    }

    /** Documents written elsewhere that the README links to before they exist. */
    static final List<String> LINKED_AHEAD = List.of("docs/security.md", "docs/conformance.md");

    /** Every relative link of the documents leads to a file of the repository. */
    @TestFactory
    Stream<DynamicTest> relativeLinksResolve() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : documents()) {
            tests.add(DynamicTest.dynamicTest(REPO.relativize(doc).toString(), () -> {
                List<String> broken = new ArrayList<>();
                Matcher m = link.matcher(Files.readString(doc));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.contains("://") || target.startsWith("mailto:")) {
                        continue;
                    }
                    Path p = doc.getParent().resolve(target).normalize();
                    if (!Files.exists(p) && !LINKED_AHEAD.contains(REPO.relativize(p).toString())) {
                        broken.add(target);
                    }
                }
                assertEquals(List.of(), broken, "links to missing files in " + doc);
            }));
        }
        return tests.stream();
    }

    @AfterAll
    static void summary() throws IOException {
        for (Map.Entry<Path, List<String>> e : updated.entrySet()) {
            Files.write(e.getKey(), e.getValue());
            System.out.println("doc samples: updated " + REPO.relativize(e.getKey()));
        }
        StringBuilder s = new StringBuilder();
        s.append("doc samples: ").append(commands.get()).append(" commands run in ").append(blocksRun.get())
                .append(" blocks, ").append(outputs.get()).append(" outputs compared; ").append(notRun.size())
                .append(" blocks not run").append(builds.get() == 0 ? "" : "; " + builds.get()
                        + " ./mvnw commands stand for the build running this test")
                .append(notRun.isEmpty() ? "" : ":").append('\n');
        notRun.forEach((block, reason) -> s.append("  not run: ").append(block).append(": ").append(reason).append('\n'));
        if (!skipped.isEmpty()) {
            s.append("doc samples: ").append(skipped.size()).append(" blocks skipped here (run where the program is installed):\n");
            skipped.forEach((block, why) -> s.append("  skipped: ").append(block).append(": ").append(why).append('\n'));
        }
        System.out.print(s);
        Path report = REPO.resolve("target/doc-samples.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, s.toString());
    }
}
