package io.egressguard.webhook;

import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decision table: mode x operation x decoding outcome x findings x ignored namespace, each cell checked
 * against the rules as written in the interface specification.
 */
class AdmissionDecisionTest {

    static final ObjectRef SELF = new ObjectRef(Kind.VIRTUAL_SERVICE, "shop", "self");
    static final ObjectRef OTHER = new ObjectRef(Kind.SERVICE_ENTRY, "shop", "other");

    /** The findings a cell can have, named for what they are. */
    enum Findings {
        NONE, NEW_ERROR, OLD_ERROR_ON_OBJECT, OLD_ERROR_ELSEWHERE, NEW_WARNING, NEW_INFO;

        List<AdmissionDecision.Judged> judged() {
            return switch (this) {
                case NONE -> List.of();
                case NEW_ERROR -> List.of(j(Severity.ERROR, SELF, true));
                case OLD_ERROR_ON_OBJECT -> List.of(j(Severity.ERROR, SELF, false));
                case OLD_ERROR_ELSEWHERE -> List.of(j(Severity.ERROR, OTHER, false));
                case NEW_WARNING -> List.of(j(Severity.WARNING, OTHER, true));
                case NEW_INFO -> List.of(j(Severity.INFO, SELF, true));
            };
        }

        static AdmissionDecision.Judged j(Severity s, ObjectRef on, boolean introduced) {
            Finding f = new Finding("EG202", s, on, "spec.http[0]", "a message", "detail", List.of());
            return new AdmissionDecision.Judged(f, introduced, on.equals(SELF));
        }
    }

    record Cell(WebhookConfig.Mode mode, String operation, boolean readable, Findings findings, boolean ignored) {
        @Override
        public String toString() {
            return mode + " " + operation + (readable ? " read" : " unreadable") + " " + findings
                    + (ignored ? " ignored" : "");
        }
    }

    @Test
    void everyCellFollowsTheRules() {
        List<Cell> cells = new ArrayList<>();
        for (WebhookConfig.Mode mode : WebhookConfig.Mode.values()) {
            for (String op : List.of("CREATE", "UPDATE", "DELETE", "CONNECT")) {
                for (boolean readable : List.of(true, false)) {
                    for (Findings f : Findings.values()) {
                        for (boolean ignored : List.of(false, true)) {
                            cells.add(new Cell(mode, op, readable, f, ignored));
                        }
                    }
                }
            }
        }
        assertEquals(3 * 4 * 2 * 6 * 2, cells.size());
        for (Cell c : cells) {
            var facts = new AdmissionDecision.Facts(c.mode(), c.operation(), !c.operation().equals("CONNECT"),
                    c.ignored(), c.readable() ? null : "request.object.spec: expected an object",
                    true, c.readable() ? c.findings().judged() : List.of());
            AdmissionDecision.Answer a = AdmissionDecision.decide("uid-1", facts).answer();
            assertEquals("uid-1", a.uid(), c.toString());

            boolean skipped = c.operation().equals("CONNECT") || c.ignored();
            boolean delete = c.operation().equals("DELETE");
            boolean enforce = c.mode() == WebhookConfig.Mode.ENFORCE;
            boolean audit = c.mode() == WebhookConfig.Mode.AUDIT;
            if (skipped) {
                assertTrue(a.allowed() && a.warnings().isEmpty(), c + ": skipped, allowed silently");
                assertEquals("ignored", a.outcome(), c.toString());
            } else if (!c.readable()) {
                boolean deny = enforce && !delete;
                assertEquals(!deny, a.allowed(), c.toString());
                if (deny) {
                    assertEquals(400, a.code(), c.toString());
                    assertTrue(a.message().contains("request.object.spec"), c + ": names the field");
                } else {
                    assertEquals(audit ? 0 : 1, a.warnings().size(), c + ": warned unless audit");
                }
            } else {
                boolean deny = enforce && !delete && c.findings() == Findings.NEW_ERROR;
                assertEquals(!deny, a.allowed(), c.toString());
                if (deny) {
                    assertEquals(403, a.code(), c.toString());
                }
                boolean warned = !audit && !deny && switch (c.findings()) {
                    case NEW_ERROR, OLD_ERROR_ON_OBJECT, NEW_WARNING -> true;
                    default -> false;
                };
                assertEquals(warned ? 1 : 0, a.warnings().size(), c.toString());
            }
            if (delete || audit) {
                assertTrue(a.allowed(), c + ": DELETE and audit mode never deny");
            }
        }
    }

    @Test
    void aStateNotSyncedAllowsWithAWarningExceptInAudit() {
        for (WebhookConfig.Mode mode : WebhookConfig.Mode.values()) {
            var a = AdmissionDecision.decide("u", new AdmissionDecision.Facts(mode, "CREATE", true, false, null, false,
                    List.of())).answer();
            assertTrue(a.allowed());
            assertEquals("not-ready", a.outcome());
            assertEquals(mode == WebhookConfig.Mode.AUDIT ? 0 : 1, a.warnings().size());
        }
    }

    @Test
    void longWarningsAreCutTo120Characters() {
        assertEquals(120, AdmissionDecision.cut("x".repeat(300)).length());
        assertEquals("short", AdmissionDecision.cut("short"));
    }
}
