package io.egressguard.cli;

import io.egressguard.load.ManifestReader;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code explain --kubeconfig} traces through a live cluster (the fabric8 mock API server) as through files. */
class ExplainClusterTest {

    static final Path STATE = Path.of("src/test/resources/webhook/state");

    KubernetesMockServer server;
    KubernetesClient client;
    Path kubeconfig;

    @BeforeEach
    void cluster(@TempDir Path dir) throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        for (Resource r : new ManifestReader("default").read(STATE).result().resources()) {
            client.resource(r.object()).create();
        }
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: tester, user: {token: secret}}]
                contexts: [{name: mock, context: {cluster: mock, user: tester}}]
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
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
        assertTrue(r.err().startsWith("egress-guard explain: cannot read the cluster: "), r.err());
    }
}
