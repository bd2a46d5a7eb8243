package io.egressguard.model;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One object of the configuration with where it came from.
 *
 * @param origin where it was read (file, document, line), or where it came from (cluster, admission)
 * @param order  arrival order, standing in for creation time where the object has none
 */
public record Resource(ObjectRef ref, HasMetadata object, Origin origin, long order) {

    /**
     * @param source   a file path, {@code -} for stdin, {@code cluster} or {@code admission}
     * @param document 1-based document index in the file, 0 when not from a file
     * @param line     1-based line where the document starts, 0 when unknown
     */
    public record Origin(String source, int document, int line) {

        public static Origin of(String source) {
            return new Origin(source, 0, 0);
        }
    }

    public Kind kind() {
        return ref.kind();
    }

    /**
     * Where the object stands in Istio's precedence, older first: its creation time, else (objects from files
     * carry none) its arrival order, after every object with a creation time.
     */
    public long creationOrder() {
        String ts = object.getMetadata() == null ? null : object.getMetadata().getCreationTimestamp();
        if (ts != null) {
            try {
                return java.time.Instant.parse(ts).getEpochSecond() * 1_000_000L;
            } catch (RuntimeException ignored) {
                // not a timestamp: arrival order
            }
        }
        return Long.MAX_VALUE / 2 + order;
    }
}
