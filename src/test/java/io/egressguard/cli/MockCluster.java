package io.egressguard.cli;

import io.egressguard.load.ManifestReader;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * A live cluster for commands that read one: the fabric8 mock API server in CRUD mode holding the objects of
 * a manifest directory, and a kubeconfig that points at it.
 */
final class MockCluster implements AutoCloseable {

    final KubernetesMockServer server;
    final KubernetesClient client;
    final Path kubeconfig;

    MockCluster(Path manifests, Path dir) throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        for (Resource r : new ManifestReader("default").read(manifests).result().resources()) {
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

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
