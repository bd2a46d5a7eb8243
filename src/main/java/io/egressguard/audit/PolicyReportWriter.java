package io.egressguard.audit;

import io.egressguard.webhook.WebhookConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the cluster's egress-guard PolicyReports equal to the latest audit: server-side apply (field manager
 * {@value PolicyReports#MANAGER}, conflicts forced: the reports are egress-guard's alone) of a report whose
 * content changed, delete of a report whose namespace has no finding left, nothing otherwise. The reports have
 * no owner (they outlive a restart, and a reinstall takes them over); the managed-by label finds them again:
 * on the first write after start, those of a previous process are listed, and the ones no finding calls for
 * any more are deleted.
 *
 * <p>{@code auto} (the default) writes only once the API server serves {@code wgpolicyk8s.io/v1alpha2}, asked
 * again on each audit until it does. Failures are logged once per cause and retried on the next audit; they
 * never reach admission, which does not depend on this class.
 */
final class PolicyReportWriter {

    private static final Logger LOG = Logger.getLogger(PolicyReportWriter.class);

    private final KubernetesClient client;
    private final WebhookConfig.PolicyReportsMode mode;
    /** Digest of each report as last written or read, by namespace ({@link PolicyReports#CLUSTER}: cluster). */
    private final Map<String, String> written = new HashMap<>();
    private final Set<String> logged = new HashSet<>();
    private boolean served;
    private boolean listed;
    private boolean saidAbsent;

    PolicyReportWriter(KubernetesClient client, WebhookConfig.PolicyReportsMode mode) {
        this.client = client;
        this.mode = mode;
    }

    /** Makes the cluster's reports those of {@code desired} ({@link PolicyReports#build}); false when off. */
    synchronized boolean write(Map<String, GenericKubernetesResource> desired) {
        if (mode == WebhookConfig.PolicyReportsMode.FALSE || !served()) {
            return false;
        }
        if (!listed) {
            try {
                readExisting();
                listed = true;
            } catch (KubernetesClientException e) {
                failed("list", e);
                return true;
            }
        }
        boolean ok = true;
        for (var e : desired.entrySet()) {
            String digest = PolicyReports.digest(e.getValue());
            if (digest.equals(written.get(e.getKey()))) {
                continue;
            }
            try {
                reports(e.getKey()).resource(e.getValue()).fieldManager(PolicyReports.MANAGER).forceConflicts()
                        .serverSideApply();
                written.put(e.getKey(), digest);
            } catch (KubernetesClientException ex) {
                ok = false;
                failed("apply", ex);
            }
        }
        for (String scope : List.copyOf(written.keySet())) {
            if (desired.containsKey(scope)) {
                continue;
            }
            try {
                reports(scope).withName(PolicyReports.NAME).delete(); // an already deleted report is no error
                written.remove(scope);
            } catch (KubernetesClientException ex) {
                ok = false;
                failed("delete", ex);
            }
        }
        if (ok && !logged.isEmpty()) {
            LOG.info("PolicyReports written again");
            logged.clear();
        }
        return true;
    }

    /** Whether reports are written; asks the API server's discovery until the group is served. */
    private boolean served() {
        if (served) {
            return true;
        }
        try {
            served = client.supports(PolicyReports.API_VERSION, "PolicyReport");
        } catch (KubernetesClientException e) {
            failed("discover", e);
            return false;
        }
        if (served) {
            LOG.infof("audit results are written as PolicyReports (%s)", PolicyReports.API_VERSION);
        } else if (!saidAbsent) {
            saidAbsent = true;
            if (mode == WebhookConfig.PolicyReportsMode.TRUE) {
                LOG.warnf("PolicyReports are enabled but %s is not served (CRD not installed): none written until it is",
                        PolicyReports.API_VERSION);
            } else {
                LOG.infof("PolicyReports off: %s is not served (CRD not installed)", PolicyReports.API_VERSION);
            }
        }
        return served;
    }

    /** The reports a previous process left, by their label: compared like new ones, deleted when not wanted. */
    private void readExisting() {
        String selector = PolicyReports.MANAGED_BY + "=" + PolicyReports.MANAGER;
        for (GenericKubernetesResource r : client.genericKubernetesResources(PolicyReports.POLICY_REPORT)
                .inAnyNamespace().withLabel(selector).list().getItems()) {
            if (PolicyReports.NAME.equals(r.getMetadata().getName())) {
                written.put(r.getMetadata().getNamespace(), PolicyReports.digest(r));
            }
        }
        for (GenericKubernetesResource r : client.genericKubernetesResources(PolicyReports.CLUSTER_POLICY_REPORT)
                .withLabel(selector).list().getItems()) {
            if (PolicyReports.NAME.equals(r.getMetadata().getName())) {
                written.put(PolicyReports.CLUSTER, PolicyReports.digest(r));
            }
        }
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> reports(String scope) {
        return scope.equals(PolicyReports.CLUSTER)
                ? client.genericKubernetesResources(PolicyReports.CLUSTER_POLICY_REPORT)
                : client.genericKubernetesResources(PolicyReports.POLICY_REPORT).inNamespace(scope);
    }

    /** Logs a failure once per operation and HTTP status (403: RBAC; 404: the CRD removed) until writes work. */
    private void failed(String operation, KubernetesClientException e) {
        if (e.getCode() == 404 && operation.equals("apply")) {
            served = false; // the CRD was removed: ask discovery again on the next audit
        }
        if (logged.add(operation + " " + e.getCode())) {
            LOG.warnf("cannot %s PolicyReports (HTTP %d): %s; retrying on the next audit", operation, e.getCode(),
                    e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage());
        }
    }
}
