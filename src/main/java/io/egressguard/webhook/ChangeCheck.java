package io.egressguard.webhook;

import io.egressguard.engine.Engine;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The engine's view of one change: the objects the change can affect ({@link RelatedObjects}) checked in the
 * state before and after it. What the admission webhook decides on, without HTTP or configuration.
 */
public final class ChangeCheck {

    /** Findings after the change, and which of them already existed before it. */
    public record Result(ObjectRef changed, List<Finding> after, Set<String> before) {

        /** True when the change brings this finding: it did not exist in the state before. */
        public boolean introduced(Finding f) {
            return !before.contains(key(f));
        }
    }

    private ChangeCheck() {
    }

    /**
     * Checks the change of {@code ref}: created or replaced by {@code resource}, or deleted when it is null.
     */
    public static Result of(Engine engine, MeshSnapshot before, ObjectRef ref, Resource resource) {
        MeshSnapshot after = resource == null ? before.without(ref) : before.with(resource);
        Set<ObjectRef> targets = new LinkedHashSet<>(RelatedObjects.of(before, ref));
        targets.addAll(RelatedObjects.of(after, ref));
        Set<String> existing = new HashSet<>();
        for (Finding f : engine.check(before, targets)) {
            existing.add(key(f));
        }
        return new Result(ref, engine.check(after, targets), existing);
    }

    /** A finding's identity across the two states: the message may name other objects and is left out. */
    static String key(Finding f) {
        return f.code() + "|" + f.object() + "|" + f.path();
    }
}
