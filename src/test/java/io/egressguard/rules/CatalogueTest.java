package io.egressguard.rules;

import io.egressguard.model.Kind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meta-tests: the catalogue, the registry, the fixtures and the docs tell the same story. */
class CatalogueTest {

    @Test
    void everyCodeHasExactlyOneRegisteredRule() {
        List<Catalogue> registered = RuleRegistry.all().stream().map(Rule::code).toList();
        assertEquals(List.of(Catalogue.values()), registered, "registry lists every code once, in code order");
    }

    @Test
    void everyCodeHasPassingAndFailingFixtures() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Catalogue c : Catalogue.values()) {
            Path dir = RuleFixturesTest.ROOT.resolve(c.code());
            if (!Files.isDirectory(dir)) {
                missing.add(c.code() + ": no fixture folder");
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                if (names.stream().noneMatch(n -> n.startsWith("pass") && n.endsWith(".yaml"))) {
                    missing.add(c.code() + ": no pass-*.yaml");
                }
                if (names.stream().noneMatch(n -> n.startsWith("fail") && n.endsWith(".yaml"))) {
                    missing.add(c.code() + ": no fail-*.yaml");
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void fixtureFoldersNameRealCodes() throws IOException {
        try (Stream<Path> dirs = Files.list(RuleFixturesTest.ROOT)) {
            dirs.forEach(d -> assertTrue(Catalogue.of(d.getFileName().toString()).isPresent(), "unknown code folder " + d));
        }
    }

    @Test
    void entriesAreCompleteAndDistinct() {
        Set<String> titles = new HashSet<>();
        for (Catalogue c : Catalogue.values()) {
            assertTrue(c.code().matches("EG\\d\\d\\d"), c.code());
            assertFalse(c.title().isBlank(), c.code());
            assertTrue(c.description().length() > 40, c.code() + " needs a description of the Istio behaviour");
            assertFalse(c.fix().isBlank(), c.code());
            assertTrue(c.reportsOn().length > 0, c.code());
            assertTrue(titles.add(c.title()), "duplicate title " + c.title());
            for (Kind k : c.reportsOn()) {
                assertTrue(k.namespaced() || c.auditOnly(), c.code() + " reports on cluster-scoped " + k
                        + ": only audit rules judge whole namespaces");
            }
        }
    }

    @Test
    void rulesInspectOnlyTheKindsTheyReportOn() {
        for (Rule r : RuleRegistry.all()) {
            assertEquals(Set.of(r.code().reportsOn()), r.targets(), r.code().code());
        }
    }
}
