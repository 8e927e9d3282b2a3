package io.switchyard.agent.source;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.decode.JsonDocuments;
import io.switchyard.agent.decode.ObjectRejectedException;
import io.switchyard.agent.decode.ResourceDecoder;
import io.switchyard.agent.decode.YamlDocuments;
import io.switchyard.agent.decode.YamlSyntaxException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads Services, EndpointSlices and Nodes from manifests on disk: one YAML or JSON file, or a
 * directory of them, multi-document and {@code kind: List} included, as {@code kubectl get -o yaml}
 * writes them. Objects are decoded exactly as from the API server ({@link ResourceDecoder}),
 * so a manifest means what the API would send; only {@code v1} Services and Nodes and
 * {@code discovery.k8s.io/v1} EndpointSlices are read, and objects of other kinds are skipped.
 * An object that cannot be read is reported as a {@link Problem} naming the file, the object and
 * the field, and only that object is skipped; a file that cannot be read at all (not UTF-8, not
 * YAML, too large) is reported and skipped whole. Cost is linear in the size of the input, and
 * the items of a List are decoded one at a time; a file that is one JSON document is read by a
 * JSON parser (several times faster than YAML's), anything else as YAML.
 */
public final class ManifestLoader {

    /** Files larger than this are reported and skipped. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /**
     * What was read, and what could not be.
     *
     * @param missing whether the path itself does not exist (then nothing was read at all)
     */
    public record Result(ClusterObjects objects, List<Problem> problems, boolean missing) {
    }

    /** What the bytes of one file hold: its objects, or why none can be read at all. */
    sealed interface Decoded {

        /**
         * The file was read: the objects that could be, and a problem for each one that could
         * not (those with a usable name are also in {@code rejected}).
         */
        record Read(List<KubernetesObject> objects, List<Rejected> rejected, List<Problem> problems)
                implements Decoded {
        }

        /** Nothing could be read (not UTF-8, not YAML); {@code reason} says why, naming no file. */
        record Unreadable(String reason) implements Decoded {
        }
    }

    /**
     * A named Service, EndpointSlice or Node the file holds but that could not be taken.
     *
     * @param problem the problem reported for it, one of the file's {@code problems}
     * @param reason  what is wrong with it, without what was done about it
     */
    record Rejected(ObjectKey key, Problem problem, String reason) {
    }

    private ManifestLoader() {
    }

    /** Loads a file, or every {@code .yaml}, {@code .yml} and {@code .json} file under a directory. */
    public static Result load(Path path) {
        return load(path, MAX_FILE_BYTES);
    }

    /** {@link #load(Path)} with another limit on the size of each file. */
    public static Result load(Path path, long maxFileBytes) {
        Collector collector = new Collector(maxFileBytes);
        boolean missing = false;
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                files.filter(Files::isRegularFile).filter(ManifestLoader::isManifest).sorted()
                        .forEach(collector::readFile);
            } catch (IOException | UncheckedIOException e) {
                collector.problems.add(new Problem(path.toString(), "cannot list the directory: " + reason(e)));
            }
        } else if (Files.isRegularFile(path)) {
            collector.readFile(path);
        } else {
            missing = !Files.exists(path);
            collector.problems.add(new Problem(path.toString(), missing ? "no such file or directory"
                    : "not a regular file or directory"));
        }
        return new Result(new ClusterObjects(collector.services, collector.slices, collector.nodes),
                collector.problems, missing);
    }

    /** Whether a file in a directory is read as a manifest: by extension, and not hidden (editors' temporary files). */
    static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    /** Gathers the objects and problems of every file. */
    private static final class Collector {
        final long maxFileBytes;
        final List<V1Service> services = new ArrayList<>();
        final List<V1EndpointSlice> slices = new ArrayList<>();
        final List<V1Node> nodes = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();

        Collector(long maxFileBytes) {
            this.maxFileBytes = maxFileBytes;
        }

        void readFile(Path file) {
            byte[] bytes;
            try {
                long size = Files.size(file);
                if (size > maxFileBytes) {
                    problems.add(new Problem(file.toString(), tooLarge(size, maxFileBytes) + "; skipped"));
                    return;
                }
                bytes = Files.readAllBytes(file);
            } catch (IOException | UncheckedIOException e) {
                problems.add(new Problem(file.toString(), "cannot read the file: " + reason(e)));
                return;
            }
            switch (decode(file, bytes, 0, bytes.length)) {
                case Decoded.Unreadable unreadable ->
                        problems.add(new Problem(file.toString(), unreadable.reason() + "; skipped"));
                case Decoded.Read read -> {
                    read.objects().forEach(this::take);
                    problems.addAll(read.problems());
                }
            }
        }

        private void take(KubernetesObject object) {
            switch (object) {
                case V1Service s -> services.add(s);
                case V1EndpointSlice s -> slices.add(s);
                case V1Node n -> nodes.add(n);
                default -> throw new IllegalStateException("unexpected " + object.getKind());
            }
        }
    }

    /** Why a file of {@code size} bytes is not read. */
    static String tooLarge(long size, long maxFileBytes) {
        return "the file is " + size(size) + ", more than the " + size(maxFileBytes) + " a manifest may be";
    }

    /**
     * Decodes {@code bytes[from, to)} as the content of {@code file} (or a part of it that is
     * whole YAML documents): taken whole or not at all, so a half-written file never yields
     * part of its objects as if they were all.
     */
    static Decoded decode(Path file, byte[] bytes, int from, int to) {
        String text;
        try {
            text = utf8(bytes, from, to);
        } catch (NotUtf8Exception e) {
            return new Decoded.Unreadable(e.getMessage());
        }
        DocumentReader reader = new DocumentReader(file);
        try {
            if (!readJson(text, reader)) {
                reader = new DocumentReader(file); // as YAML, from the start
                YamlDocuments.read(text, file.toString(), reader);
            }
        } catch (YamlSyntaxException e) {
            return new Decoded.Unreadable("not valid YAML: " + e.getMessage());
        }
        return new Decoded.Read(reader.objects, reader.rejected, reader.problems);
    }

    /** Reads JSON the fast way; false when the text is not (only) JSON, for YAML to read it and say why. */
    private static boolean readJson(String text, DocumentReader reader) {
        if (!JsonDocuments.looksLikeJson(text)) {
            return false;
        }
        try {
            JsonDocuments.read(text, reader);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The objects of one file, decoded document by document (and List item by List item). */
    private static final class DocumentReader implements YamlDocuments.Sink {
        final Path file;
        final List<KubernetesObject> objects = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();
        /** What the items of the current document's top-level list gave, until the document says what it is. */
        final List<KubernetesObject> itemObjects = new ArrayList<>();
        final List<Problem> itemProblems = new ArrayList<>();
        final List<Rejected> itemRejected = new ArrayList<>();
        int document = 1;
        int item;

        DocumentReader(Path file) {
            this.file = file;
        }

        @Override
        public void item(JsonElement element) {
            item++;
            read(element, "document " + document + ", item " + item, itemObjects, itemProblems, itemRejected);
        }

        @Override
        public void document(JsonElement element) {
            String where = "document " + document;
            if (element == null || element.isJsonNull()) {
                // an empty document, as between two "---" lines
            } else if (!(element instanceof JsonObject object)) {
                problems.add(new Problem(file + " (" + where + ")", "not a Kubernetes object; skipped"));
            } else if (isList(object)) {
                objects.addAll(itemObjects);
                problems.addAll(itemProblems);
                rejected.addAll(itemRejected);
                if (object.has("items") && !object.get("items").isJsonNull()) { // a list would have been streamed
                    problems.add(new Problem(file + " (" + where + ")", "items: expected a list, found "
                            + jsonType(object.get("items")) + "; skipped"));
                }
            } else {
                read(object, where, objects, problems, rejected);
            }
            itemObjects.clear();
            itemProblems.clear();
            itemRejected.clear();
            item = 0;
            document++;
        }

        private static boolean isList(JsonObject object) {
            String kind = string(object, "kind");
            return kind != null && kind.endsWith("List");
        }

        /** Reads one object, or each item of a List nested in a List's items. */
        private void read(JsonElement element, String where, List<KubernetesObject> into, List<Problem> problemsInto,
                          List<Rejected> rejectedInto) {
            if (!(element instanceof JsonObject object)) {
                if (!element.isJsonNull()) {
                    problemsInto.add(new Problem(file + " (" + where + ")", "not a Kubernetes object; skipped"));
                }
                return;
            }
            if (object.get("kind") != null && string(object, "kind") == null) {
                problemsInto.add(new Problem(describe(object, where), "kind: expected a string, found "
                        + jsonType(object.get("kind")) + "; skipped"));
                return;
            }
            String kind = String.valueOf(string(object, "kind"));
            if (isList(object)) {
                if (object.get("items") != null && object.get("items").isJsonArray()) {
                    int i = 0;
                    for (JsonElement nested : object.getAsJsonArray("items")) {
                        read(nested, where + ", item " + ++i, into, problemsInto, rejectedInto);
                    }
                } else if (object.has("items") && !object.get("items").isJsonNull()) {
                    problemsInto.add(new Problem(describe(object, where), "items: expected a list, found "
                            + jsonType(object.get("items")) + "; skipped"));
                }
                return;
            }
            ResourceDecoder<?, ?> decoder = switch (kind) {
                case "Service" -> ResourceDecoder.SERVICES;
                case "EndpointSlice" -> ResourceDecoder.ENDPOINT_SLICES;
                case "Node" -> ResourceDecoder.NODES;
                default -> null; // other kinds (Deployments, ConfigMaps...) are not the proxy's business
            };
            if (decoder != null) {
                decode(object, where, decoder, into, problemsInto, rejectedInto);
            }
        }

        private <T extends KubernetesObject, L extends KubernetesListObject> void decode(
                JsonObject object, String where, ResourceDecoder<T, L> decoder, List<KubernetesObject> into,
                List<Problem> problemsInto, List<Rejected> rejectedInto) {
            String apiVersion = string(object, "apiVersion");
            if (!decoder.apiVersion().equals(apiVersion)) {
                String found = apiVersion != null ? "apiVersion \"" + apiVersion + "\" is not supported"
                        : object.has("apiVersion") ? "apiVersion is not a string" : "apiVersion is missing";
                reject(object, where, found + ": only " + decoder.apiVersion() + " " + decoder.kind() + "s are read",
                        problemsInto, rejectedInto);
                return;
            }
            try {
                into.add(decoder.objects().fromJsonTree(object));
            } catch (ObjectRejectedException e) {
                reject(object, where, e.fields(), problemsInto, rejectedInto);
            }
        }

        private void reject(JsonObject object, String where, String reason, List<Problem> problemsInto,
                            List<Rejected> rejectedInto) {
            Problem problem = new Problem(describe(object, where), reason + "; skipped");
            problemsInto.add(problem);
            JsonElement meta = object.get("metadata");
            if (meta instanceof JsonObject m) {
                ObjectKey key = ObjectKey.of(string(object, "kind"), string(m, "namespace"), string(m, "name"));
                if (key != null) {
                    rejectedInto.add(new Rejected(key, problem, reason));
                }
            }
        }

        /** {@code Service demo/web in FILE}, or with the document's place when it has no usable name. */
        private String describe(JsonObject object, String where) {
            String kind = String.valueOf(string(object, "kind"));
            JsonElement meta = object.get("metadata");
            String name = meta instanceof JsonObject m ? string(m, "name") : null;
            if (name == null || name.isEmpty()) {
                return kind + " (unnamed, " + where + ") in " + file;
            }
            String namespace = string((JsonObject) meta, "namespace");
            return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name + " in " + file;
        }
    }

    private static String string(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString() ? value.getAsString() : null;
    }

    private static String jsonType(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "null";
        }
        if (value.isJsonObject()) {
            return "a mapping";
        }
        if (value.isJsonArray()) {
            return "a list";
        }
        return "the value \"" + value.getAsString() + "\"";
    }

    /** {@code bytes[from, to)} as text, refusing anything that is not UTF-8 (a leading byte order mark is dropped). */
    private static String utf8(byte[] bytes, int from, int to) throws NotUtf8Exception {
        // Checked through a small window first: the text itself is then decoded once, compactly.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer window = CharBuffer.allocate(8192);
        CoderResult result;
        do {
            window.clear();
            result = decoder.decode(in, window, true);
        } while (result.isOverflow());
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = from; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new NotUtf8Exception(String.format(Locale.ROOT,
                    "not UTF-8 text: byte 0x%02X at offset %d (line %d) is not valid UTF-8", bytes[offset] & 0xff,
                    offset - from, line));
        }
        boolean bom = to - from >= 3 && (bytes[from] & 0xff) == 0xEF && (bytes[from + 1] & 0xff) == 0xBB
                && (bytes[from + 2] & 0xff) == 0xBF;
        return bom ? new String(bytes, from + 3, to - from - 3, StandardCharsets.UTF_8)
                : new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes >= 1L << 10 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0) : bytes + " bytes";
    }

    /** Why an I/O operation failed, in words rather than an exception's name. */
    static String reason(Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return switch (cause) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileSystemException f when f.getReason() != null && !f.getReason().isEmpty() ->
                    (Character.toLowerCase(f.getReason().charAt(0)) + f.getReason().substring(1))
                            .replace(" or unable to access attributes of symbolic link", ""); // the JDK's words for ELOOP
            default -> cause.getMessage() != null ? cause.getMessage() : "input/output error";
        };
    }

    /** Bytes that are not UTF-8. */
    private static final class NotUtf8Exception extends Exception {
        NotUtf8Exception(String message) {
            super(message);
        }
    }
}
