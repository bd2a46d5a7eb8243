package io.egressguard.load;

import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /** Largest input read, per file or standard input: far above any set of manifests, far below the heap. */
    public static final int MAX_BYTES = 32 << 20;
    /** Deepest nesting of mappings and sequences accepted: Kubernetes objects stay well under 30 levels. */
    public static final int MAX_DEPTH = 100;

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
        if (!Files.isRegularFile(path)) {
            throw new InputException(path.toString(), 0,
                    "not a regular file (a FIFO, device or socket): give files or directories, or - for standard input");
        }
        readFile(path);
        return this;
    }

    static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private void readFile(Path f) throws InputException {
        try (InputStream in = Files.newInputStream(f)) {
            read(f.toString(), in);
        } catch (IOException e) {
            throw new InputException(f.toString(), 0, "cannot read: " + e.getMessage());
        }
    }

    /** Reads at most {@link #MAX_BYTES} bytes of YAML or JSON; more is an error, never read to the end. */
    public ManifestReader read(String source, InputStream in) throws InputException {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new InputException(source, 0, "cannot read: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw new InputException(source, 0, "larger than " + (MAX_BYTES >> 20) + " MiB, not read"
                    + " (split the manifests into several files)");
        }
        return read(source, new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Reads multi-document YAML (or JSON) text: as plain data straight from the parser's events when it is that
     * (manifests almost always are), else through snakeyaml-engine's composer and constructor, which also say
     * what is wrong with text that is not YAML.
     */
    public ManifestReader read(String source, String text) throws InputException {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setCodePointLimit(Integer.MAX_VALUE).build();
        int resourcesBefore = resources.size();
        int ignoredBefore = ignored;
        long orderBefore = order;
        try {
            PlainYaml.read(settings, text, (doc, line, value) -> add(new Resource.Origin(source, doc, line), value));
            return this;
        } catch (PlainYaml.NotPlain e) {
            // the documents before the first thing that is not plain data are read again by the composer
            resources.subList(resourcesBefore, resources.size()).clear();
            ignored = ignoredBefore;
            order = orderBefore;
        }
        return compose(source, text, settings);
    }

    private ManifestReader compose(String source, String text, LoadSettings settings) throws InputException {
        Compose compose = new Compose(settings);
        int doc = 1; // the document being read: errors while composing or constructing it name it
        try {
            Iterator<Node> nodes = compose.composeAllFromString(text).iterator();
            for (; nodes.hasNext(); doc++) {
                Node node = nodes.next();
                checkDepth(node);
                Object o = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
                if (o != null) {
                    add(new Resource.Origin(source, doc, firstLine(node.getStartMark())), o);
                }
            }
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw new InputException(source, doc, "invalid YAML" + where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new InputException(source, doc, "invalid YAML: " + ObjectDecoder.firstLine(e.getMessage()));
        } catch (StackOverflowError e) {
            throw new InputException(source, doc, "nested too deeply to read (at most " + MAX_DEPTH + " levels)");
        }
        return this;
    }

    /** The line (from 1) a document starts on, by its root's start mark; 0 when the parser gave none. */
    static int firstLine(Optional<Mark> start) {
        return start.map(m -> m.getLine() + 1).orElse(0);
    }

    /**
     * Refuses nesting deeper than {@link #MAX_DEPTH} and aliases that contain themselves ({@code &a [*a]}), before
     * anything recursive (constructing, hashing, decoding) walks the document. Shared subtrees (aliases) are
     * measured once, so an alias bomb costs no more than its distinct nodes.
     */
    private static void checkDepth(Node root) {
        depth(root, 0, new IdentityHashMap<>(), Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static int depth(Node n, int level, Map<Node, Integer> measured, Set<Node> path) {
        if (level > MAX_DEPTH) {
            throw new YamlEngineException("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (path.contains(n)) {
            throw new YamlEngineException("an alias refers to a node that contains it (recursive alias)");
        }
        Integer known = measured.get(n);
        if (known == null) {
            List<Node> children = new ArrayList<>();
            if (n instanceof SequenceNode seq) {
                children.addAll(seq.getValue());
            } else if (n instanceof MappingNode map) {
                for (NodeTuple t : map.getValue()) {
                    children.add(t.getKeyNode());
                    children.add(t.getValueNode());
                }
            }
            path.add(n);
            int d = 0;
            for (Node c : children) {
                d = Math.max(d, 1 + depth(c, level + 1, measured, path));
            }
            path.remove(n);
            measured.put(n, d);
            known = d;
        }
        if (level + known > MAX_DEPTH) {
            throw new YamlEngineException("nested deeper than " + MAX_DEPTH + " levels");
        }
        return known;
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
        if (k == null || k == Kind.CONFIG_MAP && !ModelTypes.MESH_CONFIG_NAME.equals(nameOf(map))) {
            ignored++; // of ConfigMaps only the mesh config is read
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

    private static Object nameOf(Map<?, ?> object) {
        return object.get("metadata") instanceof Map<?, ?> m ? m.get("name") : null;
    }
}
