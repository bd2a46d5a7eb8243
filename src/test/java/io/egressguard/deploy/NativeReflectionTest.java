package io.egressguard.deploy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.egressguard.load.ModelTypes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The native image can only deserialise model classes registered for reflection. Every class reachable from
 * the kinds the engine reads (fields, generic arguments, Jackson subtypes and deserialisers) must be listed in
 * {@code native/reflection-config.json}; this test fails when the model grows and the list does not.
 * Regenerate: {@code ./mvnw test -Dtest=NativeReflectionTest -Degressguard.updateNative=true}.
 */
class NativeReflectionTest {

    static final Path CONFIG = Path.of("native", "reflection-config.json");

    static Set<String> reachableModelClasses() {
        Set<String> out = new TreeSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(ModelTypes.all());
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isPrimitive() || c.isArray() || !c.getName().startsWith("io.fabric8.") || !out.add(c.getName())) {
                continue;
            }
            for (Class<?> s = c; s != null && s.getName().startsWith("io.fabric8."); s = s.getSuperclass()) {
                for (Field f : s.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers())) {
                        addTypes(f.getGenericType(), todo);
                    }
                }
                if (s != c) {
                    todo.push(s);
                }
            }
            JsonSubTypes sub = c.getAnnotation(JsonSubTypes.class);
            if (sub != null) {
                for (JsonSubTypes.Type t : sub.value()) {
                    todo.push(t.value());
                }
            }
            JsonDeserialize d = c.getAnnotation(JsonDeserialize.class);
            if (d != null) {
                todo.push(d.using());
                todo.push(d.as());
            }
        }
        return out;
    }

    static void addTypes(Type t, Deque<Class<?>> todo) {
        if (t instanceof Class<?> c) {
            todo.push(c.isArray() ? c.getComponentType() : c);
        } else if (t instanceof ParameterizedType p) {
            addTypes(p.getRawType(), todo);
            for (Type a : p.getActualTypeArguments()) {
                addTypes(a, todo);
            }
        } else if (t instanceof GenericArrayType g) {
            addTypes(g.getGenericComponentType(), todo);
        }
    }

    static String render(Set<String> classes) throws Exception {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String c : classes) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", c);
            e.put("allDeclaredConstructors", true);
            e.put("allDeclaredMethods", true);
            e.put("allDeclaredFields", true);
            entries.add(e);
        }
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(entries) + "\n";
    }

    @Test
    void everyModelClassTheEngineDeserialisesIsRegistered() throws Exception {
        Set<String> needed = reachableModelClasses();
        if (Boolean.getBoolean("egressguard.updateNative")) {
            Files.writeString(CONFIG, render(needed));
        }
        Set<String> registered = new TreeSet<>();
        for (JsonNode n : new ObjectMapper().readTree(CONFIG.toFile())) {
            if (n.path("allDeclaredConstructors").asBoolean() && n.path("allDeclaredMethods").asBoolean()
                    && n.path("allDeclaredFields").asBoolean()) {
                registered.add(n.get("name").asText());
            }
        }
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(registered);
        assertEquals(Set.of(), missing, "not registered for reflection in " + CONFIG
                + " (regenerate with -Degressguard.updateNative=true)");
        for (String c : List.of("io.fabric8.istio.api.networking.v1.VirtualService",
                "io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute",
                "io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute")) {
            assertEquals(true, registered.contains(c), c);
        }
    }
}
