package io.egressguard.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The webhook's configuration ({@code application.properties}; every key can be set from the environment,
 * e.g. {@code EGRESS_GUARD_MODE=warn}).
 */
@ConfigMapping(prefix = "egress-guard")
public interface WebhookConfig {

    /** What error findings do: {@code enforce} denies, {@code warn} warns, {@code audit} only logs and counts. */
    @WithDefault("enforce")
    Mode mode();

    /** Istio's root (config) namespace. */
    @WithDefault("istio-system")
    String rootNamespace();

    /** Severity overrides, as the CLI's {@code --severity}: {@code EG101=warn,EG606=off}. */
    Optional<List<String>> severities();

    /**
     * Largest AdmissionReview body accepted, in bytes: an UPDATE carries object and oldObject, each at most
     * etcd's 1.5 MiB, plus the review around them. Keep equal to {@code quarkus.http.limits.max-body-size}.
     */
    @WithDefault("4194304")
    int maxBodyBytes();

    /**
     * Bytes of large review bodies (over 64 KiB) being decided at once (each claims its Content-Length, the
     * largest body when it declares none); one that finds no room is answered 429 at once, unread, and its
     * connection closed ({@link InFlightReviews}). Bounds the heap under a flood of large reviews:
     * 12 MiB is three reviews of the largest size, whose JSON trees take several times their size.
     */
    @WithDefault("12582912")
    int inFlightBytes();

    /**
     * How long after its TLS handshake a connection to the admission port may take to send the headers of its
     * first request before it is closed ({@link HeaderDeadline}).
     */
    @WithDefault("10s")
    Duration headerTimeout();

    State state();

    Tls tls();

    Audit audit();

    Management management();

    interface Management {
        /**
         * Who may read {@code /q/audit} and {@code /explain} on the management port: {@code token} (a bearer token
         * checked with TokenReview and SubjectAccessReview), {@code open} (anyone who reaches the port) or
         * {@code off}.
         */
        @WithDefault("token")
        ManagementAccess.Mode topology();
    }

    interface Audit {
        /** How often every object of the state is checked (findings as gauges and at /q/audit); 0 turns it off. */
        @WithDefault("60s")
        Duration interval();

        /**
         * Write the audit's findings as PolicyReports ({@code wgpolicyk8s.io/v1alpha2}): {@code auto} once the
         * API server serves the CRD, {@code true} the same but warns while it does not, {@code false} never.
         */
        @WithDefault("auto")
        PolicyReportsMode policyReports();

        /** Create a Warning Event on each object with an error finding when the audit first finds it. */
        @WithDefault("true")
        boolean events();
    }

    enum PolicyReportsMode { AUTO, TRUE, FALSE }

    interface Tls {
        /** Directory of the serving key pair, {@code tls.crt} and {@code tls.key}; env EGRESS_GUARD_TLS_DIR. */
        @WithDefault("/etc/egress-guard/tls")
        String dir();

        /** How often the key pair is looked at; a changed pair is served once it is checked valid. */
        @WithDefault("30s")
        Duration reloadPeriod();
    }

    interface State {
        /** Standalone mode: read the cluster state from manifest files here, never contact an API server. */
        Optional<Path> dir();

        /** How long informer events are collected before the snapshot is rebuilt (once every initial list is complete). */
        @WithDefault("200ms")
        Duration rebuildDelay();

        /** How often the API server is asked whether optional CRDs (Gateway API) were installed. */
        @WithDefault("60s")
        Duration crdRecheck();
    }

    enum Mode { ENFORCE, WARN, AUDIT }
}
