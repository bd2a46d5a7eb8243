package io.egressguard.audit;

import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Severity;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Warning Events (reason: the code) on the objects with error findings, for {@code kubectl describe} and
 * {@code kubectl events}. An Event marks when the audit first found the error: one per object and code when
 * it appears, none while it persists (the PolicyReport holds the current state). At most one per object and
 * code per audit, whatever the findings say.
 *
 * <p>The Event's name is derived from the object's uid and the code: replicas auditing the same cluster, or a
 * restarted process, create the same Event once (the second create gets 409 AlreadyExists, and is done); an
 * error fixed and back again while that Event lives keeps it. The API server removes Events after its
 * {@code --event-ttl} (1 h by default); an error found after that gets a new one. Events on cluster-scoped
 * objects (Namespaces) go to {@code default}, as client-go's recorder puts them.
 */
final class AuditEvents {

    private static final Logger LOG = Logger.getLogger(AuditEvents.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String instance;
    /** The (object, code) pairs with an error at the previous audit, whose Event exists. */
    private Set<String> previous = new HashSet<>();
    private final Set<String> logged = new HashSet<>();

    AuditEvents(KubernetesClient client, String instance) {
        this.client = client;
        this.instance = instance;
    }

    /** Creates the Events of errors not present at the previous audit; returns how many were created. */
    synchronized int emit(Iterable<Finding> findings, Function<ObjectRef, HasMetadata> objects, Instant now) {
        Map<String, Finding> errors = new LinkedHashMap<>();
        for (Finding f : findings) {
            if (f.severity() == Severity.ERROR) {
                // The kind's group too: an Istio Gateway and a Gateway API Gateway may share namespace and name.
                errors.putIfAbsent(f.object().kind().group() + " " + f.object() + " " + f.code(), f);
            }
        }
        Set<String> current = new HashSet<>();
        int created = 0;
        for (var e : errors.entrySet()) {
            if (previous.contains(e.getKey())) {
                current.add(e.getKey());
                continue;
            }
            Event event = event(e.getValue(), objects.apply(e.getValue().object()), now);
            try {
                client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
                created++;
                current.add(e.getKey());
            } catch (KubernetesClientException ex) {
                if (ex.getCode() == 409) {
                    current.add(e.getKey()); // created by another replica, or before a restart
                } else if (logged.add(String.valueOf(ex.getCode()))) {
                    LOG.warnf("cannot create Events (HTTP %d): %s; retrying on the next audit", ex.getCode(),
                            ex.getStatus() != null && ex.getStatus().getMessage() != null
                                    ? ex.getStatus().getMessage() : ex.getMessage());
                }
            }
        }
        previous = current;
        return created;
    }

    Event event(Finding f, HasMetadata object, Instant now) {
        ObjectRef ref = f.object();
        String uid = object != null && object.getMetadata() != null ? object.getMetadata().getUid() : null;
        String namespace = ref.kind().namespaced() ? ref.namespace() : "default";
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String message = f.message() + (f.path().isEmpty() ? "" : " (" + f.path() + ")");
        return new EventBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name(ref, uid, f.code()))
                .addToLabels(PolicyReports.MANAGED_BY, PolicyReports.MANAGER).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(object != null ? object.getApiVersion() : null).withKind(ref.kind().kindName())
                        .withNamespace(ref.kind().namespaced() ? ref.namespace() : null).withName(ref.name())
                        .withUid(uid).build())
                .withType("Warning").withReason(f.code())
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
                .withNewSource().withComponent(PolicyReports.MANAGER).endSource()
                .withReportingComponent(PolicyReports.MANAGER).withReportingInstance(instance)
                .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
                .build();
    }

    /** {@code <object>.<code>.<hash>}: stable for one object (uid) and code, a valid name whatever the object's. */
    static String name(ObjectRef ref, String uid, String code) {
        String key = ref.kind().group() + "/" + ref + "/" + (uid == null ? "" : uid) + "/" + code;
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String prefix = (ref.name().length() > 200 ? ref.name().substring(0, 200) : ref.name()).replaceAll("[^a-z0-9]+$", "");
        return prefix + "." + code.toLowerCase(Locale.ROOT) + "." + hash;
    }
}
