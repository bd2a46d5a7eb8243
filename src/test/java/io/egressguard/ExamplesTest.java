package io.egressguard;

import io.egressguard.model.Finding;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The bundled examples show what their headers promise. */
class ExamplesTest {

    static final Path EXAMPLES = Path.of("examples");
    static final Pattern EXPECTED = Pattern.compile("(EG\\d{3}) \\((\\w+ [\\w.-]+/[\\w.-]+)\\)");

    @Test
    void correctConfigurationsProduceNothingAboveInfo() throws Exception {
        List<Finding> findings = TestMesh.check(TestMesh.files(EXAMPLES.resolve("cluster"), EXAMPLES.resolve("correct")));
        assertEquals(List.of(), findings.stream().filter(f -> f.severity() != Severity.INFO).map(Finding::warningLine).toList());
    }

    @TestFactory
    Stream<DynamicTest> brokenExamplesProduceTheirFindings() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES.resolve("broken"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Set<String> expected = new TreeSet<>();
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("# Expected findings:")) {
                    Matcher m = EXPECTED.matcher(line);
                    while (m.find()) {
                        expected.add(m.group(1) + " " + m.group(2));
                    }
                }
            }
            assertFalse(expected.isEmpty(), f + " states no expected finding");
            Set<String> actual = new TreeSet<>();
            for (Finding x : TestMesh.check(TestMesh.files(f))) {
                if (x.severity() != Severity.INFO) {
                    actual.add(x.code() + " " + x.object());
                }
            }
            assertEquals(expected, actual);
        }));
    }
}
