package io.egressguard.webhook;

import io.egressguard.TestMesh;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentAdmissionsTest {

    static final ObjectRef SERVICE_ENTRY = new ObjectRef(Kind.SERVICE_ENTRY, "default", "slack-hooks");
    static final ObjectRef GATEWAY = new ObjectRef(Kind.GATEWAY, "default", "slack-egress");
    static final ObjectRef DESTINATION_RULE = new ObjectRef(Kind.DESTINATION_RULE, "default", "egress-gateway-slack");
    static final ObjectRef VIRTUAL_SERVICE = new ObjectRef(Kind.VIRTUAL_SERVICE, "default", "slack-through-egress");

    final AtomicLong now = new AtomicLong();
    final RecentAdmissions recent = new RecentAdmissions(Duration.ofSeconds(5), now::get);

    /**
     * kubectl apply -f route-loop.yaml: the ServiceEntry, Gateway and DestinationRule are admitted one after
     * the other and the VirtualService follows before the informers delivered any of them. Judged on the
     * informers' state alone the loop (EG202) is missed; with the admitted changes laid over it, it is found.
     */
    @Test
    void objectsAdmittedJustBeforeAreSeenBeforeTheInformersDeliverThem() throws Exception {
        MeshSnapshot file = TestMesh.files(Path.of("examples/broken/route-loop.yaml"));
        List<ObjectRef> mesh = List.of(SERVICE_ENTRY, GATEWAY, DESTINATION_RULE, VIRTUAL_SERVICE);
        MeshSnapshot informers = file;
        for (ObjectRef ref : mesh) {
            informers = informers.without(ref);
        }
        for (ObjectRef ref : List.of(SERVICE_ENTRY, GATEWAY, DESTINATION_RULE)) {
            recent.admitted(recent.overlay(informers), ref, file.resource(ref).orElseThrow());
        }
        Resource loop = file.resource(VIRTUAL_SERVICE).orElseThrow();
        Engine engine = new Engine(EngineConfig.defaults());

        assertFalse(codes(ChangeCheck.of(engine, informers, VIRTUAL_SERVICE, loop)).contains("EG202"));
        assertTrue(codes(ChangeCheck.of(engine, recent.overlay(informers), VIRTUAL_SERVICE, loop)).contains("EG202"));

        // Once the informers deliver them, the state is theirs again.
        assertEquals(3, recent.size());
        MeshSnapshot delivered = informers.with(file.resource(SERVICE_ENTRY).orElseThrow())
                .with(file.resource(GATEWAY).orElseThrow()).with(file.resource(DESTINATION_RULE).orElseThrow());
        assertTrue(recent.overlay(delivered) == delivered);
        assertEquals(0, recent.size());
    }

    @Test
    void anUpdateIsLaidOverUntilAnotherResourceVersionArrives() {
        MeshSnapshot v1 = TestMesh.yaml(serviceEntry("1", "NONE"));
        Resource update = resource(serviceEntry("1", "DNS"));
        recent.admitted(v1, SERVICE_ENTRY, update);
        assertEquals("DNS", recent.overlay(v1).serviceEntry(SERVICE_ENTRY).orElseThrow().resolution());

        MeshSnapshot v2 = TestMesh.yaml(serviceEntry("2", "DNS"));
        assertTrue(recent.overlay(v2) == v2);
        assertEquals(0, recent.size());
    }

    @Test
    void aDeleteIsLaidOverUntilTheObjectIsGone() {
        MeshSnapshot present = TestMesh.yaml(serviceEntry("1", "DNS"));
        recent.admitted(present, SERVICE_ENTRY, null);
        assertTrue(recent.overlay(present).resource(SERVICE_ENTRY).isEmpty());
        MeshSnapshot gone = MeshSnapshot.of(MeshSettings.DEFAULT, List.of());
        assertTrue(recent.overlay(gone) == gone);
        assertEquals(0, recent.size());
    }

    /** A change that never reaches the informers (refused after this webhook admitted it) is forgotten. */
    @Test
    void aChangeThatNeverArrivesIsForgotten() {
        MeshSnapshot empty = MeshSnapshot.of(MeshSettings.DEFAULT, List.of());
        recent.admitted(empty, SERVICE_ENTRY, resource(serviceEntry(null, "DNS")));
        assertTrue(recent.overlay(empty).resource(SERVICE_ENTRY).isPresent());
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertTrue(recent.overlay(empty) == empty);
        assertEquals(0, recent.size());
    }

    private static List<String> codes(ChangeCheck.Result r) {
        return r.after().stream().filter(r::introduced).map(Finding::code).toList();
    }

    private static Resource resource(String yaml) {
        return TestMesh.yaml(yaml).resource(SERVICE_ENTRY).orElseThrow();
    }

    private static String serviceEntry(String resourceVersion, String resolution) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: slack-hooks
                  namespace: default
                %s
                spec:
                  hosts: [hooks.slack.com]
                  ports: [{number: 443, name: tls, protocol: TLS}]
                  resolution: %s
                  location: MESH_EXTERNAL
                """.formatted(resourceVersion == null ? "" : "  resourceVersion: \"" + resourceVersion + "\"", resolution);
    }
}
