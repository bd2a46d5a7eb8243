package io.egressguard.webhook;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Changes this webhook admitted that the informers have not delivered yet. {@code kubectl apply -f} sends the
 * objects of a file one after the other within milliseconds, while a created object reaches the informers'
 * state a few hundred milliseconds later: without these, a VirtualService is judged against a state that lacks
 * the ServiceEntry and Gateway created just before it (and an error it brings goes unnoticed).
 *
 * <p>A change is laid over the informers' state until they deliver it: a created object once the state holds
 * it, an updated one once the state holds another resourceVersion than the one updated, a deleted one once the
 * state lacks it. A change that never arrives (another admission step refused it) is forgotten after
 * {@code ttl}.
 */
final class RecentAdmissions {

    /** An admitted change: the object after it (null for a DELETE) and the resourceVersion it replaced. */
    private record Change(Resource after, String replacedVersion, long admittedNanos) {
    }

    private final Map<ObjectRef, Change> changes = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier clock;

    RecentAdmissions(Duration ttl) {
        this(ttl, System::nanoTime);
    }

    RecentAdmissions(Duration ttl, LongSupplier clock) {
        this.ttlNanos = ttl.toNanos();
        this.clock = clock;
    }

    /** Records an admitted CREATE or UPDATE ({@code after} not null) or DELETE, judged on {@code before}. */
    void admitted(MeshSnapshot before, ObjectRef ref, Resource after) {
        // An UPDATE's object carries the resourceVersion it replaces; otherwise the state's copy tells.
        String replaced = after == null ? null : version(after);
        if (replaced == null || replaced.isEmpty()) {
            replaced = before.resource(ref).map(RecentAdmissions::version).orElse(null);
        }
        changes.put(ref, new Change(after, replaced, clock.getAsLong()));
    }

    /** {@code state} with the admitted changes it does not show yet. */
    MeshSnapshot overlay(MeshSnapshot state) {
        if (changes.isEmpty()) {
            return state;
        }
        long now = clock.getAsLong();
        MeshSnapshot out = state;
        for (Map.Entry<ObjectRef, Change> e : changes.entrySet()) {
            ObjectRef ref = e.getKey();
            Change c = e.getValue();
            Resource current = state.resource(ref).orElse(null);
            if (now - c.admittedNanos() > ttlNanos || delivered(c, current)) {
                changes.remove(ref, c);
                continue;
            }
            out = c.after() == null ? out.without(ref) : out.with(c.after());
        }
        return out;
    }

    int size() {
        return changes.size();
    }

    private static boolean delivered(Change c, Resource current) {
        if (c.after() == null) {
            return current == null;
        }
        if (current == null) {
            return false;
        }
        return c.replacedVersion() == null || !Objects.equals(c.replacedVersion(), version(current));
    }

    private static String version(Resource r) {
        return r.object().getMetadata() == null ? null : r.object().getMetadata().getResourceVersion();
    }
}
