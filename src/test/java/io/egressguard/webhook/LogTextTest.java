package io.egressguard.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Values from requests cannot forge or flood log lines. */
class LogTextTest {

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("a\\nb\\r\\tc\\u001b[31m\\u0000\\u2028\\\\n", LogText.of("a\nb\r\tc\u001b[31m\u0000\u2028\\n"));
        assertEquals("plain uid-1 ä", LogText.of("plain uid-1 ä"));
        assertEquals("-", LogText.of(null));
    }

    @Test
    void longValuesAreCut() {
        String cut = LogText.of("x".repeat(3_000_000));
        assertTrue(cut.length() < 300, cut.length() + "");
        assertTrue(cut.endsWith("...(3000000 chars)"), cut);
    }

    @Test
    void aNewlineInUidOrOperationStaysOnTheReviewLine() throws Exception {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                Object[] p = r.getParameters();
                lines.add(p == null ? r.getMessage() : String.format(r.getMessage(), p));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("io.egressguard.admission");
        log.addHandler(capture);
        try {
            String body = new String(java.nio.file.Files.readAllBytes(
                    WebhookStandaloneTest.REVIEWS.resolve("create-virtualservice-loop.json")), StandardCharsets.UTF_8)
                    .replace("\"uid\": \"3a1e0c1e-0001-4c6a-9d53-0d1f7b2a0001\"",
                            "\"uid\": \"x\\n2026-12-01 INFO review uid=forged decision=allowed\"")
                    .replace("\"operation\": \"CREATE\"", "\"operation\": \"CREATE\\r\\nforged\"");
            AdmissionModesTest.handler(WebhookConfig.Mode.ENFORCE, List.of()).handle(body.getBytes(StandardCharsets.UTF_8));
        } finally {
            log.removeHandler(capture);
        }
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            assertFalse(line.contains("\n") || line.contains("\r"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("uid=x\\n2026-12-01")), lines.toString());
    }
}
