package io.egressguard.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code audit} and {@code explain} without a reachable cluster fail within seconds, naming the server, the
 * context and the cause; a context the kubeconfig lacks is an error; {@code check} rejects severities for
 * rules it never runs.
 */
class ClusterAccessTest {

    MockCluster cluster;

    @BeforeEach
    void cluster(@TempDir Path dir) throws Exception {
        cluster = new MockCluster(AuditCommandTest.STATE, dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    static List<String> explain(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("explain", "--from", "shop", "--to", "api.github.com:443"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void closedPortFailsWithinSecondsNamingServerContextAndCause(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, Files.readString(cluster.kubeconfig)
                .replaceAll("server: \"[^\"]+\"", "server: \"https://127.0.0.1:" + port + "\"")
                .replace("name: mock, context", "name: kind-x, context").replace("current-context: mock", "current-context: kind-x"));
        for (List<String> args : List.of(List.of("audit", "--kubeconfig", kubeconfig.toString()),
                explain("--kubeconfig", kubeconfig.toString()))) {
            long start = System.nanoTime();
            CheckCommandTest.Run r = CheckCommandTest.run("", args.toArray(String[]::new));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(2, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals("egress-guard " + args.get(0) + ": cannot reach the Kubernetes API server https://127.0.0.1:" + port
                    + " (context kind-x): connection refused\n", r.err());
            assertTrue(millis < 5_000, args.get(0) + " took " + millis + " ms");
        }
    }

    /** The objects read from the cluster come without their managedFields, which the API server sends with each. */
    @Test
    void objectsAreReadWithoutTheirManagedFields() {
        var se = cluster.client.resources(io.fabric8.istio.api.networking.v1.ServiceEntry.class).inNamespace("shop").list()
                .getItems().get(0);
        se.getMetadata().setManagedFields(io.egressguard.TestMesh.managedFieldsOfKubectlApply());
        cluster.client.resource(se).update();
        String name = se.getMetadata().getName();
        assertEquals(1, cluster.client.resources(io.fabric8.istio.api.networking.v1.ServiceEntry.class).inNamespace("shop")
                .withName(name).get().getMetadata().getManagedFields().size(), "stored with its managedFields");
        try (var client = ClusterAccess.client(cluster.client.getConfiguration())) {
            var read = client.resources(io.fabric8.istio.api.networking.v1.ServiceEntry.class).inNamespace("shop").withName(name).get();
            assertEquals(name, read.getMetadata().getName());
            assertEquals(List.of(), read.getMetadata().getManagedFields());
        }
    }

    @Test
    void unknownContextIsAnErrorListingTheContexts() {
        for (List<String> args : List.of(List.of("audit", "--kubeconfig", cluster.kubeconfig.toString(), "--context", "prod"),
                explain("--kubeconfig", cluster.kubeconfig.toString(), "--context", "prod"))) {
            CheckCommandTest.Run r = CheckCommandTest.run("", args.toArray(String[]::new));
            assertEquals(2, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals("egress-guard " + args.get(0) + ": context 'prod' not in " + cluster.kubeconfig + " (contexts: mock)\n",
                    r.err());
        }
    }

    @Test
    void knownContextIsRead() {
        CheckCommandTest.Run r = CheckCommandTest.run("", "audit", "--kubeconfig", cluster.kubeconfig.toString(),
                "--context", "mock", "-n", "shop");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("EG901"), r.out());
    }

    @Test
    void checkRejectsSeveritiesOfAuditOnlyRules() {
        CheckCommandTest.Run r = CheckCommandTest.run("", "check", "--severity", "EG901=deny", "examples/correct");
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals("egress-guard check: --severity EG901=deny: EG901 is an audit-only rule (it judges the whole cluster); "
                + "only audit runs it\n", r.err());
        CheckCommandTest.Run audit = CheckCommandTest.run("", "audit", "--kubeconfig", cluster.kubeconfig.toString(),
                "--severity", "EG901=off");
        assertEquals(1, audit.status(), audit.err()); // EG101 in legacy remains
        assertTrue(!audit.out().contains("EG901"), audit.out());
    }
}
