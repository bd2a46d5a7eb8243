package io.egressguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code audit} reads a live cluster (the fabric8 mock API server) and reports like {@code check} on files. */
class AuditCommandTest {

    static final Path STATE = Path.of("src/test/resources/webhook/state");
    static final ObjectMapper JSON = new ObjectMapper();

    MockCluster cluster;
    Path kubeconfig;

    @BeforeEach
    void cluster(@TempDir Path dir) throws Exception {
        cluster = new MockCluster(STATE, dir);
        kubeconfig = cluster.kubeconfig;
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    static Set<String> findings(String json, boolean withAuditRules) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode f : JSON.readTree(json).get("findings")) {
            if (withAuditRules || !f.get("code").asText().startsWith("EG9")) {
                out.add(f.get("code").asText() + " " + f.get("kind").asText() + " " + f.get("namespace").asText() + "/"
                        + f.get("name").asText() + " " + f.get("path").asText());
            }
        }
        return out;
    }

    @Test
    void auditOfTheClusterFindsWhatCheckFindsInTheSameObjectsAsFiles() throws Exception {
        CheckCommandTest.Run audit = CheckCommandTest.run("", "audit", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertEquals(1, audit.status(), audit.err());
        CheckCommandTest.Run check = CheckCommandTest.run("", "check", STATE.toString(), "-o", "json");
        assertEquals(findings(check.out(), true), findings(audit.out(), false));
        assertTrue(findings(check.out(), true).contains("EG101 ServiceEntry legacy/partner spec.resolution"), check.out());
        // Audit-only: client namespaces routed through the egress gateway with no egress NetworkPolicy.
        Set<String> auditOnly = new TreeSet<>(findings(audit.out(), true));
        auditOnly.removeAll(findings(audit.out(), false));
        assertEquals(Set.of("EG901 Namespace /legacy metadata.name", "EG901 Namespace /shop metadata.name"), auditOnly);
    }

    @Test
    void namespaceFilterAndText() throws Exception {
        CheckCommandTest.Run r = CheckCommandTest.run("", "audit", "--kubeconfig", kubeconfig.toString(), "-n", "shop");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("warning EG901 Namespace shop metadata.name"), r.out());
        assertTrue(!r.out().contains("legacy"), r.out());
    }

    @Test
    void unreachableClusterExitsTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("kubeconfig");
        Files.writeString(bad, Files.readString(kubeconfig).replaceAll("server: \"[^\"]+\"", "server: \"http://127.0.0.1:9\""));
        CheckCommandTest.Run r = CheckCommandTest.run("", "audit", "--kubeconfig", bad.toString());
        assertEquals(2, r.status());
        assertEquals("egress-guard audit: cannot reach the Kubernetes API server http://127.0.0.1:9 (context mock): connection refused\n", r.err());
        assertEquals("", r.out());
    }
}
