package io.switchyard.agent.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * One collection of {@link SimulatedApiServer} (services, endpointslices or nodes): the objects as
 * JSON, the history of changes for watches to replay, the open watches and request counters.
 * Mutations are made under the server's lock.
 */
final class SimulatedResource {

    /** Queue sentinels for a watch: end the stream cleanly, or cut the connection. */
    static final String END = "END";
    static final String DROP = "DROP";

    /** One change: {@code before} is null for an addition; a deletion carries the last state in {@code after}. */
    record Change(long version, JsonObject before, JsonObject after, boolean deleted) {
    }

    /** An open watch: what it selects, whether it asked for bookmarks, and lines to send. */
    record Watcher(Predicate<JsonObject> selector, boolean bookmarks, BlockingQueue<String> lines) {
        Watcher(Predicate<JsonObject> selector, boolean bookmarks) {
            this(selector, bookmarks, new LinkedBlockingQueue<>());
        }
    }

    final String name;
    final String path;
    final String apiVersion;
    final String kind;
    final Map<String, JsonObject> objects = new TreeMap<>();
    final List<Change> history = new ArrayList<>();
    final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    /** Answered requests: lists, watches (streamed or refused with 410), and 410s; parked watches now. */
    int lists;
    int watches;
    int expired;
    int held;
    final List<Map<String, String>> queries = new ArrayList<>();

    SimulatedResource(String name, String path, String apiVersion, String kind) {
        this.name = name;
        this.path = path;
        this.apiVersion = apiVersion;
        this.kind = kind;
    }

    static String key(JsonObject object) {
        JsonObject meta = object.getAsJsonObject("metadata");
        JsonElement namespace = meta.get("namespace");
        return (namespace == null ? "" : namespace.getAsString() + "/") + meta.get("name").getAsString();
    }

    /** The watch event line a watcher with this selector sees for a change, or null for none. */
    static String eventFor(Change change, Predicate<JsonObject> selector) {
        boolean was = change.before() != null && selector.test(change.before());
        boolean is = !change.deleted() && selector.test(change.after());
        String type = was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : null;
        return type == null ? null : event(type, change.after());
    }

    static String event(String type, JsonObject object) {
        JsonObject event = new JsonObject();
        event.addProperty("type", type);
        event.add("object", object);
        return event.toString();
    }

    String bookmark(long version) {
        JsonObject object = new JsonObject();
        object.addProperty("kind", kind);
        object.addProperty("apiVersion", apiVersion);
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", Long.toString(version));
        object.add("metadata", meta);
        return event("BOOKMARK", object);
    }

    /**
     * Parses the selector forms kube-proxy uses: label terms {@code key}, {@code !key},
     * {@code key=value}, {@code key!=value} joined by commas, and field terms
     * {@code metadata.name=x}, {@code metadata.namespace=x}.
     */
    static Predicate<JsonObject> selector(String labelSelector, String fieldSelector) {
        Predicate<JsonObject> all = o -> true;
        for (String term : split(labelSelector)) {
            Predicate<JsonObject> p;
            if (term.startsWith("!")) {
                String key = term.substring(1);
                p = o -> label(o, key) == null;
            } else if (term.contains("!=")) {
                String[] kv = term.split("!=", 2);
                p = o -> !kv[1].equals(label(o, kv[0]));
            } else if (term.contains("=")) {
                String[] kv = term.replace("==", "=").split("=", 2);
                p = o -> kv[1].equals(label(o, kv[0]));
            } else {
                p = o -> label(o, term) != null;
            }
            all = all.and(p);
        }
        for (String term : split(fieldSelector)) {
            String[] kv = term.split("=", 2);
            if (kv.length != 2 || !kv[0].startsWith("metadata.")) {
                throw new IllegalArgumentException("unsupported field selector " + term);
            }
            String field = kv[0].substring("metadata.".length());
            all = all.and(o -> {
                JsonElement value = o.getAsJsonObject("metadata").get(field);
                return value != null && kv[1].equals(value.getAsString());
            });
        }
        return all;
    }

    private static List<String> split(String selector) {
        if (selector == null || selector.isBlank()) {
            return List.of();
        }
        return List.of(selector.replace(" ", "").split(","));
    }

    private static String label(JsonObject object, String key) {
        JsonObject labels = object.getAsJsonObject("metadata").getAsJsonObject("labels");
        JsonElement value = labels == null ? null : labels.get(key);
        return value == null ? null : value.getAsString();
    }
}
