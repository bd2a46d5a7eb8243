package io.egressguard;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test needs from outside the repository. On a user's clone a missing prerequisite skips the test
 * with a message saying what is missing and how to get it; where {@code CI} is set (the project's CI, which
 * installs everything), it fails the test instead, so that CI never passes by skipping.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** Skips (or, in CI, fails) the calling test unless {@code present}. */
    public static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if (inCi()) {
            throw new AssertionError(missing + "; CI must run every test");
        }
        Assumptions.abort("skipped: " + missing);
    }

    /** Requires {@code program} on PATH; {@code howToGet} tells a user where it comes from. */
    public static void requireCommand(String program, String howToGet) {
        require(onPath(program), program + " is not on PATH (" + howToGet + ")");
    }

    public static void requireKubectl() {
        requireCommand("kubectl", "Debian/Ubuntu package kubernetes-client, or https://kubernetes.io/docs/tasks/tools/");
    }

    public static void requirePromtool() {
        requireCommand("promtool", "Debian/Ubuntu package prometheus, or the Prometheus release archive");
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }
}
