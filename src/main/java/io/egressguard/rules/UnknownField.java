package io.egressguard.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
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

    private static final Map<Class<?>, List<Field>> FIELDS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Method> ADDITIONAL = new ConcurrentHashMap<>();
    private static final Method NONE = noneMethod();

    @Override
    public Catalogue code() {
        return Catalogue.EG001;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        walk(target.object(), "", ctx);
    }

    private static void walk(Object o, String path, RuleContext ctx) {
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        List<Field> fields = fields(o.getClass());
        Map<String, Object> unknown = additionalProperties(o);
        if (unknown != null) {
            for (String name : unknown.keySet()) {
                report(name, path, fields, ctx);
            }
        }
        for (Field f : fields) {
            String name = f.getAnnotation(JsonProperty.class).value();
            if (path.isEmpty() && (name.equals("metadata") || name.equals("status"))) {
                continue;
            }
            Object value;
            try {
                value = f.get(o);
            } catch (IllegalAccessException e) {
                continue;
            }
            String at = path.isEmpty() ? name : path + "." + name;
            if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    walk(list.get(i), at + "[" + i + "]", ctx);
                }
            } else if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(v, at + "." + k, ctx));
            } else {
                walk(value, at, ctx);
            }
        }
    }

    private static void report(String name, String path, List<Field> fields, RuleContext ctx) {
        String at = path.isEmpty() ? name : path + "." + name;
        String known = null;
        boolean snakeCase = false;
        for (Field f : fields) {
            String candidate = f.getAnnotation(JsonProperty.class).value();
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
            ctx.reportWithSeverity(Severity.INFO, at, "unknown field " + name + ": Istio's schema (as known here) has "
                    + "no such field; the API server rejects or drops it", List.of());
        } else {
            ctx.report(at, "unknown field " + name + (snakeCase ? " (the field is " + known + ")" : " (did you mean "
                    + known + "?)") + ": the API server rejects or drops it", List.of());
        }
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

    /** The JSON fields of a model class and its superclasses, readable. */
    private static List<Field> fields(Class<?> type) {
        return FIELDS.computeIfAbsent(type, t -> {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && f.getAnnotation(JsonProperty.class) != null) {
                        try {
                            f.setAccessible(true);
                            out.add(f);
                        } catch (RuntimeException e) {
                            // not readable: its subtree is not checked
                        }
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> additionalProperties(Object o) {
        Method m = ADDITIONAL.computeIfAbsent(o.getClass(), t -> {
            try {
                return t.getMethod("getAdditionalProperties");
            } catch (NoSuchMethodException e) {
                return NONE;
            }
        });
        if (m == NONE) {
            return null;
        }
        try {
            Object v = m.invoke(o);
            return v instanceof Map<?, ?> map && !map.isEmpty() ? (Map<String, Object>) map : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static Method noneMethod() {
        try {
            return Object.class.getMethod("toString");
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
