package io.egressguard.webhook;

import io.egressguard.mesh.MeshSettings;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.egressguard.webhook.WebhookClusterTest.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Informers against the fabric8 mock API server (CRUD mode): optional CRDs, late installs, bursts. */
class InformerClusterStateTest {

    /** Whether the Gateway API CRDs are installed in the mock API server. */
    static volatile boolean gatewayApiInstalled = true;

    /** The CRUD mock API server, answering 404 for the Gateway API group while its CRDs are "not installed". */
    static final class CrdAwareDispatcher extends io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher {
        @Override
        public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
            if (!gatewayApiInstalled && request.getPath().startsWith("/apis/gateway.networking.k8s.io")) {
                return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(404)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404,\"reason\":\"NotFound\"}");
            }
            return super.dispatch(request);
        }
    }

    KubernetesMockServer server;
    KubernetesClient client;
    InformerClusterState state;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
                new java.util.HashMap<>(), new CrdAwareDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        gatewayApiInstalled = true;
        if (state != null) {
            state.close();
        }
        client.close();
        server.destroy();
    }

    @Test
    void missingGatewayApiCrdsLeaveThoseRulesInactiveAndALaterInstallIsPickedUp() throws Exception {
        gatewayApiInstalled = false;
        state = new InformerClusterState(client, MeshSettings.DEFAULT, Duration.ofMillis(20), Duration.ofMillis(300));
        state.start();
        await(() -> state.ready(), () -> "ready without Gateway API: " + state.describe());
        assertTrue(state.describe().contains("HTTPRoute=not installed"), state.describe());

        gatewayApiInstalled = true;
        client.resource(new HTTPRouteBuilder().withNewMetadata().withName("r").withNamespace("shop").endMetadata()
                .withNewSpec().endSpec().build()).create();
        ObjectRef route = new ObjectRef(Kind.HTTP_ROUTE, "shop", "r");
        await(() -> state.snapshot().resource(route).isPresent(), () -> "late CRD picked up: " + state.describe());
        await(() -> state.ready(), () -> "ready with Gateway API: " + state.describe());
        assertTrue(state.describe().contains("HTTPRoute=watching"), state.describe());
    }

    @Test
    void aBurstOfEventsEndsInOneConsistentSnapshot() throws Exception {
        state = new InformerClusterState(client, MeshSettings.DEFAULT, Duration.ofMillis(50), Duration.ofSeconds(60));
        state.start();
        await(() -> state.ready(), () -> "ready: " + state.describe());
        for (int i = 0; i < 500; i++) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName("ns-" + i)
                    .addToLabels("istio-injection", "enabled").endMetadata().build()).create();
        }
        await(() -> state.snapshot().namespaces().size() == 500, () -> "500 namespaces, got "
                + state.snapshot().namespaces().size());
        assertTrue(state.snapshot().sidecarInjected("ns-499"));
    }
}
