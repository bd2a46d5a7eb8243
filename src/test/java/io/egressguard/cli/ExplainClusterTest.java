package io.egressguard.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code explain --kubeconfig} traces through a live cluster (the fabric8 mock API server) as through files. */
class ExplainClusterTest {

    static final Path STATE = Path.of("src/test/resources/webhook/state");

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

    @Test
    void clusterAndFilesGiveTheSameTrace() {
        for (String[] q : new String[][] {{"shop", "api.github.com:443"}, {"legacy", "partner.example.com:443"}}) {
            CheckCommandTest.Run live = CheckCommandTest.run("", "explain", "--from", q[0], "--to", q[1], "-o", "json",
                    "--kubeconfig", kubeconfig.toString());
            CheckCommandTest.Run files = CheckCommandTest.run("", "explain", "--from", q[0], "--to", q[1], "-o", "json",
                    STATE.toString());
            assertEquals(files.status(), live.status(), live.err());
            assertEquals(files.out(), live.out());
        }
        CheckCommandTest.Run ok = CheckCommandTest.run("", "explain", "--from", "shop", "--to", "api.github.com:443",
                "--kubeconfig", kubeconfig.toString());
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertTrue(ok.out().contains("result: api.github.com:443 reached through egress gateway"), ok.out());
    }

    @Test
    void unreachableClusterExitsTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("kubeconfig");
        Files.writeString(bad, Files.readString(kubeconfig).replaceAll("server: \"[^\"]+\"", "server: \"http://127.0.0.1:9\""));
        CheckCommandTest.Run r = CheckCommandTest.run("", "explain", "--from", "shop", "--to", "api.github.com",
                "--kubeconfig", bad.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals("egress-guard explain: cannot reach the Kubernetes API server http://127.0.0.1:9 (context mock): connection refused\n", r.err());
    }
}
