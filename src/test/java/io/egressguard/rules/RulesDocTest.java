package io.egressguard.rules;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code docs/rules.md} is generated from the catalogue; this test fails when it is stale. */
class RulesDocTest {

    static final Path DOC = Path.of("docs", "rules.md");

    @Test
    void docsAreUpToDate() throws IOException {
        String expected = RulesDoc.render();
        if (Boolean.getBoolean("egressguard.updateDocs")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, expected);
        }
        assertEquals(expected, Files.exists(DOC) ? Files.readString(DOC) : "",
                "docs/rules.md is stale: run ./mvnw test -Dtest=RulesDocTest -Degressguard.updateDocs=true");
    }
}
