package io.switchyard.agent.decode;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.resolver.Resolver;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads YAML (or JSON) text into one JSON tree per document, as kubectl reads manifests: YAML
 * 1.1 scalars ({@code yes} is true, {@code 0x1F} an integer), timestamps kept as strings,
 * anchors, aliases and merge keys. Works from snakeyaml's parser events with a linear-time
 * character source, so cost grows linearly with the text, and streams the elements of a
 * document's top-level {@code items} list (a {@code kind: List}) one by one: a List of many
 * objects is never held as one tree.
 */
public final class YamlDocuments {

    /** Mappings and lists nested deeper than this are refused. */
    static final int MAX_DEPTH = 500;
    /** Aliases to mappings or lists, per document, beyond which the input is refused (exponential blow-up). */
    static final int MAX_COLLECTION_ALIASES = 50;

    /** Receives what was read, in order. */
    public interface Sink {
        /** One element of a document's top-level {@code items} list, as soon as it is complete. */
        void item(JsonElement item);

        /**
         * A whole document, null for an empty one. When its top-level {@code items} was a list,
         * the elements went to {@link #item} and the document has no {@code items}.
         */
        void document(JsonElement document);
    }

    private YamlDocuments() {
    }

    /**
     * Reads every document of {@code text} into {@code sink}.
     *
     * @param name how messages name the input
     * @throws YamlSyntaxException when the text is not valid YAML; documents before the error have been delivered
     */
    public static void read(String text, String name, Sink sink) throws YamlSyntaxException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE); // callers bound the size of what they read
        TextStreamReader reader;
        try {
            reader = new TextStreamReader(text, name);
        } catch (ReaderException e) {
            throw new YamlSyntaxException(position(text, e.getPosition()) + "character U+"
                    + String.format("%04X", e.getCodePoint()) + " is not allowed in YAML");
        }
        Builder builder = new Builder(new ParserImpl(reader, options), sink, new Scalars(options));
        try {
            builder.run();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new YamlSyntaxException(at(mark) + problem.strip());
        } catch (YAMLException e) {
            throw new YamlSyntaxException(String.valueOf(e.getMessage()).lines().findFirst().orElse("invalid YAML"));
        } catch (StackOverflowError e) {
            throw new YamlSyntaxException("a scalar is too complex to read");
        }
    }

    private static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }

    private static String position(String text, int codePointIndex) {
        int line = 1;
        int column = 1;
        int offset = 0;
        for (int i = 0; i < codePointIndex && offset < text.length(); i++) {
            int c = text.codePointAt(offset);
            offset += Character.charCount(c);
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return "line " + line + ", column " + column + ": ";
    }

    /** Turns parser events into JSON trees, one open mapping or list per stack frame. */
    private static final class Builder {
        private final Parser parser;
        private final Sink sink;
        private final Scalars scalars;
        private final Deque<Frame> open = new ArrayDeque<>();
        private final Map<String, JsonElement> anchors = new HashMap<>();
        private final Set<String> openAnchors = new HashSet<>();
        private int collectionAliases;

        Builder(Parser parser, Sink sink, Scalars scalars) {
            this.parser = parser;
            this.sink = sink;
            this.scalars = scalars;
        }

        void run() {
            JsonElement document = null;
            boolean empty = true;
            while (true) {
                Event event = parser.getEvent();
                switch (event.getEventId()) {
                    case StreamStart, Comment -> {
                    }
                    case StreamEnd -> {
                        return;
                    }
                    case DocumentStart -> {
                        document = null;
                        empty = true;
                        anchors.clear();
                        collectionAliases = 0;
                    }
                    case DocumentEnd -> sink.document(empty ? null : document);
                    case Scalar -> {
                        ScalarEvent scalar = (ScalarEvent) event;
                        JsonElement value = scalars.value(scalar);
                        anchor(scalar.getAnchor(), value);
                        if (open.isEmpty()) {
                            document = value;
                            empty = false;
                        } else {
                            add(value, event);
                        }
                    }
                    case Alias -> {
                        JsonElement value = alias((AliasEvent) event);
                        if (open.isEmpty()) {
                            document = value;
                            empty = false;
                        } else {
                            add(value, event);
                        }
                    }
                    case MappingStart, SequenceStart -> {
                        CollectionStartEvent start = (CollectionStartEvent) event;
                        if (open.size() >= MAX_DEPTH) {
                            throw new YamlBuildException(start.getStartMark(), "nested deeper than " + MAX_DEPTH + " levels");
                        }
                        boolean mapping = event.getEventId() == Event.ID.MappingStart;
                        Frame parent = open.peek();
                        boolean streamed = !mapping && start.getAnchor() == null && open.size() == 1
                                && parent.mapping != null && parent.keyRead && "items".equals(parent.key);
                        open.push(new Frame(mapping ? new JsonObject() : null, mapping ? null : new JsonArray(),
                                start.getAnchor(), streamed));
                        if (start.getAnchor() != null) {
                            openAnchors.add(start.getAnchor());
                        }
                    }
                    case MappingEnd, SequenceEnd -> {
                        Frame frame = open.pop();
                        JsonElement value = frame.finish();
                        if (frame.anchor != null) {
                            openAnchors.remove(frame.anchor);
                            anchor(frame.anchor, value);
                        }
                        if (open.isEmpty()) {
                            document = value;
                            empty = false;
                        } else if (frame.streamed) {
                            Frame parent = open.peek(); // the items went to the sink one by one
                            parent.key = null;
                            parent.keyRead = false;
                        } else {
                            add(value, event);
                        }
                    }
                }
            }
        }

        private void anchor(String name, JsonElement value) {
            if (name != null) {
                anchors.put(name, value);
            }
        }

        private JsonElement alias(AliasEvent event) {
            String name = event.getAnchor();
            if (openAnchors.contains(name)) {
                throw new YamlBuildException(event.getStartMark(), "alias *" + name + " refers to itself");
            }
            JsonElement value = anchors.get(name);
            if (value == null) {
                throw new YamlBuildException(event.getStartMark(), "found undefined alias *" + name);
            }
            if ((value.isJsonObject() || value.isJsonArray()) && ++collectionAliases > MAX_COLLECTION_ALIASES) {
                throw new YamlBuildException(event.getStartMark(), "more than " + MAX_COLLECTION_ALIASES
                        + " aliases to mappings or lists");
            }
            return value;
        }

        /** Adds a finished value to the innermost open mapping (as key or value) or list. */
        private void add(JsonElement value, Event event) {
            Frame frame = open.peek();
            if (frame.array != null) {
                if (frame.streamed) {
                    sink.item(value);
                } else {
                    frame.array.add(value);
                }
                return;
            }
            if (!frame.keyRead) {
                frame.key = key(value, event);
                frame.merge = event instanceof ScalarEvent scalar && scalars.isMergeKey(scalar);
                frame.keyRead = true;
                return;
            }
            frame.keyRead = false;
            if (frame.merge) {
                frame.mergeFrom(value, event.getStartMark());
            } else {
                frame.mapping.add(frame.key, value);
            }
        }

        private static String key(JsonElement key, Event event) {
            if (key.isJsonNull()) {
                return "null";
            }
            if (!key.isJsonPrimitive()) {
                throw new YamlBuildException(event.getStartMark(), "a mapping key must be a scalar, not a mapping or list");
            }
            return key.getAsString();
        }
    }

    /** One open mapping or list. */
    private static final class Frame {
        final JsonObject mapping;
        final JsonArray array;
        final String anchor;
        /** A top-level {@code items} list whose elements go to the sink instead of the tree. */
        final boolean streamed;
        String key;
        boolean keyRead;
        boolean merge;
        /** Entries from merge keys ({@code <<}), earliest first; explicit keys override them. */
        List<JsonObject> merged;

        Frame(JsonObject mapping, JsonArray array, String anchor, boolean streamed) {
            this.mapping = mapping;
            this.array = array;
            this.anchor = anchor;
            this.streamed = streamed;
        }

        void mergeFrom(JsonElement value, Mark mark) {
            if (merged == null) {
                merged = new ArrayList<>();
            }
            if (value.isJsonObject()) {
                merged.add(value.getAsJsonObject());
            } else if (value.isJsonArray() && value.getAsJsonArray().asList().stream().allMatch(JsonElement::isJsonObject)) {
                value.getAsJsonArray().forEach(e -> merged.add(e.getAsJsonObject()));
            } else {
                throw new YamlBuildException(mark, "a merge key (<<) needs a mapping or a list of mappings");
            }
        }

        JsonElement finish() {
            if (array != null) {
                return array;
            }
            if (merged == null) {
                return mapping;
            }
            JsonObject result = new JsonObject();
            for (JsonObject source : merged) {
                source.entrySet().forEach(e -> {
                    if (!result.has(e.getKey())) {
                        result.add(e.getKey(), e.getValue());
                    }
                });
            }
            mapping.entrySet().forEach(e -> result.add(e.getKey(), e.getValue()));
            return result;
        }
    }

    /** Resolves and converts scalars with YAML 1.1's rules, leaving timestamps as strings. */
    private static final class Scalars extends SafeConstructor {
        private final Resolver resolver = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
                addImplicitResolver(Tag.INT, INT, "-+0123456789");
                addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
                addImplicitResolver(Tag.MERGE, MERGE, "<");
                addImplicitResolver(Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(Tag.NULL, EMPTY, null);
            }
        };

        Scalars(LoaderOptions options) {
            super(options);
        }

        boolean isMergeKey(ScalarEvent event) {
            return event.getTag() == null && event.isPlain() && tag(event).equals(Tag.MERGE);
        }

        JsonElement value(ScalarEvent event) {
            Tag tag = tag(event);
            String text = event.getValue();
            try {
                if (tag.equals(Tag.NULL)) {
                    return JsonNull.INSTANCE;
                }
                if (tag.equals(Tag.BOOL) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
                    // Straight to snakeyaml's scalar constructors: constructObject would remember every node.
                    Object value = yamlConstructors.get(tag)
                            .construct(new ScalarNode(tag, text, null, null, DumperOptions.ScalarStyle.PLAIN));
                    return switch (value) {
                        case Boolean b -> new JsonPrimitive(b);
                        case Integer i -> new JsonPrimitive(i);
                        case Long l -> new JsonPrimitive(l);
                        case BigInteger b -> new JsonPrimitive(b);
                        case Double d -> new JsonPrimitive(d);
                        default -> new JsonPrimitive(text);
                    };
                }
            } catch (RuntimeException e) {
                throw new YamlBuildException(event.getStartMark(), "\"" + text + "\" is not a valid "
                        + tag.getValue().replace(Tag.PREFIX, "!!"));
            }
            return new JsonPrimitive(text); // strings, and timestamps, binary and custom tags as written
        }

        private Tag tag(ScalarEvent event) {
            String tag = event.getTag();
            if (tag == null || tag.equals("!")) {
                return resolver.resolve(NodeId.scalar, event.getValue(), event.getImplicit().canOmitTagInPlainScalar());
            }
            return new Tag(tag);
        }
    }

    /** A structural problem found while building, with where it is. */
    private static final class YamlBuildException extends MarkedYAMLException {
        YamlBuildException(Mark mark, String problem) {
            super(null, null, problem, mark);
        }
    }
}
