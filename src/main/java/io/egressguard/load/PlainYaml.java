package io.egressguard.load;

import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the documents of plain YAML (mappings, sequences and scalars: what Kubernetes manifests and
 * {@code kubectl} output are made of) straight from the parser's events, without the composer's node tree: the
 * same maps, lists and values as snakeyaml-engine's composer and {@code StandardConstructor}, with the settings'
 * scalar resolution and the same constructors for what it resolves. Reading a large state spends a good part of
 * its time composing and walking that tree otherwise.
 * <p>
 * Whatever is more than plain data (an anchor or alias, an explicit tag, a collection as a key, a duplicate key,
 * nesting deeper than {@link ManifestReader#MAX_DEPTH}, a scalar tag without a schema constructor) or not YAML at
 * all makes it stop with {@link NotPlain}: the caller then reads the text through the composer, which accepts it
 * or names what is wrong exactly as before.
 */
final class PlainYaml {

    /** The text is not plain YAML as defined above: read it through the composer. */
    static final class NotPlain extends Exception {
        NotPlain() {
            super(null, null, false, false);
        }
    }

    /** Receives each document in order: its number (from 1), the line it starts on, and its value. */
    @FunctionalInterface
    interface Documents {
        void accept(int document, int line, Object value) throws InputException;
    }

    private static final NotPlain NOT_PLAIN = new NotPlain();

    private final Iterator<Event> events;
    private final ScalarResolver resolver;
    private final Map<Tag, ConstructNode> scalarConstructors;

    private PlainYaml(LoadSettings settings, String text) {
        this.events = new Parse(settings).parseString(text).iterator();
        this.resolver = settings.getSchema().getScalarResolver();
        this.scalarConstructors = settings.getSchema().getSchemaTagConstructors();
    }

    /** Hands every document of {@code text} to {@code documents}, or stops at the first thing that is not plain. */
    static void read(LoadSettings settings, String text, Documents documents) throws InputException, NotPlain {
        PlainYaml yaml = new PlainYaml(settings, text);
        try {
            yaml.expect(Event.ID.StreamStart);
            for (int document = 1; ; document++) {
                Event event = yaml.events.next();
                if (event.getEventId() == Event.ID.StreamEnd) {
                    return;
                }
                if (event.getEventId() != Event.ID.DocumentStart) {
                    throw NOT_PLAIN;
                }
                Event root = yaml.events.next();
                Object value = yaml.value(root, 0);
                yaml.expect(Event.ID.DocumentEnd);
                if (value != null) {
                    documents.accept(document, ManifestReader.firstLine(root.getStartMark()), value);
                }
            }
        } catch (YamlEngineException e) {
            throw NOT_PLAIN; // not YAML: the composer reports where and why
        }
    }

    private void expect(Event.ID id) throws NotPlain {
        if (events.next().getEventId() != id) {
            throw NOT_PLAIN;
        }
    }

    /** The value of the node that {@code event} starts, {@code level} collections deep. */
    private Object value(Event event, int level) throws NotPlain {
        if (level > ManifestReader.MAX_DEPTH || !(event instanceof NodeEvent node) || node.getAnchor().isPresent()) {
            throw NOT_PLAIN;
        }
        switch (event.getEventId()) {
            case Scalar:
                return scalar((ScalarEvent) event);
            case SequenceStart: {
                untagged(((CollectionStartEvent) event).getTag());
                List<Object> list = new ArrayList<>();
                for (Event item = events.next(); item.getEventId() != Event.ID.SequenceEnd; item = events.next()) {
                    list.add(value(item, level + 1));
                }
                return list;
            }
            case MappingStart: {
                untagged(((CollectionStartEvent) event).getTag());
                Map<Object, Object> map = new LinkedHashMap<>();
                for (Event key = events.next(); key.getEventId() != Event.ID.MappingEnd; key = events.next()) {
                    if (key.getEventId() != Event.ID.Scalar) {
                        throw NOT_PLAIN; // a collection as a key, or an alias
                    }
                    Object name = value(key, level + 1);
                    if (map.containsKey(name)) {
                        throw NOT_PLAIN;
                    }
                    map.put(name, value(events.next(), level + 1));
                }
                return map;
            }
            default:
                throw NOT_PLAIN; // an alias
        }
    }

    /** A collection without a tag, or with the non-specific {@code !}: a map or a list, as the composer resolves it. */
    private static void untagged(Optional<String> tag) throws NotPlain {
        if (tag.isPresent() && !tag.get().equals("!")) {
            throw NOT_PLAIN;
        }
    }

    /** The composer's resolution of an untagged scalar, then the constructor the schema has for that tag. */
    private Object scalar(ScalarEvent event) throws NotPlain {
        untagged(event.getTag());
        Tag tag = resolver.resolve(event.getValue(), event.getImplicit().canOmitTagInPlainScalar());
        if (tag.equals(Tag.STR)) {
            return event.getValue();
        }
        ConstructNode constructor = scalarConstructors.get(tag);
        if (constructor == null) {
            throw NOT_PLAIN; // e.g. a ${VARIABLE}, which StandardConstructor handles on its own
        }
        return constructor.construct(new ScalarNode(tag, true, event.getValue(), event.getScalarStyle(),
                event.getStartMark(), event.getEndMark()));
    }
}
