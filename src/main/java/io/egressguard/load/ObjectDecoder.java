package io.egressguard.load;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.model.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * Turns one Kubernetes object (as read from YAML or JSON) into its typed model, or says precisely which field
 * cannot be read. Shared by the file reader and the admission webhook, so both accept and reject the same.
 */
public final class ObjectDecoder {

    /** A field that cannot be read: {@code spec.resolution: unknown value 'DSN'}. */
    public static final class DecodeException extends Exception {
        public DecodeException(String message) {
            super(message);
        }
    }

    /** fabric8's mapper, but an unknown enum value (a typo in {@code resolution}) is an error, not null. */
    private static final ObjectMapper MAPPER = Serialization.jsonMapper().copy()
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE);

    private ObjectDecoder() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Decodes an object of a kind egress-guard reads. */
    public static HasMetadata decode(Kind kind, Map<?, ?> object) throws DecodeException {
        HasMetadata obj;
        try {
            obj = MAPPER.convertValue(object, ModelTypes.classOf(kind));
        } catch (IllegalArgumentException e) {
            throw new DecodeException(describe(e));
        }
        Dropped dropped = droppedMember(object, withoutMetadata(obj, o -> MAPPER.convertValue(o, Map.class)), "metadata");
        if (dropped != null) {
            throw new DecodeException(dropped.describe());
        }
        if (obj.getMetadata() == null || obj.getMetadata().getName() == null || obj.getMetadata().getName().isEmpty()) {
            throw new DecodeException("metadata.name is missing");
        }
        return obj;
    }

    /**
     * Decodes an object of a kind egress-guard reads from a JSON tree (an admission request's object): the
     * same reading and the same errors as {@link #decode(Kind, Map)}, without copying the tree into maps first.
     */
    public static HasMetadata decode(Kind kind, JsonNode object) throws DecodeException {
        HasMetadata obj;
        try {
            obj = MAPPER.treeToValue(object, ModelTypes.classOf(kind));
        } catch (JsonProcessingException e) {
            throw new DecodeException(describe(new IllegalArgumentException(e.getMessage(), e)));
        } catch (IllegalArgumentException e) {
            throw new DecodeException(describe(e));
        }
        Dropped dropped = object.isObject() ? droppedMember(object, withoutMetadata(obj, MAPPER::valueToTree), "metadata") : null;
        if (dropped != null) {
            throw new DecodeException(dropped.describe());
        }
        if (obj.getMetadata() == null || obj.getMetadata().getName() == null || obj.getMetadata().getName().isEmpty()) {
            throw new DecodeException("metadata.name is missing");
        }
        return obj;
    }

    /**
     * The decoded object written back by {@code write}, but for its metadata (which is left as it was): both readings
     * compare what was written with what was understood outside {@code metadata}. Kubernetes' ObjectMeta has no
     * value the model could drop, and it is often the larger part of an object (managedFields, the
     * last-applied-configuration annotation), not worth writing back to compare.
     */
    private static <T> T withoutMetadata(HasMetadata decoded, java.util.function.Function<HasMetadata, T> write) {
        var metadata = decoded.getMetadata();
        decoded.setMetadata(null);
        try {
            return write.apply(decoded);
        } finally {
            decoded.setMetadata(metadata);
        }
    }

    /**
     * A value the model did not keep, at {@code path} below the node it was found in. The path is written only
     * for a value that was dropped, on the way back up: the common case (nothing dropped) builds no strings.
     */
    record Dropped(String path, String value) {

        Dropped under(String field) {
            return new Dropped(path.isEmpty() || path.startsWith("[") ? field + path : field + "." + path, value);
        }

        Dropped at(int index) {
            return new Dropped(path.isEmpty() || path.startsWith("[") ? "[" + index + "]" + path
                    : "[" + index + "]." + path, value);
        }

        String describe() {
            return path + ": unknown value '" + value + "'";
        }
    }

    /** The first value of {@code written} that {@code understood} (the model written back) does not have. */
    static Dropped dropped(JsonNode written, JsonNode understood) {
        if (written.isObject()) {
            return droppedMember(written, understood, null);
        }
        if (written.isArray()) {
            for (int i = 0; i < written.size(); i++) {
                JsonNode u = understood != null && understood.isArray() && i < understood.size() ? understood.get(i) : null;
                Dropped d = written.get(i).isNull() ? null : dropped(written.get(i), u);
                if (d != null) {
                    return d.at(i);
                }
            }
            return null;
        }
        return understood == null || understood.isNull() ? new Dropped("", written.asText()) : null;
    }

    /** The first value dropped in a member of the object {@code written}, but for the member named {@code skip}. */
    private static Dropped droppedMember(JsonNode written, JsonNode understood, String skip) {
        var fields = written.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (e.getValue().isNull() || e.getKey().equals(skip)) {
                continue;
            }
            Dropped d = dropped(e.getValue(), understood != null && understood.isObject() ? understood.get(e.getKey()) : null);
            if (d != null) {
                return d.under(e.getKey());
            }
        }
        return null;
    }

    /**
     * The model maps values it does not know (an enum typo such as {@code resolution: DSN}, a misspelt oneOf key
     * such as {@code uri: {exakt: /x}}) to null. Comparing what was written with what was understood finds them.
     */
    static Dropped dropped(Object written, Object understood) {
        if (written instanceof Map<?, ?> w) {
            return droppedMember(w, understood, null);
        }
        if (written instanceof List<?> w) {
            List<?> u = understood instanceof List<?> l ? l : List.of();
            for (int i = 0; i < w.size(); i++) {
                Dropped d = w.get(i) == null ? null : dropped(w.get(i), i < u.size() ? u.get(i) : null);
                if (d != null) {
                    return d.at(i);
                }
            }
            return null;
        }
        return understood == null ? new Dropped("", String.valueOf(written)) : null;
    }

    /** {@link #droppedMember(JsonNode, JsonNode, String)} for an object read from YAML. */
    private static Dropped droppedMember(Map<?, ?> written, Object understood, String skip) {
        Map<?, ?> u = understood instanceof Map<?, ?> m ? m : Map.of();
        for (var e : written.entrySet()) {
            Dropped d = e.getValue() == null || skip != null && skip.equals(e.getKey()) ? null : dropped(e.getValue(), u.get(e.getKey()));
            if (d != null) {
                return d.under(String.valueOf(e.getKey()));
            }
        }
        return null;
    }

    /** Names the field Jackson could not read, e.g. {@code spec.hosts: Cannot deserialize ...}. */
    static String describe(IllegalArgumentException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonMappingException jme) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : jme.getPath()) {
                if (r.getFieldName() != null) {
                    if (path.length() > 0) {
                        path.append('.');
                    }
                    path.append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            String msg = firstLine(jme.getOriginalMessage());
            return (path.length() > 0 ? path + ": " : "") + msg;
        }
        return firstLine(e.getMessage());
    }

    /** A JSON parse error in one line with its position, without parser internals. */
    public static String describeJson(java.io.IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            var loc = j.getLocation();
            return firstLine(j.getOriginalMessage()) + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr());
        }
        return firstLine(e.getMessage());
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
