package io.egressguard.istio;

import java.util.List;

/**
 * The {@code exportTo} visibility of a VirtualService, DestinationRule or ServiceEntry: empty or {@code *}
 * means every namespace, {@code .} the object's own namespace, {@code ~} none, other entries name namespaces.
 */
public record ExportTo(String owner, List<String> entries) {

    public ExportTo {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    public boolean isPublic() {
        return entries.isEmpty() || entries.contains("*");
    }

    public boolean visibleTo(String namespace) {
        if (isPublic()) {
            return true;
        }
        for (String e : entries) {
            if (e.equals(namespace) || (e.equals(".") && owner.equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    /** Visible in the owner namespace itself: where Istio's DestinationRule lookup step 1 searches. */
    public boolean visibleLocally() {
        return visibleTo(owner);
    }

    /** Istio indexes a DestinationRule as exported unless it is visible only in its own namespace. */
    public boolean exportedBeyondOwner() {
        if (isPublic()) {
            return true;
        }
        return entries.stream().anyMatch(e -> !e.equals(".") && !e.equals(owner) && !e.equals("~"));
    }
}
