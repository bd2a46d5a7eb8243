package io.egressguard.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * EG001: a field the kind's schema does not have. Istio's and Gateway API's CRDs have complete structural
 * schemas: the API server rejects such a field under kubectl's default strict validation, or drops it
 * silently for other clients, and istioctl validate rejects it too. Either way the configuration does not say
 * what its author meant ({@code gateway:} for {@code gateways:} binds the VirtualService to {@code mesh}
 * only). The model keeps unknown fields aside ({@code additionalProperties}); this rule reads them.
 *
 * <p>A snake_case spelling of a known field, or a near miss (edit distance up to 2, 1 for names of five letters
 * or fewer, or singular for plural),
 * is a warning. Any other unknown field is info only: the cluster's CRDs may be newer than this model, and a
 * field a newer Istio adds must never become a warning.
 */
final class UnknownField implements Rule {

    /** What the walk needs of a model class, read by reflection once per class. */
    private record Shape(List<Property> properties, Method additionalProperties) {
    }

    /** A JSON property of a model class: its name and the field holding it. */
    private record Property(String name, Field field) {
    }

    /**
     * Where the walk is, rendered only for a report: most objects have no unknown field, and building every
     * path as a string would cost more than the walk.
     */
    private record At(At parent, String name, int index) {
        static final At ROOT = new At(null, null, -1);

        At field(String n) {
            return new At(this, n, -1);
        }

        At item(int i) {
            return new At(this, null, i);
        }

        boolean root() {
            return parent == null;
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            String up = parent.toString();
            return index >= 0 ? up + "[" + index + "]" : up.isEmpty() ? name : up + "." + name;
        }
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return shape(type);
        }
    };

    @Override
    public Catalogue code() {
        return Catalogue.EG001;
    }

    /** One unknown field found in an object: where, what to say, how severe. */
    private record Unknown(String path, String message, Severity severity) {
    }

    /**
     * The unknown fields of the object last checked under each name, with that object: they depend on the object
     * alone, and an unchanged object (the same model instance, as every review and audit finds it in the state)
     * is not walked again. Bounded: emptied when it would pass {@value #MEMO_LIMIT} names.
     */
    private record Memo(Object object, List<Unknown> found) {
    }

    private static final int MEMO_LIMIT = 100_000;
    private static final Map<ObjectRef, Memo> MEMO = new ConcurrentHashMap<>();

    @Override
    public void check(Resource target, RuleContext ctx) {
        Memo memo = MEMO.get(target.ref());
        if (memo == null || memo.object() != target.object()) {
            List<Unknown> found = new ArrayList<>();
            walk(target.object(), At.ROOT, found);
            if (MEMO.size() >= MEMO_LIMIT) {
                MEMO.clear();
            }
            memo = new Memo(target.object(), List.copyOf(found));
            MEMO.put(target.ref(), memo);
        }
        for (Unknown u : memo.found()) {
            ctx.reportWithSeverity(u.severity(), u.path(), u.message(), List.of());
        }
    }

    private static void walk(Object o, At at, List<Unknown> found) {
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        Shape shape = SHAPES.get(o.getClass());
        Map<String, Object> unknown = additionalProperties(o, shape);
        if (unknown != null) {
            for (String name : unknown.keySet()) {
                found.add(unknown(name, at.toString(), shape.properties()));
            }
        }
        for (Property p : shape.properties()) {
            if (at.root() && (p.name().equals("metadata") || p.name().equals("status"))) {
                continue;
            }
            Object value;
            try {
                value = p.field().get(o);
            } catch (IllegalAccessException e) {
                continue;
            }
            if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
                continue;
            }
            At here = at.field(p.name());
            if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    walk(list.get(i), here.item(i), found);
                }
            } else if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(v, here.field(String.valueOf(k)), found));
            } else {
                walk(value, here, found);
            }
        }
    }

    private static Unknown unknown(String name, String path, List<Property> properties) {
        String at = path.isEmpty() ? name : path + "." + name;
        String known = null;
        boolean snakeCase = false;
        for (Property p : properties) {
            String candidate = p.name();
            if (normalised(candidate).equals(normalised(name))) {
                known = candidate;
                snakeCase = true;
                break;
            }
            if (known == null && nearMiss(name, candidate)) {
                known = candidate;
            }
        }
        if (known == null) {
            return new Unknown(at, "unknown field " + name + ": Istio's schema (as known here) has no such field; the "
                    + "API server rejects or drops it", Severity.INFO);
        }
        return new Unknown(at, "unknown field " + name + (snakeCase ? " (the field is " + known + ")" : " (did you mean "
                + known + "?)") + ": the API server rejects or drops it", Catalogue.EG001.defaultSeverity());
    }

    private static String normalised(String name) {
        return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Singular for plural (or the reverse), or at most two edits apart. */
    static boolean nearMiss(String a, String b) {
        if (a.equals(b + "s") || b.equals(a + "s")) {
            return true;
        }
        int allowed = Math.min(a.length(), b.length()) <= 5 ? 1 : 2; // "port" is not a misspelt "host"
        return Math.abs(a.length() - b.length()) <= allowed && distance(a, b) <= allowed;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The JSON properties of a model class and its superclasses (readable ones), and its additionalProperties. */
    private static Shape shape(Class<?> type) {
        List<Property> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                JsonProperty json = f.getAnnotation(JsonProperty.class);
                if (!Modifier.isStatic(f.getModifiers()) && json != null) {
                    try {
                        f.setAccessible(true);
                        out.add(new Property(json.value(), f));
                    } catch (RuntimeException e) {
                        // not readable: its subtree is not checked
                    }
                }
            }
        }
        Method additional;
        try {
            additional = type.getMethod("getAdditionalProperties");
        } catch (NoSuchMethodException e) {
            additional = null;
        }
        return new Shape(List.copyOf(out), additional);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> additionalProperties(Object o, Shape shape) {
        if (shape.additionalProperties() == null) {
            return null;
        }
        try {
            Object v = shape.additionalProperties().invoke(o);
            return v instanceof Map<?, ?> map && !map.isEmpty() ? (Map<String, Object>) map : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
