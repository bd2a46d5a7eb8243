package io.egressguard.fidelity;

import io.egressguard.TestMesh;
import io.egressguard.model.Finding;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Configurations where Istio's behaviour is easy to get wrong, one file each under
 * {@code src/test/resources/fidelity/}, checked with the demo cluster state of {@code examples/cluster}, as
 * {@code check examples/cluster CASE.yaml} would. Each file says what pilot does with it and lists the codes
 * above info that must be reported ({@code # expect:}) and those that may remain ({@code # may:}); any other
 * warning or error is a defect. A case marked {@code # open:} is not modelled yet: it is reported as skipped
 * with that reason, and fails as soon as it behaves as Istio does, so that the mark is removed.
 */
class FidelityTest {

    static final Path ROOT = Path.of("src", "test", "resources", "fidelity");

    @TestFactory
    Stream<DynamicTest> casesBehaveAsIstio() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> verify(f)));
    }

    static void verify(Path file) throws Exception {
        Set<String> expected = new TreeSet<>();
        Set<String> may = new TreeSet<>();
        List<String> says = new ArrayList<>();
        String open = null;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("# expect: EG")) {
                expected.add(line.substring("# expect: ".length()).trim());
            } else if (line.startsWith("# may: ")) {
                may.add(line.substring("# may: ".length()).trim());
            } else if (line.startsWith("# says: ")) {
                says.add(line.substring("# says: ".length()).trim());
            } else if (line.startsWith("# open: ")) {
                open = line.substring("# open: ".length()).trim();
            }
        }
        List<Finding> findings = TestMesh.check(TestMesh.files(Path.of("examples", "cluster"), file));
        Set<String> reported = new TreeSet<>();
        List<String> lines = new ArrayList<>();
        for (Finding f : findings) {
            if (f.severity() != Severity.INFO) {
                reported.add(f.code());
                lines.add(f.warningLine());
            }
        }
        Set<String> unexpected = new TreeSet<>(reported);
        unexpected.removeAll(expected);
        unexpected.removeAll(may);
        boolean asIstio = reported.containsAll(expected) && unexpected.isEmpty();
        String report = file + ": must report " + expected + (may.isEmpty() ? "" : " (may " + may + ")") + ", reports:\n  "
                + String.join("\n  ", lines);
        if (open != null) {
            if (asIstio) {
                fail(file + " behaves as Istio now: remove its '# open:' line\n" + report);
            }
            Assumptions.abort("open: " + open);
        }
        assertTrue(asIstio, report);
        for (String said : says) {
            String code = said.substring(0, said.indexOf(' '));
            String text = said.substring(said.indexOf(' ') + 1);
            assertTrue(findings.stream().anyMatch(f -> f.code().equals(code) && f.message().contains(text)),
                    file + ": no " + code + " message says '" + text + "':\n  " + String.join("\n  ", lines));
        }
    }

    /** W2: a gateway has no passthrough; EG212 must not suggest one. */
    @org.junit.jupiter.api.Test
    void gatewayHostWithoutServiceEntryIsNeverPassedThrough() {
        String text = io.egressguard.rules.Catalogue.EG212.description();
        assertTrue(!text.toLowerCase(java.util.Locale.ROOT).contains("passthrough") && !text.contains("ALLOW_ANY"), text);
    }

    /** W1: NONE behind a gateway is an empty cluster (503 UH or a reset), not a loop: both EG101 errors say so. */
    @org.junit.jupiter.api.Test
    void resolutionNoneIsAnEmptyClusterNotALoop() throws Exception {
        List<Finding> findings = TestMesh.check(TestMesh.files(Path.of("examples", "broken", "resolution-none-loop.yaml")));
        List<Finding> eg101 = findings.stream().filter(f -> f.code().equals("EG101")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(2, eg101.size(), findings.toString());
        for (Finding f : eg101) {
            assertTrue(f.severity() == Severity.ERROR && f.message().contains("503 UH") && !f.message().contains("loop"),
                    f.warningLine());
        }
    }
}
