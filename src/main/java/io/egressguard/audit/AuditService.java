package io.egressguard.audit;

import io.egressguard.report.Report;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Resource;
import io.egressguard.webhook.ClusterState;
import io.egressguard.webhook.ClusterStateProvider;
import io.egressguard.webhook.WebhookConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The periodic audit: every object of the current state checked against all of it, audit-only rules
 * included. A webhook only sees changes; this finds what was broken before egress-guard arrived, or broken by
 * changes it does not judge (a namespace label removed, a gateway scaled away). Skipped while the state is
 * not synced. Results: Prometheus gauges, the latest report at {@code /q/audit} on the management port and,
 * against an API server, PolicyReports and Warning Events ({@link PolicyReportWriter}, {@link AuditEvents}).
 */
@ApplicationScoped
public class AuditService {

    private static final Logger LOG = Logger.getLogger(AuditService.class);

    /** The latest audit. */
    public record Audit(Instant time, long durationMillis, Report report) {
    }

    @Inject
    WebhookConfig config;

    @Inject
    ClusterStateProvider states;

    @Inject
    MeterRegistry registry;

    @Inject
    Instance<KubernetesClient> client;

    private Engine engine;
    private ScheduledExecutorService scheduler;
    private MultiGauge findingsGauge;
    /** The latest audit and the state it checked, held weakly: a state the cluster has left is not kept for it. */
    private record Latest(Audit audit, WeakReference<MeshSnapshot> state) {
    }

    private volatile Latest latest;
    private PolicyReportWriter reports;
    private AuditEvents events;

    void start(@Observes StartupEvent event) {
        engine = new Engine(EngineConfig.defaults().withAuditRules().withOverrides(config.severities().orElse(List.of())));
        findingsGauge = MultiGauge.builder("egress_guard_audit_findings")
                .description("Findings of the latest audit, by code, severity and namespace").register(registry);
        Gauge.builder("egress_guard_audit_last_run_timestamp_seconds", this,
                a -> a.latest == null ? 0 : a.latest.audit().time().getEpochSecond())
                .description("When the latest audit ran (0: not yet)")
                .strongReference(true).register(registry);
        Gauge.builder("egress_guard_audit_duration_seconds", this,
                a -> a.latest == null ? 0 : a.latest.audit().durationMillis() / 1000.0)
                .description("How long the latest audit took")
                .strongReference(true).register(registry);
        if (config.state().dir().isEmpty()) { // standalone mode has no API server to write to
            if (config.audit().policyReports() != WebhookConfig.PolicyReportsMode.FALSE) {
                reports = new PolicyReportWriter(client.get(), config.audit().policyReports());
            }
            if (config.audit().events()) {
                events = new AuditEvents(client.get(), instanceName());
            }
        }
        long every = config.audit().interval().toMillis();
        if (every > 0) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "egress-guard-audit");
                t.setDaemon(true);
                return t;
            });
            scheduler.schedule(this::tick, untilReady(every), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The periodic audit: every interval once the state is ready, and until then every 5 s (at most the interval),
     * so the first audit follows the initial sync within seconds instead of a whole interval later.
     */
    private void tick() {
        long every = config.audit().interval().toMillis();
        long next = runSafely() ? every : untilReady(every);
        try {
            scheduler.schedule(this::tick, next, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the service is stopping
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** How long to wait before an audit that may find the state not ready yet: 5 s, at most the interval. */
    private static long untilReady(long every) {
        return Math.min(every, 5_000);
    }

    /** True when the audit ran (or failed): false only while the state is not ready. */
    private boolean runSafely() {
        try {
            return run().isPresent();
        } catch (RuntimeException e) {
            LOG.errorf("audit failed: %s", e.toString());
            return true;
        }
    }

    /**
     * Runs one audit now; empty while the state is not ready. It never waits for the state: a large state read from
     * files is created on the main thread at start, and an audit waiting on it would run in the same seconds as the
     * start's last steps, on the same cores.
     */
    public Optional<Audit> run() {
        ClusterState state = states.created().orElse(null);
        if (state == null || !state.ready()) {
            LOG.debug("audit skipped: cluster state not synced");
            return Optional.empty();
        }
        MeshSnapshot snapshot = state.snapshot();
        Latest previous = latest;
        Audit audit;
        if (previous != null && previous.state().get() == snapshot) {
            // Findings are a function of the state alone: a state that has not changed since the last audit (an
            // idle cluster, standalone mode) has the same findings, so they are not computed again. The audit
            // still counts as run now (its report is current) and its Events and PolicyReports are written again.
            audit = new Audit(Instant.now(), previous.audit().durationMillis(), previous.audit().report());
            LOG.debugf("audit: state unchanged, %d findings", audit.report().findings().size());
        } else {
            long start = System.nanoTime();
            List<Finding> findings = engine.check(snapshot);
            Map<io.egressguard.model.ObjectRef, Resource.Origin> origins = new TreeMap<>();
            audit = new Audit(Instant.now(), (System.nanoTime() - start) / 1_000_000,
                    new Report(findings, origins, snapshot.size(), 0));
            LOG.infof("audit: %d objects, %d findings in %d ms", snapshot.size(), findings.size(), audit.durationMillis());
        }
        latest = new Latest(audit, new WeakReference<>(snapshot));
        publish(audit.report().findings());
        write(audit.report().findings(), snapshot);
        return Optional.of(audit);
    }

    private void publish(List<Finding> findings) {
        Map<List<String>, Integer> counts = new TreeMap<>((a, b) -> String.join("|", a).compareTo(String.join("|", b)));
        for (Finding f : findings) {
            String ns = f.object().kind().namespaced() ? f.object().namespace() : f.object().name();
            counts.merge(List.of(f.code(), f.severity().label(), ns), 1, Integer::sum);
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((k, v) -> rows.add(MultiGauge.Row.of(Tags.of("code", k.get(0), "severity", k.get(1),
                "namespace", k.get(2)), v)));
        findingsGauge.register(rows, true);
    }

    /** PolicyReports and Events; a failure is logged by the writers and never stops the audit. */
    private void write(List<Finding> findings, MeshSnapshot snapshot) {
        if (reports == null && events == null) {
            return;
        }
        Set<io.egressguard.model.ObjectRef> refs = new HashSet<>();
        findings.forEach(f -> refs.add(f.object()));
        Map<io.egressguard.model.ObjectRef, HasMetadata> objects = new HashMap<>();
        for (Resource r : snapshot.resources()) {
            if (refs.contains(r.ref())) {
                objects.put(r.ref(), r.object());
            }
        }
        if (reports != null) {
            try {
                reports.write(PolicyReports.build(findings, objects::get));
            } catch (RuntimeException e) {
                LOG.warnf("cannot write the audit's PolicyReports: %s", e.toString());
            }
        }
        if (events != null) {
            try {
                events.emit(findings, objects::get, Instant.now());
            } catch (RuntimeException e) {
                LOG.warnf("cannot create the audit's Events: %s", e.toString());
            }
        }
    }

    /** The pod's name (HOSTNAME in a container), for the Events' reportingInstance. */
    private static String instanceName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? PolicyReports.MANAGER : host;
    }

    public Optional<Audit> latest() {
        return Optional.ofNullable(latest).map(Latest::audit);
    }
}
