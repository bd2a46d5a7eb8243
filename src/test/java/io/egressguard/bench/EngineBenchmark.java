package io.egressguard.bench;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.webhook.ChangeCheck;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The engine's costs against generated correct meshes of 100, 1,000 and 20,000 objects: checking one object
 * of each kind, building a snapshot, applying one changed object, and the whole admission check of an
 * update (the changed object and those it affects, before and after). Run with {@code bench/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {

    /** Objects in the mesh (six per namespace plus the Istio install). */
    @Param({"100", "1000", "20000"})
    public int objects;

    @Param({"VirtualService", "ServiceEntry", "DestinationRule", "Gateway", "NetworkPolicy"})
    public String kind;

    MeshSnapshot snapshot;
    List<Resource> resources;
    Resource changed;
    ObjectRef target;
    Engine engine;

    @Setup
    public void setup() throws InputException {
        int namespaces = Math.max(1, objects / 6);
        resources = new ManifestReader("default").read("bench.yaml", LargeMesh.text(namespaces)).result().resources();
        snapshot = MeshSnapshot.of(MeshSettings.DEFAULT, resources);
        engine = new Engine(EngineConfig.defaults());
        String ns = "team-" + (namespaces / 2);
        target = resources.stream().filter(r -> r.kind().kindName().equals(kind) && r.kind() != Kind.KUBERNETES_GATEWAY
                && r.ref().namespace().equals(ns)).findFirst().orElseThrow().ref();
        Resource original = snapshot.resource(target).orElseThrow();
        changed = new Resource(target, original.object(), Resource.Origin.of("bench"), original.order());
    }

    @Benchmark
    public List<Finding> checkOneObject() {
        return engine.check(snapshot, List.of(target));
    }

    @Benchmark
    public MeshSnapshot buildSnapshot() {
        return MeshSnapshot.of(MeshSettings.DEFAULT, resources);
    }

    @Benchmark
    public MeshSnapshot applyOneUpdate() {
        return snapshot.with(changed);
    }

    /** What the webhook does for an UPDATE: the related objects checked before and after the change. */
    @Benchmark
    public ChangeCheck.Result admitOneUpdate() {
        return ChangeCheck.of(engine, snapshot, target, changed);
    }
}
