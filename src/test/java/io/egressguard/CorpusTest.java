package io.egressguard;

import io.egressguard.model.Finding;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Istio's own egress configurations (kept beside the repository, not in it) all work: nothing above info may
 * be reported on any of them.
 */
class CorpusTest {

    @TestFactory
    Stream<DynamicTest> istioDocsConfigurationsProduceNothingAboveInfo() throws IOException {
        Path corpus = TestMesh.corpus();
        List<Path> scenarios;
        try (Stream<Path> s = Files.walk(corpus)) {
            scenarios = s.filter(p -> p.getFileName().toString().equals("config.yaml")).map(Path::getParent).sorted().toList();
        }
        assertEquals(21, scenarios.size(), "scenarios in " + corpus);
        return scenarios.stream().map(dir -> DynamicTest.dynamicTest(corpus.relativize(dir).toString(), () -> {
            List<Finding> findings = TestMesh.check(TestMesh.files(dir));
            List<String> aboveInfo = findings.stream().filter(f -> f.severity() != Severity.INFO)
                    .map(Finding::warningLine).toList();
            assertEquals(List.of(), aboveInfo);
        }));
    }
}
