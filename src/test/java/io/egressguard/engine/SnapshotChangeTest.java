package io.egressguard.engine;

import io.egressguard.TestMesh;
import io.egressguard.bench.LargeMesh;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot derived by one change ({@code with}/{@code without}, what the webhook checks an admission request
 * on) must answer every question, and give every finding, exactly like a snapshot built from scratch from the
 * same objects: on Istio's configurations, the examples, every rule fixture, a generated mesh, and random
 * changes to them.
 */
class SnapshotChangeTest {

    /** The kinds an admission request changes; the others rebuild the state. */
    static final Set<Kind> PATCHED = EnumSet.of(Kind.SERVICE_ENTRY, Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE,
            Kind.GATEWAY, Kind.SIDECAR, Kind.KUBERNETES_GATEWAY, Kind.HTTP_ROUTE, Kind.TLS_ROUTE, Kind.NETWORK_POLICY);

    static final Engine ENGINE = new Engine(EngineConfig.defaults().withAuditRules());

    @TestFactory
    Stream<DynamicTest> everyObjectDeletedCreatedAndReplaced() throws IOException {
        List<Path> configurations = new ArrayList<>();
        // Istio's configurations where they are present (beside the repository); the project's own always.
        boolean corpus = Files.isDirectory(TestMesh.corpusLocation());
        if (corpus) {
            try (Stream<Path> s = Files.walk(TestMesh.corpusLocation())) {
                s.filter(p -> p.getFileName().toString().equals("config.yaml")).map(Path::getParent).sorted()
                        .forEach(configurations::add);
            }
            assertTrue(configurations.size() >= 21, "Istio's configurations not found at " + TestMesh.corpusLocation());
        }
        try (Stream<Path> s = Files.walk(Path.of("src", "test", "resources", "rules"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(configurations::add);
        }
        try (Stream<Path> s = Files.list(Path.of("examples", "broken"))) {
            s.sorted().forEach(configurations::add);
        }
        configurations.add(Path.of("examples"));
        Stream<DynamicTest> absentCorpus = corpus ? Stream.empty()
                : Stream.of(DynamicTest.dynamicTest("Istio's configurations", TestMesh::corpus)); // skipped, or fails in CI
        return Stream.concat(absentCorpus, configurations.stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
            ManifestReader reader = new ManifestReader("default");
            reader.read(p);
            if (p.startsWith(Path.of("examples", "broken"))) {
                reader.read(Path.of("examples", "cluster"));
            }
            everyChange(reader.result().resources());
        })));
    }

    @Test
    void generatedMesh() throws InputException {
        everyChange(new ManifestReader("default").read("mesh.yaml", LargeMesh.text(4)).result().resources());
    }

    @Property(tries = 300)
    void randomChangesToFixtures(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        List<Object> base = EngineRobustnessTest.deepCopy(
                EngineRobustnessTest.BASES.get(random.nextInt(EngineRobustnessTest.BASES.size())));
        List<Object> changed = EngineRobustnessTest.deepCopy(base);
        int at = random.nextInt(changed.size());
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
            EngineRobustnessTest.mutate(changed.get(at), random, 1);
        }
        List<Resource> before = read(base);
        List<Resource> after = read(changed);
        if (before == null || after == null) {
            return; // rejected on reading: nothing to derive
        }
        for (Resource r : after) {
            if (!PATCHED.contains(r.kind())) {
                continue;
            }
            Resource old = before.stream().filter(b -> b.ref().equals(r.ref())).findFirst().orElse(null);
            if (old == null || !old.object().equals(r.object())) {
                List<Resource> expected = new ArrayList<>(before);
                expected.replaceAll(b -> b.ref().equals(r.ref()) ? r : b);
                if (old == null) {
                    expected.add(r);
                }
                MeshSnapshot from = MeshSnapshot.of(MeshSettings.DEFAULT, before);
                compare(from, from.with(r), MeshSnapshot.of(MeshSettings.DEFAULT, expected), random.nextBoolean());
            }
        }
    }

    private static List<Resource> read(List<Object> docs) throws Exception {
        StringBuilder text = new StringBuilder();
        for (Object d : docs) {
            text.append(EngineRobustnessTest.JSON.writeValueAsString(d)).append("\n---\n");
        }
        try {
            return new ManifestReader("default").read("random.yaml", text.toString()).result().resources();
        } catch (InputException rejected) {
            return null;
        }
    }

    private static void everyChange(List<Resource> all) {
        MeshSnapshot base = MeshSnapshot.of(MeshSettings.DEFAULT, all);
        boolean warm = false;
        for (Resource r : all) {
            if (!PATCHED.contains(r.kind())) {
                continue;
            }
            warm = !warm;
            List<Resource> others = all.stream().filter(x -> !x.ref().equals(r.ref())).toList();
            compare(base, base.without(r.ref()), MeshSnapshot.of(MeshSettings.DEFAULT, others), warm);

            MeshSnapshot missing = MeshSnapshot.of(MeshSettings.DEFAULT, others);
            List<Resource> appended = new ArrayList<>(others);
            appended.add(r);
            compare(missing, missing.with(r), MeshSnapshot.of(MeshSettings.DEFAULT, appended), !warm);

            Resource copy = new Resource(r.ref(), r.object(), Resource.Origin.of("admission"), r.order());
            List<Resource> replaced = all.stream().map(x -> x.ref().equals(r.ref()) ? copy : x).toList();
            compare(base, base.with(copy), MeshSnapshot.of(MeshSettings.DEFAULT, replaced), warm);
        }
    }

    /**
     * {@code warm}: the state before was checked first, so the derived one starts from its remembered answers
     * (as in the webhook); otherwise the derived one computes them, asking the state before as it goes.
     */
    static void compare(MeshSnapshot before, MeshSnapshot derived, MeshSnapshot built, boolean warm) {
        assertNotSame(before, derived);
        if (warm) {
            ENGINE.check(before);
        }
        String change = derived.change().map(c -> c.ref().toString()).orElse("rebuilt");
        sameLines(describe(built), describe(derived), "indexes after " + change);
        assertEquals(lines(ENGINE.check(built)), lines(ENGINE.check(derived)), "findings after " + change);
    }

    /** Equal texts, or a failure that shows the first line where they differ. */
    private static void sameLines(String expected, String actual, String what) {
        String[] e = expected.split("\n");
        String[] a = actual.split("\n");
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) {
                int from = Math.max(0, i - 3);
                assertEquals(String.join("\n", java.util.Arrays.copyOfRange(e, from, Math.min(e.length, i + 2))),
                        String.join("\n", java.util.Arrays.copyOfRange(a, from, Math.min(a.length, i + 2))),
                        what + ", line " + (i + 1));
            }
        }
        assertEquals(e.length, a.length, what + ": number of lines");
    }

    private static List<String> lines(List<Finding> findings) {
        return findings.stream().map(f -> f.severity() + " " + f.code() + " " + f.object() + " " + f.path() + ": "
                + f.message() + " | " + f.detail() + " | " + f.related()).toList();
    }

    /** Every question the rules ask of a snapshot, over every host, namespace, gateway and subset it names. */
    static String describe(MeshSnapshot s) {
        StringBuilder sb = new StringBuilder();
        Set<String> hosts = new TreeSet<>();
        Set<String> subsets = new TreeSet<>();
        Set<String> namespaces = new TreeSet<>(s.namespaces());
        Set<Binding> bindings = new java.util.LinkedHashSet<>();
        for (Resource r : s.resources()) {
            sb.append("object ").append(r.ref()).append('\n');
            if (r.ref().namespace() != null) {
                namespaces.add(r.ref().namespace());
            }
            for (RouteRule rule : s.routes(r.ref())) {
                sb.append("  route ").append(rule).append('\n');
                hosts.addAll(rule.hosts());
                bindings.addAll(rule.bindings());
                for (RouteDestination d : rule.destinations()) {
                    hosts.add(d.host());
                    if (d.subset() != null) {
                        subsets.add(d.subset());
                    }
                }
            }
            if (r.kind() == Kind.GATEWAY) {
                bindings.add(Binding.istioGateway(r.ref().namespace(), r.ref().name()));
            } else if (r.kind() == Kind.KUBERNETES_GATEWAY) {
                bindings.add(Binding.kubernetesGateway(r.ref().namespace(), r.ref().name()));
            }
        }
        for (ServiceEntryInfo se : s.serviceEntries()) {
            hosts.addAll(se.hosts());
            sb.append("serviceEntry ").append(se).append(" routes ").append(s.routesAttachedTo(se.ref())).append('\n');
        }
        s.destinationRules().stream().map(DestinationRuleInfo::ref).sorted().forEach(ref ->
                sb.append("destinationRule ").append(s.destinationRule(ref).orElseThrow()).append('\n'));
        for (DestinationRuleInfo d : s.destinationRules()) {
            hosts.add(d.host());
            subsets.addAll(d.subsets());
        }
        for (GatewayWorkload w : s.gatewayWorkloads()) {
            hosts.add(w.serviceHost());
            sb.append("workload ").append(w).append('\n');
        }
        for (String h : hosts) {
            sb.append("host ").append(h)
                    .append("\n  meshRoutesFor ").append(sources(s.meshRoutesFor(h)))
                    .append("\n  meshRoutesTo ").append(sources(s.meshRoutesTo(h)))
                    .append("\n  gatewayRoutesTo ").append(sources(s.gatewayRoutesTo(h)))
                    .append("\n  serviceEntriesDeclaring ").append(s.serviceEntriesDeclaring(h).stream().map(ServiceEntryInfo::ref).toList())
                    .append("\n  destinationRulesFor ").append(s.destinationRulesFor(h).stream().map(DestinationRuleInfo::ref).toList())
                    .append("\n  workload ").append(s.workload(h).map(GatewayWorkload::egress)).append('\n');
            if (!h.contains("*")) {
                sb.append("  gatewayRoutesFor ").append(sources(s.gatewayRoutesFor(h))).append('\n');
            }
            for (String ns : namespaces) {
                sb.append("  from ").append(ns).append(" serviceEntryFor ")
                        .append(s.serviceEntryFor(h, ns).map(ServiceEntryInfo::ref)).append('\n');
            }
        }
        for (Binding b : bindings) {
            sb.append("binding ").append(b).append(" routes ").append(sources(s.routesBoundTo(b)))
                    .append(" servers ").append(s.servers(b)).append(" workloads ")
                    .append(s.workloadsOf(b).stream().map(w -> w.serviceHost() + "/" + w.egress()).toList())
                    .append(" egress ").append(s.isEgressGateway(b)).append(" gateway ").append(s.gateway(b)).append('\n');
        }
        for (String ns : namespaces) {
            sb.append("namespace ").append(ns).append(" egressUses ")
                    .append(s.egressUsesFrom(ns).stream().map(u -> u.gateway().serviceHost() + ":" + u.port()).toList())
                    .append(" policies ").append(s.networkPolicies(ns).stream().map(p -> p.getMetadata().getName()).toList())
                    .append(" rules ").append(s.destinationRulesIn(ns).entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue().stream().map(DestinationRuleInfo::ref).toList())
                            .sorted().collect(Collectors.joining(",")))
                    .append('\n');
        }
        for (GatewayWorkload w : s.gatewayWorkloads()) {
            String h = w.serviceHost();
            for (String subset : subsets) {
                sb.append("subset ").append(h).append(' ').append(subset).append(" public ")
                        .append(uses(s.subsetUses(h, null, subset))).append(" clients ").append(s.subsetClients(h, subset))
                        .append(" exported ").append(s.subsetRoutedByExport(h, subset)).append('\n');
                for (String ns : namespaces) {
                    sb.append("  ").append(ns).append(" used ").append(s.subsetUsedFrom(h, ns, subset))
                            .append(" uses ").append(uses(s.subsetUses(h, ns, subset))).append('\n');
                }
            }
            sb.append("  routed public ").append(s.subsetsRoutedFrom(h, null)).append('\n');
            sb.append("  routes public ").append(sources(s.meshRoutesTo(h, null))).append('\n');
            for (String ns : namespaces) {
                sb.append("  routed from ").append(ns).append(' ').append(s.subsetsRoutedFrom(h, ns))
                        .append(" routes ").append(sources(s.meshRoutesTo(h, ns))).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String> sources(List<RouteRule> rules) {
        return rules.stream().map(r -> r.source() + " " + r.path()).toList();
    }

    private static List<String> uses(List<MeshSnapshot.SubsetUse> uses) {
        return uses.stream().map(u -> u.rule().source() + " " + u.destination().path()).toList();
    }

    static ObjectRef ref(Kind kind, String ns, String name) {
        return new ObjectRef(kind, ns, name);
    }
}
