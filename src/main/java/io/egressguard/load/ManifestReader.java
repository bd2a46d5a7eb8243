package io.egressguard.load;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests: multi-document YAML, JSON, {@code List} objects, files and directories
 * (recursively: {@code *.yaml}, {@code *.yml}, {@code *.json}). Objects of kinds egress-guard does not read are
 * counted and skipped; anything malformed is an {@link InputException} naming the file, document and field.
 */
public final class ManifestReader {

    /** What was read: the objects, and how many of unknown kinds were skipped. */
    public record Result(List<Resource> resources, int ignored) {
    }

    /** fabric8's mapper, but an unknown enum value (a typo in {@code resolution}) is an error, not null. */
    private static final ObjectMapper MAPPER = Serialization.jsonMapper().copy()
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE);

    private final String defaultNamespace;
    private final List<Resource> resources = new ArrayList<>();
    private int ignored;
    private long order;

    public ManifestReader(String defaultNamespace) {
        this.defaultNamespace = defaultNamespace;
    }

    public Result result() {
        return new Result(List.copyOf(resources), ignored);
    }

    /** Reads a file or, recursively, a directory. */
    public ManifestReader read(Path path) throws InputException {
        if (!Files.exists(path)) {
            throw new InputException(path.toString(), 0, "no such file or directory");
        }
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).filter(ManifestReader::isManifest).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new InputException(path.toString(), 0, "cannot list directory: " + e.getMessage());
            }
            for (Path f : files) {
                readFile(f);
            }
            return this;
        }
        readFile(path);
        return this;
    }

    static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private void readFile(Path f) throws InputException {
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException(f.toString(), 0, "cannot read: " + e.getMessage());
        }
        read(f.toString(), text);
    }

    public ManifestReader read(String source, InputStream in) throws InputException {
        try {
            return read(source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InputException(source, 0, "cannot read: " + e.getMessage());
        }
    }

    /** Reads multi-document YAML (or JSON) text. */
    public ManifestReader read(String source, String text) throws InputException {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setCodePointLimit(Integer.MAX_VALUE).build();
        Compose compose = new Compose(settings);
        int doc = 0;
        try {
            for (Node node : compose.composeAllFromString(text)) {
                doc++;
                Object o = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
                if (o != null) {
                    int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
                    add(new Resource.Origin(source, doc, line), o);
                }
            }
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw new InputException(source, doc + 1, "invalid YAML" + where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new InputException(source, doc + 1, "invalid YAML: " + firstLine(e.getMessage()));
        }
        return this;
    }

    private void add(Resource.Origin origin, Object o) throws InputException {
        String source = origin.source();
        int doc = origin.document();
        if (!(o instanceof Map<?, ?> map)) {
            throw new InputException(source, doc, "expected a Kubernetes object (a mapping), found "
                    + o.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        Object kind = map.get("kind");
        Object apiVersion = map.get("apiVersion");
        if (kind != null && kind.toString().endsWith("List") && map.get("items") instanceof List<?> items) {
            for (Object item : items) {
                if (item != null) {
                    add(origin, item);
                }
            }
            return;
        }
        if (!(kind instanceof String) || !(apiVersion instanceof String)) {
            throw new InputException(source, doc, "missing apiVersion or kind");
        }
        Kind k = Kind.of((String) apiVersion, (String) kind).orElse(null);
        if (k == null) {
            ignored++;
            return;
        }
        HasMetadata obj;
        try {
            obj = MAPPER.convertValue(map, ModelTypes.classOf(k));
        } catch (IllegalArgumentException e) {
            throw new InputException(source, doc, kind + ": " + describe(e));
        }
        String dropped = dropped(map, MAPPER.convertValue(obj, Map.class), "");
        if (dropped != null) {
            throw new InputException(source, doc, kind + ": " + dropped);
        }
        if (obj.getMetadata() == null || obj.getMetadata().getName() == null || obj.getMetadata().getName().isEmpty()) {
            throw new InputException(source, doc, kind + ": metadata.name is missing");
        }
        String ns = null;
        if (k.namespaced()) {
            ns = obj.getMetadata().getNamespace();
            if (ns == null || ns.isEmpty()) {
                ns = defaultNamespace;
                obj.getMetadata().setNamespace(ns);
            }
        }
        resources.add(new Resource(new ObjectRef(k, ns, obj.getMetadata().getName()), obj, origin, order++));
    }

    /**
     * The model maps values it does not know (an enum typo such as {@code resolution: DSN}) to null. Comparing
     * what was written with what was understood finds them: {@code spec.resolution: unknown value 'DSN'}.
     */
    static String dropped(Object written, Object understood, String path) {
        if (written instanceof Map<?, ?> w) {
            Map<?, ?> u = understood instanceof Map<?, ?> m ? m : Map.of();
            for (var e : w.entrySet()) {
                String p = path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey();
                String d = e.getValue() == null ? null : dropped(e.getValue(), u.get(e.getKey()), p);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (written instanceof List<?> w) {
            List<?> u = understood instanceof List<?> l ? l : List.of();
            for (int i = 0; i < w.size(); i++) {
                String d = w.get(i) == null ? null : dropped(w.get(i), i < u.size() ? u.get(i) : null, path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return understood == null ? path + ": unknown value '" + written + "'" : null;
    }

    /** Names the field Jackson could not read, e.g. {@code spec.resolution: not one of [DNS, NONE, ...]}. */
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

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
