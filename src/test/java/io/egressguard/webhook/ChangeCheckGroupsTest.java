package io.egressguard.webhook;

import io.egressguard.bench.LargeMesh;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChangeCheck} checks the objects of alike client namespaces only through the namespace that represents
 * them, and the state before only for the objects with findings after. What the webhook decides on (every
 * finding on the changed object, and the findings the change brings elsewhere, with whether it brings them) must
 * be exactly what checking every related object in both states gives: for every route created, deleted and
 * changed in a mesh where some client namespaces differ from the others in each way a namespace can.
 */
class ChangeCheckGroupsTest {

    static final Engine ENGINE = new Engine(EngineConfig.defaults().withAuditRules());

    /** Team namespaces alike, and others that differ from them in one thing each. */
    static String mesh() {
        return LargeMesh.text(6) + LargeMesh.task() + """
                # a second rule for the gateway in team-2, with the task's subset
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: cnn-too, namespace: team-2}
                spec:
                  host: istio-egressgateway.istio-system.svc.cluster.local
                  subsets: [{name: cnn}]
                ---
                # team-3 lets its pods reach the gateway on 443 only
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: gateway-tls-only, namespace: team-3}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}]
                    ports: [{protocol: TCP, port: 8443}]
                ---
                # injected namespaces without rules of their own, one of them found by a rule of the root namespace
                apiVersion: v1
                kind: Namespace
                metadata: {name: plain, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: plain-2, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: plain-3, labels: {istio-injection: enabled, team: other}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: quiet}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: for-plain-2, namespace: istio-system}
                spec:
                  host: istio-egressgateway.istio-system.svc.cluster.local
                  exportTo: [plain-2]
                  subsets: [{name: cnn}, {name: external}]
                ---
                # a workload-scoped rule in team-4
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: scoped, namespace: team-4}
                spec:
                  host: istio-egressgateway.istio-system.svc.cluster.local
                  workloadSelector: {matchLabels: {app: curl}}
                  subsets: [{name: cnn}]
                ---
                """;
    }

    /** The task's VirtualService, changed in the ways that move what its clients see. */
    static List<String> variants() {
        String task = LargeMesh.task();
        String vs = task.substring(task.lastIndexOf("apiVersion:", task.indexOf("kind: VirtualService")));
        return List.of(vs,
                vs.replace("subset: cnn", "subset: external"),
                vs.replace("subset: cnn", "subset: missing"),
                vs.replace("subset: cnn, ", ""),
                vs.replace("port: {number: 80}}\n  - match: [{gateways: [istio-egressgateway]",
                        "port: {number: 443}}\n  - match: [{gateways: [istio-egressgateway]"),
                vs.replace("hosts: [edition.cnn.com]", "hosts: [edition.cnn.com]\n  exportTo: ['.', team-1, plain]"),
                vs.replace("hosts: [edition.cnn.com]", "hosts: [edition.cnn.com]\n  exportTo: [team-3]"),
                vs.replace("[{gateways: [mesh], port: 80}]", "[{gateways: [mesh], port: 80, sourceNamespace: team-2}]"),
                vs.replace("gateways: [istio-egressgateway, mesh]", "gateways: [mesh]"));
    }

    /**
     * The same mesh with Sidecars: the root namespace's imports each namespace's own routes and istio-system, team-1
     * imports default's, team-2 every namespace, plain its own only. Which namespaces apply a route then depends
     * on where it is written.
     */
    static String meshWithSidecars() {
        return mesh() + sidecar("istio-system", "\"./*\", \"istio-system/*\"") + sidecar("team-1", "\"default/*\", \"istio-system/*\"")
                + sidecar("team-2", "\"*/*\"") + sidecar("plain", "\"./*\"");
    }

    private static String sidecar(String namespace, String hosts) {
        return "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: " + namespace
                + "}\nspec:\n  egress: [{hosts: [" + hosts + "]}]\n---\n";
    }

    @Test
    void theTaskRouteChangedEveryWay() throws Exception {
        taskRouteChangedEveryWay(mesh());
    }

    @Test
    void theTaskRouteChangedEveryWayUnderSidecars() throws Exception {
        taskRouteChangedEveryWay(meshWithSidecars());
    }

    private static void taskRouteChangedEveryWay(String mesh) throws Exception {
        List<Resource> all = read(mesh);
        MeshSnapshot base = MeshSnapshot.of(MeshSettings.DEFAULT, all);
        assertTrue(base.namespacesKnown());
        assertEquals(variants().size(), new HashSet<>(variants()).size(), "every variant changes the route");
        for (String variant : variants()) {
            Resource changed = read(variant).get(0);
            same(base, changed.ref(), changed);
            same(base.without(changed.ref()), changed.ref(), changed);
            // from the variant to the task's own
            MeshSnapshot from = base.with(changed);
            Resource task = all.stream().filter(r -> r.ref().equals(changed.ref())).findFirst().orElseThrow();
            same(from, task.ref(), task);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRouteDeletedCreatedAndReplaced() throws Exception {
        List<Path> configurations = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("examples", "broken"))) {
            s.sorted().forEach(configurations::add);
        }
        configurations.add(Path.of("examples"));
        Stream<DynamicTest> generated = Stream.of(DynamicTest.dynamicTest("generated mesh", () -> everyRoute(read(mesh()))),
                DynamicTest.dynamicTest("generated mesh with Sidecars", () -> everyRoute(read(meshWithSidecars()))));
        return Stream.concat(generated, configurations.stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
            ManifestReader reader = new ManifestReader("default");
            reader.read(p);
            reader.read(Path.of("examples", "cluster"));
            everyRoute(reader.result().resources());
        })));
    }

    private static void everyRoute(List<Resource> all) {
        MeshSnapshot base = MeshSnapshot.of(MeshSettings.DEFAULT, all);
        for (Resource r : all) {
            if (r.kind() != Kind.VIRTUAL_SERVICE && r.kind() != Kind.HTTP_ROUTE && r.kind() != Kind.TLS_ROUTE
                    && r.kind() != Kind.DESTINATION_RULE && r.kind() != Kind.NETWORK_POLICY) {
                continue;
            }
            same(base, r.ref(), r);
            same(base, r.ref(), null);
            same(base.without(r.ref()), r.ref(), r);
        }
    }

    /** The reported findings of the change, as ChangeCheck gives them and as a check of every object gives them. */
    private static void same(MeshSnapshot before, ObjectRef ref, Resource resource) {
        ChangeCheck.Result r = ChangeCheck.of(ENGINE, before, ref, resource);
        List<String> actual = new ArrayList<>();
        for (Finding f : r.after()) {
            if (f.object().equals(ref) || r.introduced(f)) {
                actual.add(f.warningLine() + (r.introduced(f) ? " (new)" : ""));
            }
        }
        assertEquals(everyObject(before, ref, resource), actual, (resource == null ? "delete " : "apply ") + ref);
    }

    private static List<String> everyObject(MeshSnapshot before, ObjectRef ref, Resource resource) {
        MeshSnapshot after = resource == null ? before.without(ref) : before.with(resource);
        Set<ObjectRef> targets = new LinkedHashSet<>();
        for (RelatedObjects related : List.of(RelatedObjects.of(before, ref), RelatedObjects.of(after, ref))) {
            targets.addAll(related.objects());
            related.alike().forEach(a -> targets.addAll(a.others().get()));
        }
        Set<ChangeCheck.Key> existing = new HashSet<>();
        ENGINE.check(before, targets).forEach(f -> existing.add(ChangeCheck.key(f)));
        List<String> out = new ArrayList<>();
        for (Finding f : ENGINE.check(after, targets)) {
            boolean introduced = !existing.contains(ChangeCheck.key(f));
            if (f.object().equals(ref) || introduced) {
                out.add(f.warningLine() + (introduced ? " (new)" : ""));
            }
        }
        return out;
    }

    private static List<Resource> read(String yaml) throws Exception {
        return new ManifestReader("default").read("mesh.yaml", yaml).result().resources();
    }
}
