package io.egressguard.webhook;

import io.egressguard.load.ModelTypes;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.rules.RuleRegistry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster state from the Kubernetes API through fabric8 informers, one per kind the rules read. The
 * admission path only reads the latest immutable snapshot; informer events are collected and the snapshot
 * rebuilt at most once per {@code rebuildDelay}, so a burst of events costs one rebuild, not thousands.
 *
 * <p>Pods are not watched (gateway workloads are known from Deployments). A kind whose CRD is not installed
 * (Gateway API, or Istio itself) is inactive, and asked for again every {@code crdRecheck}: a CRD installed
 * later is picked up. The state is ready once every active informer has listed and is watching.
 */
public final class InformerClusterState implements ClusterState, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InformerClusterState.class);

    /** Kinds without which the webhook cannot judge anything: a failure to list them is never "not installed". */
    private static final List<Kind> CORE = List.of(Kind.NAMESPACE, Kind.SERVICE, Kind.DEPLOYMENT, Kind.NETWORK_POLICY);
    private static final List<Kind> WATCHED = ModelTypes.CLUSTER_KINDS;

    private final KubernetesClient client;
    private final MeshSettings settings;
    private final Duration rebuildDelay;
    private final Duration crdRecheck;
    private final Map<ObjectRef, Resource> store = new ConcurrentHashMap<>();
    private final Map<Kind, SharedIndexInformer<? extends HasMetadata>> informers = new ConcurrentHashMap<>();
    private final Map<Kind, String> inactive = new ConcurrentHashMap<>();
    private final Map<Kind, String> failed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "egress-guard-state");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final AtomicBoolean meshConfigUnreadable = new AtomicBoolean();
    private final AtomicLong order = new AtomicLong();
    private volatile MeshSnapshot snapshot;
    /** True once a snapshot was built after every active informer had listed. */
    private volatile boolean builtAfterSync;
    private volatile long lastInSync = System.nanoTime();

    public InformerClusterState(KubernetesClient client, MeshSettings settings, Duration rebuildDelay, Duration crdRecheck) {
        this.client = client;
        this.settings = settings;
        this.rebuildDelay = rebuildDelay;
        this.crdRecheck = crdRecheck;
        this.snapshot = MeshSnapshot.of(settings, List.of());
    }

    public void start() {
        for (Kind k : WATCHED) {
            startInformer(k);
        }
        scheduler.scheduleWithFixedDelay(this::retryInactive, crdRecheck.toMillis(), crdRecheck.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void retryInactive() {
        for (Kind k : List.copyOf(inactive.keySet())) {
            startInformer(k);
        }
        for (Kind k : List.copyOf(failed.keySet())) {
            startInformer(k);
        }
    }

    private void startInformer(Kind kind) {
        SharedIndexInformer<? extends HasMetadata> informer = ModelTypes.informer(client, kind, settings.rootNamespace());
        addHandler(informer, kind);
        informers.put(kind, informer);
        inactive.remove(kind);
        failed.remove(kind);
        informer.start().whenComplete((ok, error) -> {
            if (error == null) {
                LOG.debugf("informer for %s synced", kind.kindName());
                scheduleRebuild();
                return;
            }
            informer.stop();
            informers.remove(kind, informer);
            scheduleRebuild(); // the set of kinds to wait for changed: readiness is decided on the next build
            if (kind == Kind.CONFIG_MAP) {
                // Optional: without the mesh config, sidecars are taken to have Istio's default outbound policy.
                // Asked for again with the missing CRDs; said once.
                inactive.put(kind, "not readable");
                if (meshConfigUnreadable.compareAndSet(false, true)) {
                    LOG.infof("the mesh config (ConfigMap %s/%s) cannot be read (%s): outboundTrafficPolicy is taken "
                            + "as ALLOW_ANY, Istio's default", settings.rootNamespace(), ModelTypes.MESH_CONFIG_NAME,
                            rootMessage(error));
                }
            } else if (!CORE.contains(kind) && notFound(error)) {
                inactive.put(kind, "not installed");
                LOG.infof("%s (%s) is not served by this cluster: its rules stay inactive until the CRD is installed",
                        kind.kindName(), kind.group());
            } else {
                failed.put(kind, String.valueOf(rootMessage(error)));
                LOG.warnf("cannot list %s: %s (retrying)", kind.kindName(), rootMessage(error));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> void addHandler(SharedIndexInformer<T> informer, Kind kind) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                put(kind, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                put(kind, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                store.remove(ref(kind, obj));
                changed();
            }
        });
    }

    private void put(Kind kind, HasMetadata obj) {
        store.put(ref(kind, obj), new Resource(ref(kind, obj), obj, Resource.Origin.of("cluster"), order.incrementAndGet()));
        changed();
    }

    private static ObjectRef ref(Kind kind, HasMetadata obj) {
        return new ObjectRef(kind, kind.namespaced() ? obj.getMetadata().getNamespace() : null, obj.getMetadata().getName());
    }

    private void changed() {
        scheduleRebuild();
    }

    /** At most one rebuild is pending: events arriving meanwhile are folded into it. */
    private void scheduleRebuild() {
        if (rebuildPending.compareAndSet(false, true)) {
            scheduler.schedule(this::rebuild, rebuildDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void rebuild() {
        rebuildPending.set(false);
        if (!builtAfterSync && listing()) {
            // Part of the cluster is of no use: nothing is judged before the state is ready. Building it every
            // rebuild delay while the initial lists arrive would take the CPU they need; the informer that
            // completes them schedules the first build.
            return;
        }
        boolean synced = informersSynced();
        try {
            MeshSnapshot next = snapshot.rebuild(List.copyOf(store.values()));
            RuleRegistry.prepare(next); // here, not on the first review that reads the new snapshot
            snapshot = next;
            builtAfterSync |= synced;
        } catch (RuntimeException e) {
            LOG.errorf("snapshot rebuild failed, keeping the previous one: %s", e.toString());
        }
    }

    static boolean notFound(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() == 404) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public MeshSnapshot snapshot() {
        return snapshot;
    }

    /** Every active informer has listed and is watching, none failed, and the snapshot includes their objects. */
    @Override
    public boolean ready() {
        boolean ready = builtAfterSync && informersSynced();
        if (ready) {
            lastInSync = System.nanoTime();
        }
        return ready;
    }

    /** Some informer has not completed its initial list yet (and has not failed: its kind may never be served). */
    private boolean listing() {
        for (Kind k : WATCHED) {
            SharedIndexInformer<?> i = informers.get(k);
            if (!inactive.containsKey(k) && !failed.containsKey(k) && (i == null || !i.hasSynced())) {
                return true;
            }
        }
        return false;
    }

    private boolean informersSynced() {
        if (!failed.isEmpty()) {
            return false;
        }
        for (Kind k : WATCHED) {
            if (inactive.containsKey(k)) {
                continue;
            }
            SharedIndexInformer<?> i = informers.get(k);
            if (i == null || !i.hasSynced() || !i.isWatching()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        Map<String, String> status = new java.util.LinkedHashMap<>();
        for (Kind k : WATCHED) {
            SharedIndexInformer<?> i = informers.get(k);
            status.put(k.displayName(), inactive.containsKey(k) ? inactive.get(k) : failed.containsKey(k) ? "failing: " + failed.get(k)
                    : i == null ? "starting" : !i.hasSynced() ? "listing" : i.isWatching() ? "watching" : "reconnecting");
        }
        return "cluster (" + snapshot.size() + " objects; " + status + ")";
    }

    /** Zero while every informer watches; otherwise how long the state has not been known to be in sync. */
    @Override
    public double syncAgeSeconds() {
        ready();
        return (System.nanoTime() - lastInSync) / 1e9;
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::stop);
        scheduler.shutdownNow();
    }
}
