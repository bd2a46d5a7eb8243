package io.egressguard.load;

import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
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

    /** Reads command-line paths in order: files, directories, or {@code -} for {@code stdin}. */
    public ManifestReader readAll(List<String> paths, InputStream stdin) throws InputException {
        for (String p : paths) {
            if (p.equals("-")) {
                read("-", stdin);
            } else {
                read(Path.of(p));
            }
        }
        return this;
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
            throw new InputException(source, doc + 1, "invalid YAML: " + ObjectDecoder.firstLine(e.getMessage()));
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
            obj = ObjectDecoder.decode(k, map);
        } catch (ObjectDecoder.DecodeException e) {
            throw new InputException(source, doc, kind + ": " + e.getMessage());
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
}
