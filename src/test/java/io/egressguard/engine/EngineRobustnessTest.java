package io.egressguard.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Random and damaged objects: reading may reject them with an {@link InputException}, but whatever is read,
 * the engine checks without throwing.
 */
class EngineRobustnessTest {

    static final List<List<Object>> BASES = loadBases();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] KINDS = {"networking.istio.io/v1:ServiceEntry", "networking.istio.io/v1beta1:VirtualService",
        "networking.istio.io/v1alpha3:DestinationRule", "networking.istio.io/v1:Gateway",
        "gateway.networking.k8s.io/v1:Gateway", "gateway.networking.k8s.io/v1:HTTPRoute",
        "gateway.networking.k8s.io/v1alpha2:TLSRoute", "networking.k8s.io/v1:NetworkPolicy", "v1:Namespace",
        "v1:Service", "apps/v1:Deployment", "v1:Pod", "networking.istio.io/v1:Sidecar"};

    static List<List<Object>> loadBases() {
        List<List<Object>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "test", "resources", "rules"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                List<Object> docs = new ArrayList<>();
                new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(f)).forEach(d -> {
                    if (d != null) {
                        docs.add(d);
                    }
                });
                out.add(docs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Property(tries = 400)
    void damagedFixturesNeverMakeTheEngineThrow(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int damage)
            throws Exception {
        Random random = new Random(seed);
        List<Object> docs = deepCopy(BASES.get(random.nextInt(BASES.size())));
        for (int i = 0; i < damage; i++) {
            Object doc = docs.get(random.nextInt(docs.size()));
            mutate(doc, random, 0);
        }
        checkSurvives(docs);
    }

    /** A sample the property found: a waypoint Gateway whose listeners list holds a null. */
    @org.junit.jupiter.api.Test
    void aNullListenerOfAWaypointIsSkipped() throws Exception {
        damagedFixturesNeverMakeTheEngineThrow(8729794, 4);
    }

    @org.junit.jupiter.api.Test
    void selectorsWithEmptyValuesAreRead() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: istio-egressgateway, namespace: istio-system}
                spec:
                  selector: {istio: egressgateway, app: null}
                  ports: [{port: 443}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: egress, namespace: default}
                spec:
                  selector: {istio: egressgateway}
                  servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: [a.example.com], tls: {mode: PASSTHROUGH}}]
                """;
        MeshSnapshot s = MeshSnapshot.of(MeshSettings.DEFAULT, new ManifestReader("default").read("t.yaml", yaml).result().resources());
        var w = s.workload("istio-egressgateway.istio-system.svc.cluster.local").orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals(Map.of("istio", "egressgateway"), w.podLabels());
        new Engine(EngineConfig.defaults()).check(s);
    }

    /** A null list entry (`hosts: [null]`) is read as no entry, whether the state is built or derived by a change. */
    @org.junit.jupiter.api.Test
    void nullHostsOfAGatewayServerAreRead() throws Exception {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: egress, namespace: default}
                spec:
                  selector: {istio: egressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [null, a.example.com]}]
                """;
        var resources = new ManifestReader("default").read("t.yaml", yaml).result().resources();
        MeshSnapshot s = MeshSnapshot.of(MeshSettings.DEFAULT, List.of());
        for (var r : resources) {
            s = s.with(r);
        }
        MeshSnapshot built = MeshSnapshot.of(MeshSettings.DEFAULT, resources);
        for (MeshSnapshot each : List.of(s, built)) {
            var servers = each.allServers(io.egressguard.mesh.Binding.istioGateway("default", "egress"));
            org.junit.jupiter.api.Assertions.assertEquals(List.of("a.example.com"), servers.get(0).hosts());
            new Engine(EngineConfig.defaults()).check(each);
        }
    }

    @Property(tries = 300)
    void randomObjectsNeverMakeTheEngineThrow(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        List<Object> docs = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(8); i++) {
            String[] kind = KINDS[random.nextInt(KINDS.length)].split(":");
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("apiVersion", kind[0]);
            o.put("kind", kind[1]);
            o.put("metadata", Map.of("name", "o" + i, "namespace", random.nextBoolean() ? "default" : "istio-system"));
            o.put("spec", randomValue(random, 0));
            docs.add(o);
        }
        checkSurvives(docs);
    }

    private static void checkSurvives(List<Object> docs) throws Exception {
        StringBuilder text = new StringBuilder();
        for (Object d : docs) {
            text.append(JSON.writeValueAsString(d)).append("\n---\n");
        }
        ManifestReader reader = new ManifestReader("default");
        try {
            reader.read("random.yaml", text.toString());
        } catch (InputException rejected) {
            return; // a clear rejection is a correct answer to bad input
        }
        MeshSnapshot s = MeshSnapshot.of(MeshSettings.DEFAULT, reader.result().resources());
        new Engine(EngineConfig.defaults()).check(s);
    }

    @SuppressWarnings("unchecked")
    static void mutate(Object node, Random r, int depth) {
        if (node instanceof Map<?, ?> m && !m.isEmpty()) {
            Map<String, Object> map = (Map<String, Object>) m;
            List<String> keys = new ArrayList<>(map.keySet());
            String key = keys.get(r.nextInt(keys.size()));
            if (key.equals("apiVersion") || key.equals("kind")) {
                return;
            }
            Object child = map.get(key);
            int choice = r.nextInt(4);
            if (choice == 0 || depth > 6) {
                map.remove(key);
            } else if (choice == 1) {
                map.put(key, randomValue(r, 3));
            } else {
                mutate(child, r, depth + 1);
            }
        } else if (node instanceof List<?> l && !l.isEmpty()) {
            List<Object> list = (List<Object>) l;
            int i = r.nextInt(list.size());
            switch (r.nextInt(3)) {
                case 0 -> list.remove(i);
                case 1 -> list.set(i, randomValue(r, 3));
                default -> mutate(list.get(i), r, depth + 1);
            }
        }
    }

    static Object randomValue(Random r, int depth) {
        int pick = depth > 3 ? r.nextInt(5) : r.nextInt(7);
        return switch (pick) {
            case 0 -> null;
            case 1 -> r.nextInt(70000) - 5;
            case 2 -> r.nextBoolean();
            case 3 -> List.of("*", "mesh", "istio-egressgateway.istio-system.svc.cluster.local", ".", "~", "", "a/b",
                    "*.example.com", "istio-system/egress").get(r.nextInt(9));
            case 4 -> "x" + r.nextInt(100);
            case 5 -> {
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < r.nextInt(4); i++) {
                    l.add(randomValue(r, depth + 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                String[] keys = {"hosts", "gateways", "http", "tls", "route", "destination", "host", "port", "number",
                    "subset", "subsets", "name", "match", "selector", "servers", "egress", "to", "ports", "protocol",
                    "resolution", "exportTo", "parentRefs", "rules", "backendRefs", "listeners", "namespaceSelector"};
                for (int i = 0; i < r.nextInt(5); i++) {
                    m.put(keys[r.nextInt(keys.length)], randomValue(r, depth + 1));
                }
                yield m;
            }
        };
    }

    @SuppressWarnings("unchecked")
    static <T> T deepCopy(T o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(k, deepCopy(v)));
            return (T) c;
        }
        if (o instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(v -> c.add(deepCopy(v)));
            return (T) c;
        }
        return o;
    }
}
