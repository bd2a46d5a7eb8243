package io.egressguard.rules;

import io.egressguard.TestMesh;
import io.egressguard.model.Finding;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * One folder per rule under {@code src/test/resources/rules/<CODE>/}: {@code pass-*.yaml} must produce no
 * finding of that code, {@code fail-*.yaml} exactly the findings its {@code # expect: CODE Kind ns/name}
 * lines list. Adding a case is adding a file.
 */
class RuleFixturesTest {

    static final Path ROOT = Path.of("src", "test", "resources", "rules");

    @TestFactory
    Stream<DynamicContainer> fixtures() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream()
                    .map(dir -> DynamicContainer.dynamicContainer(dir.getFileName().toString(), cases(dir)));
        }
    }

    private static Stream<DynamicTest> cases(Path dir) {
        String code = dir.getFileName().toString();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                        Set<String> expected = expectations(f);
                        boolean fail = f.getFileName().toString().startsWith("fail");
                        if (fail) {
                            assertFalse(expected.isEmpty(), f + " declares no '# expect:' line");
                        } else {
                            assertEquals(Set.of(), expected, f + ": pass fixtures expect nothing");
                        }
                        List<Finding> findings = TestMesh.audit(TestMesh.files(f));
                        Set<String> actual = new TreeSet<>();
                        for (Finding x : findings) {
                            if (x.code().equals(code)) {
                                actual.add(x.code() + " " + x.object());
                            }
                        }
                        assertEquals(expected, actual, () -> f + "\n" + findings.stream().map(Finding::warningLine)
                                .reduce("", (a, b) -> a + "\n  " + b));
                    }));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Set<String> expectations(Path f) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(f)) {
            if (line.startsWith("# expect:")) {
                out.add(line.substring("# expect:".length()).trim());
            }
        }
        return out;
    }
}
