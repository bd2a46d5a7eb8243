package io.egressguard.bench;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.rules.RuleRegistry;
import io.egressguard.webhook.ChangeCheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Admission checks while the cluster state changes. One thread applies updates at a given rate to a generated
 * mesh and rebuilds the snapshot the way the informers do (events folded into one rebuild per 200 ms, objects
 * that did not change reused, shared indexes prepared before the snapshot is published); meanwhile the main thread decides admission changes against the current
 * snapshot, as the webhook does for each review. Prints the review latency without and with the burst.
 *
 * <pre>java -cp ... io.egressguard.bench.UpdateBurst [NAMESPACES] [SECONDS] [UPDATES_PER_SECOND]</pre>
 */
public final class UpdateBurst {

    private UpdateBurst() {
    }

    public static void main(String[] args) throws Exception {
        int namespaces = args.length > 0 ? Integer.parseInt(args[0]) : 3500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        List<Resource> resources = new ManifestReader("default").read("mesh.yaml", LargeMesh.text(namespaces)).result().resources();
        Map<ObjectRef, Resource> store = new LinkedHashMap<>();
        resources.forEach(r -> store.put(r.ref(), r));
        List<Resource> updatable = resources.stream().filter(r -> r.kind() == Kind.VIRTUAL_SERVICE
                || r.kind() == Kind.DESTINATION_RULE || r.kind() == Kind.SERVICE_ENTRY).toList();
        Engine engine = new Engine(EngineConfig.defaults());
        AtomicReference<MeshSnapshot> current = new AtomicReference<>(MeshSnapshot.of(MeshSettings.DEFAULT, resources));
        Resource reviewed = updatable.stream().filter(r -> r.kind() == Kind.VIRTUAL_SERVICE
                && r.ref().namespace().equals("team-" + namespaces / 2)).findFirst().orElseThrow();

        System.out.printf("%d objects; reviews of an UPDATE of %s%n", store.size(), reviewed.ref());
        review(engine, current, reviewed, 5); // warm-up
        System.out.println("no updates:          " + review(engine, current, reviewed, seconds));

        AtomicBoolean pending = new AtomicBoolean();
        AtomicLong rebuilds = new AtomicLong();
        AtomicLong rebuildNanos = new AtomicLong();
        ScheduledExecutorService updates = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService rebuilder = Executors.newSingleThreadScheduledExecutor();
        long perTick = Math.max(1, rate / 100);
        long[] next = {0};
        updates.scheduleAtFixedRate(() -> {
            synchronized (store) {
                for (int i = 0; i < perTick; i++) {
                    Resource r = updatable.get((int) (next[0]++ % updatable.size()));
                    store.put(r.ref(), new Resource(r.ref(), r.object(), r.origin(), r.order()));
                }
            }
            if (pending.compareAndSet(false, true)) {
                rebuilder.schedule(() -> {
                    pending.set(false);
                    long t = System.nanoTime();
                    List<Resource> copy;
                    synchronized (store) {
                        copy = List.copyOf(store.values());
                    }
                    MeshSnapshot rebuilt = current.get().rebuild(copy);
                    RuleRegistry.prepare(rebuilt);
                    current.set(rebuilt);
                    rebuildNanos.addAndGet(System.nanoTime() - t);
                    rebuilds.incrementAndGet();
                }, 200, TimeUnit.MILLISECONDS);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        String withBurst = review(engine, current, reviewed, seconds);
        updates.shutdownNow();
        rebuilder.shutdown();
        rebuilder.awaitTermination(10, TimeUnit.SECONDS);
        System.out.printf("%d updates/s:      %s%n", rate, withBurst);
        System.out.printf("rebuilds: %d, %.1f ms each on average%n", rebuilds.get(),
                rebuildNanos.get() / 1e6 / Math.max(1, rebuilds.get()));
    }

    /** Decides reviews for {@code seconds}; returns the count and latency percentiles. */
    private static String review(Engine engine, AtomicReference<MeshSnapshot> current, Resource reviewed, int seconds) {
        Resource changed = new Resource(reviewed.ref(), reviewed.object(), Resource.Origin.of("admission"), Long.MAX_VALUE);
        List<Long> nanos = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            ChangeCheck.of(engine, current.get(), reviewed.ref(), changed);
            nanos.add(System.nanoTime() - t);
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("%d reviews, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.1f ms", sorted.length,
                at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted[sorted.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }
}
