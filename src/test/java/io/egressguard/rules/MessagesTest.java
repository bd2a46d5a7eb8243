package io.egressguard.rules;

import io.egressguard.TestMesh;
import io.egressguard.model.Finding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kubectl shows the first 120 characters of a warning. Every message of every rule fixture starts with the
 * consequence (up to its first colon), and {@code CODE Kind namespace/name: consequence} fits in those 120
 * characters; the specifics follow, and the explanation and fix are in the detail.
 */
class MessagesTest {

    static List<Finding> fixtureFindings() throws Exception {
        List<Finding> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(RuleFixturesTest.ROOT)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("fail-")).sorted().toList()) {
                all.addAll(TestMesh.audit(TestMesh.files(f)));
            }
        }
        return all;
    }

    @Test
    void theFirst120CharactersCarryTheCodeTheObjectAndTheConsequence() throws Exception {
        List<Finding> findings = fixtureFindings();
        Set<String> codes = new TreeSet<>();
        List<String> bad = new ArrayList<>();
        for (Finding f : findings) {
            codes.add(f.code());
            int colon = f.message().indexOf(": ");
            String head = f.code() + " " + f.object() + ": " + (colon < 0 ? f.message() : f.message().substring(0, colon));
            if (colon <= 0 || head.length() > Finding.MAX_MESSAGE) {
                bad.add(head.length() + " " + f.warningLine());
            }
            assertTrue(f.detail() != null && f.detail().contains(" Fix: "), f.warningLine());
        }
        assertEquals(List.of(), bad, "messages whose consequence is not within the first 120 characters");
        // Every code but the retired ones has a fixture.
        for (Catalogue c : Catalogue.values()) {
            if (!c.title().toLowerCase().contains("retired")) {
                assertTrue(codes.contains(c.code()), "no finding of " + c.code() + " in the fixtures");
            }
        }
    }

    @Test
    void messagesAreNotCut() throws Exception {
        for (Finding f : fixtureFindings()) {
            assertTrue(!f.message().endsWith("..."), f.message());
        }
        Finding loop = TestMesh.audit(TestMesh.files(Path.of("examples/broken/route-loop.yaml"))).stream()
                .filter(f -> f.code().equals("EG202")).findFirst().orElseThrow();
        assertEquals("the gateway routes to itself (loop): route to istio-egressgateway.istio-system.svc.cluster.local "
                + "applies to mesh and to gateway default/slack-egress; match gateways: [mesh]", loop.message());
        assertEquals("EG202 VirtualService default/slack-through-egress: the gateway routes to itself (loop): route to "
                + "istio-egressgateway.istio-system.svc.cluster.local applies to mesh and to gateway default/slack-egress; "
                + "match gateways: [mesh]", loop.warningLine());
    }
}
