package io.egressguard.audit;

import io.egressguard.webhook.ClusterStateProvider;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit never creates the cluster state nor waits for its creation: it only audits a state that is ready. */
class AuditServiceTest {

    @Test
    void anAuditBeforeTheStateIsCreatedIsSkippedWithoutCreatingIt() {
        ClusterStateProvider states = new ClusterStateProvider(); // no configuration: creating a state would fail
        AuditService audits = new AuditService();
        audits.states = states;
        assertTrue(audits.run().isEmpty());
        assertTrue(states.created().isEmpty());
    }
}
