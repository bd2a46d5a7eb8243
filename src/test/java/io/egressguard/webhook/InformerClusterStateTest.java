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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Informers against the fabric8 mock API server (CRUD mode): optional CRDs, late installs, bursts. */
class InformerClusterStateTest {

    /** Whether the Gateway API CRDs are installed in the mock API server. */
    static volatile boolean gatewayApiInstalled = true;
    /** While set, the mock API server sends the list of NetworkPolicies this late (without holding other requests). */
    static volatile Duration networkPolicyListDelay;

    /** The CRUD mock API server, answering 404 for the Gateway API group while its CRDs are "not installed". */
    static final class CrdAwareDispatcher extends io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher {
        @Override
        public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
            var delay = networkPolicyListDelay;
            if (delay != null && request.getPath().startsWith("/apis/networking.k8s.io/v1/networkpolicies")
                    && !request.getPath().contains("watch=true")) {
                return super.dispatch(request).setBodyDelay(delay);
            }
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
        networkPolicyListDelay = null;
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

    /**
     * While an informer is still listing, the objects the others listed are not built into a snapshot, however
     * many rebuild delays pass: nothing is judged on part of the cluster, and with 21,000 objects those builds
     * took the CPU the lists needed. The list that completes the state brings the first build, and readiness.
     */
    @Test
    void noSnapshotIsBuiltFromPartOfTheInitialLists() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder().withNewMetadata()
                .withName("deny").withNamespace("shop").endMetadata().withNewSpec().endSpec().build()).create();
        networkPolicyListDelay = Duration.ofSeconds(3);
        state = new InformerClusterState(client, MeshSettings.DEFAULT, Duration.ofMillis(5), Duration.ofSeconds(60));
        state.start();
        await(() -> state.describe().contains("Namespace=watching") && state.describe().contains("NetworkPolicy=listing"),
                () -> "the namespace listed, the NetworkPolicies still coming: " + state.describe());
        Thread.sleep(300); // sixty rebuild delays
        assertEquals(0, state.snapshot().size(), state.describe());
        assertFalse(state.ready());

        await(() -> state.ready(), () -> "ready: " + state.describe());
        assertTrue(state.snapshot().resource(new ObjectRef(Kind.NAMESPACE, null, "shop")).isPresent(), state.describe());
        assertTrue(state.snapshot().resource(new ObjectRef(Kind.NETWORK_POLICY, "shop", "deny")).isPresent(), state.describe());
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
