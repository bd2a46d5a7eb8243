package io.egressguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.TestMesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code explain} on files: output formats, exit status, and bad input. */
class ExplainCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The task's configurations in Istio's corpus (a test reading them is skipped where it is absent). */
    static String taskTls() {
        return TestMesh.corpus().resolve("egress-gateway/https-istio-api").toString();
    }

    static String taskNetpol() {
        return TestMesh.corpus().resolve("egress-gateway/netpol-istio-api").toString();
    }

    @Test
    void textListsEveryHopAndExitsZeroWhenThePathWorks() {
        CheckCommandTest.Run r = CheckCommandTest.run("", "explain", "--from", "default", "--to", "edition.cnn.com:443", taskTls());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("from default to edition.cnn.com:443 (tls)", lines.get(0));
        List<String> hops = lines.stream().filter(l -> l.matches(" ?\\d+\\. .*")).toList();
        assertEquals(8, hops.size(), r.out());
        assertTrue(hops.get(0).matches(" 1\\. ok +sidecar route: VirtualService default/direct-cnn-through-egress-gateway spec\\.tls\\[0]\\.match\\[0] .*"),
                hops.get(0));
        assertTrue(lines.get(lines.size() - 1).startsWith("result: edition.cnn.com:443 reached through egress gateway"), r.out());
    }

    @Test
    void brokenHopExitsOneAndPrintsCodeAndFix() {
        CheckCommandTest.Run r = CheckCommandTest.run("", "explain", "--from", "default", "--to", "api.stripe.com:443",
                "examples/broken/resolution-none-loop.yaml");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("broken  ServiceEntry: ServiceEntry default/stripe has resolution NONE"), r.out());
        assertTrue(r.out().contains("EG101 fix: Use `resolution: DNS`"), r.out());
        assertTrue(r.out().contains("result: api.stripe.com:443 not reached: ServiceEntry fails (EG101)"), r.out());
    }

    @Test
    void jsonDocument() throws Exception {
        CheckCommandTest.Run r = CheckCommandTest.run("", "explain", "--from", "test-egress/app=curl", "--to", "edition.cnn.com",
                "--protocol", "tls", "-o", "json", taskNetpol());
        assertEquals(0, r.status(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals("test-egress", doc.at("/from/namespace").asText());
        assertEquals("curl", doc.at("/from/podLabels/app").asText());
        assertEquals(443, doc.at("/to/port").asInt());
        assertEquals("egress-gateway", doc.get("path").asText());
        assertTrue(doc.get("reached").asBoolean());
        assertEquals(8, doc.get("hops").size());
        JsonNode dns = doc.get("hops").get(6);
        assertEquals("policy-to-dns", dns.get("kind").asText());
        assertEquals("info", dns.get("verdict").asText());
        assertEquals("EG606", dns.at("/findings/0/code").asText());
        assertEquals("NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns", dns.at("/objects/0").asText());
    }

    @Test
    void mermaidMarksTheBrokenHop() {
        CheckCommandTest.Run r = CheckCommandTest.run("", "explain", "--from", "team-b", "--to", "registry-1.docker.io:443",
                "-o", "mermaid", "examples/broken/destination-rule-wrong-namespace.yaml");
        assertEquals(1, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("flowchart LR", lines.get(0));
        assertTrue(lines.contains("  h2[\"✗ EG206 egress gateway Service<br/>Service istio-system/istio-egressgateway, "
                + "DestinationRule default/egress-gateway-docker\"]"), r.out());
        assertTrue(lines.contains("  pod --> h1") && lines.contains("  h1 --> h2"), r.out());
        assertTrue(lines.contains("  class h2 broken"), r.out());
        assertTrue(lines.contains("  class h3,h4,h5 skipped"), r.out());
        assertTrue(lines.contains("  h5 -.-x ext"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  pod -.->|ok| h")), r.out());
    }

    @Test
    void badInputExitsTwoWithAMessageAndNothingOnStdout(@TempDir Path dir) throws Exception {
        Path bad = CheckCommandTest.write(dir, "bad.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
                + "metadata: {name: x}\nspec: {hosts: [a.com], resolution: DSN}\n");
        List<List<String>> cases = List.of(
                List.of("explain", "--from", "default", "--to", "a.com", bad.toString()),
                List.of("explain", "--from", "default", "--to", "a.com:http", "examples/cluster"),
                List.of("explain", "--from", "default", "--to", "a.com", "--protocol", "grpc", "examples/cluster"),
                List.of("explain", "--from", "default/app", "--to", "a.com", "examples/cluster"),
                List.of("explain", "--from", "default", "--to", "a.com", "-o", "yaml", "examples/cluster"),
                List.of("explain", "--from", "default", "--to", "a.com", "--kubeconfig", "k", "examples/cluster"),
                List.of("explain", "--from", "default", "--to", "a.com", dir.resolve("missing.yaml").toString()),
                List.of("explain", "--to", "a.com", "examples/cluster"));
        List<String> reasons = List.of("bad.yaml", "'http' is not a port number", "--protocol takes http or tls",
                "pod labels must be key=value", "--output takes text, json or mermaid", "not both", "missing.yaml", "--from");
        for (int i = 0; i < cases.size(); i++) {
            CheckCommandTest.Run r = CheckCommandTest.run("", cases.get(i).toArray(String[]::new));
            assertEquals(2, r.status(), cases.get(i) + ": " + r.err());
            assertEquals("", r.out(), cases.get(i).toString());
            assertTrue(r.err().contains(reasons.get(i)), cases.get(i) + ": " + r.err());
            assertTrue(!r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void readsStandardInput() throws Exception {
        String yaml = Files.readString(Path.of("examples/broken/route-loop.yaml"));
        CheckCommandTest.Run r = CheckCommandTest.run(yaml, "explain", "--from", "default", "--to", "hooks.slack.com", "-");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("broken  gateway route: VirtualService default/slack-through-egress spec.http[0] sends "
                + "hooks.slack.com to istio-egressgateway.istio-system.svc.cluster.local:80 again"), r.out());
    }
}
