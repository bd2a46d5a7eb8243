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
    public record Result(ObjectRef changed, List<Finding> after, Set<Key> before) {

        /** True when the change brings this finding: it did not exist in the state before. */
        public boolean introduced(Finding f) {
            return !before.contains(key(f));
        }
    }

    private ChangeCheck() {
    }

    /**
     * Checks the change of {@code ref}: created or replaced by {@code resource}, or deleted when it is null.
     * The state after comes first: only the objects with findings there are checked in the state before, to
     * tell the findings the change brings from those that already existed. The objects of client namespaces
     * alike for the change (see {@link io.egressguard.mesh.ClientGroups}) are checked only when those of the
     * namespace that represents them show findings. The state before is usually the current state, shared by
     * every review until it changes: its findings are remembered.
     */
    public static Result of(Engine engine, MeshSnapshot before, ObjectRef ref, Resource resource) {
        MeshSnapshot after = resource == null ? before.without(ref) : before.with(resource);
        RelatedObjects inBefore = RelatedObjects.of(before, ref);
        RelatedObjects inAfter = RelatedObjects.of(after, ref);
        Set<ObjectRef> targets = new LinkedHashSet<>(inBefore.objects());
        targets.addAll(inAfter.objects());
        List<Finding> found = engine.check(after, targets);
        if (!found.isEmpty()) {
            Set<ObjectRef> flagged = objects(found);
            boolean more = false;
            for (RelatedObjects r : List.of(inBefore, inAfter)) {
                for (RelatedObjects.Alike a : r.alike()) {
                    if (a.representative().stream().anyMatch(flagged::contains)) {
                        more |= targets.addAll(a.others().get());
                    }
                }
            }
            if (more) {
                found = engine.check(after, targets);
            }
        }
        Set<Key> existing = new HashSet<>();
        if (!found.isEmpty()) {
            for (Finding f : engine.checkRemembering(before, objects(found))) {
                existing.add(key(f));
            }
        }
        return new Result(ref, found, existing);
    }

    private static Set<ObjectRef> objects(List<Finding> findings) {
        Set<ObjectRef> out = new LinkedHashSet<>();
        findings.forEach(f -> out.add(f.object()));
        return out;
    }

    /** A finding's identity across the two states: the message may name other objects and is left out. */
    public record Key(String code, ObjectRef object, String path) {
    }

    static Key key(Finding f) {
        return new Key(f.code(), f.object(), f.path());
    }
}
