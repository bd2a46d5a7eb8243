package io.egressguard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.egressguard.cli.CheckCommandTest.SERVICE_ENTRY;
import static io.egressguard.cli.CheckCommandTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile or unlucky input ends in exit 2 and one line on stderr: never a stack trace, a hang or exit 1. */
class CheckInputSafetyTest {

    record Run(int status, String out, String err) {
        void isOneLineInputError(String expected) {
            assertEquals(2, status, err);
            assertEquals("", out);
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.contains(expected), err);
        }
    }

    static Run run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Cli.run(args, stdin, new PrintWriter(out), new PrintWriter(err));
        return new Run(rc, out.toString(), err.toString());
    }

    static Run check(Path f) {
        return run(InputStream.nullInputStream(), "check", f.toString());
    }

    @Test
    void deepNestingIsAnInputError(@TempDir Path dir) throws IOException {
        Path flow = write(dir, "flow.yaml", "a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        check(flow).isOneLineInputError("flow.yaml (document 1): ");
        StringBuilder block = new StringBuilder("kind: x\n");
        for (int i = 0; i < 200; i++) {
            block.append("  ".repeat(i)).append("k:\n");
        }
        Path blockFile = write(dir, "block.yaml", block.toString());
        check(blockFile).isOneLineInputError("nested deeper than 100 levels");
        Path json = write(dir, "deep.json", "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");
        check(json).isOneLineInputError("deep.json (document 1): ");
    }

    @Test
    void recursiveAliasesAndAliasBombsAreInputErrors(@TempDir Path dir) throws IOException {
        check(write(dir, "self.yaml", "&a [*a]: 1\n")).isOneLineInputError("recursive alias");
        check(write(dir, "seq.yaml", "a: &a [*a]\n")).isOneLineInputError("recursive alias");
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            bomb.append(("*a" + (i - 1) + ", ").repeat(9)).append("*a").append(i - 1).append("]\n");
        }
        Run r = assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> check(write(dir, "bomb.yaml", bomb.toString())));
        r.isOneLineInputError("bomb.yaml (document 1): invalid YAML");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void onlyRegularFilesAreRead(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe.yaml");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0);
        Run r = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> check(fifo));
        r.isOneLineInputError("not a regular file");
        check(Path.of("/dev/zero")).isOneLineInputError("/dev/zero: not a regular file");
    }

    @Test
    void inputOverTheSizeCapIsRefusedWithoutReadingItAll() {
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return 'a';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'a');
                served += len;
                return len;
            }
        };
        run(endless, "check", "-").isOneLineInputError("-: larger than 32 MiB, not read");
    }

    @Test
    void errorsNameTheDocumentTheyAreIn(@TempDir Path dir) throws IOException {
        String good = SERVICE_ENTRY.formatted("DNS");
        Path dup = write(dir, "dup.yaml", good + "---\n" + good + "---\nkind: a\nkind: b\n");
        check(dup).isOneLineInputError("dup.yaml (document 3): invalid YAML");
        Path emptyBetween = write(dir, "empty.yaml", good + "---\n---\nkind: [unclosed\n");
        check(emptyBetween).isOneLineInputError("empty.yaml (document 3): invalid YAML");
        Path syntax = write(dir, "syntax.yaml", good + "---\n" + good.replace("name: github", "name: other")
                + "---\nkind: [unclosed\n");
        check(syntax).isOneLineInputError("syntax.yaml (document 3): invalid YAML");
        Path shape = write(dir, "shape.yaml", good + "---\n" + SERVICE_ENTRY.formatted("SOMETIMES"));
        check(shape).isOneLineInputError("shape.yaml (document 2): ServiceEntry: spec.resolution");
    }

    @Test
    void aReadableFileStillPasses(@TempDir Path dir) throws IOException {
        assertEquals(0, check(write(dir, "ok.yaml", SERVICE_ENTRY.formatted("DNS"))).status());
        assertTrue(Files.exists(dir.resolve("ok.yaml")));
    }
}
