package io.switchyard.agent.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.bench.SimulatedResource.Change;
import io.switchyard.agent.bench.SimulatedResource.Watcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A small Kubernetes API server for informer tests and benchmarks, over real HTTP on 127.0.0.1: LIST and WATCH
 * of Services, EndpointSlices and Nodes with label and field selectors, a global resourceVersion,
 * watch history replay, bookmarks and 410 Gone, plus knobs to misbehave (drop, end or hold
 * watches, compact history, go away and come back on the same port) and to answer as a newer
 * API version would (fields no client knows in lists, list metadata, events, bookmarks, errors).
 */
public final class SimulatedApiServer implements AutoCloseable {

    public static final String SERVICES = "services";
    public static final String ENDPOINT_SLICES = "endpointslices";
    public static final String NODES = "nodes";

    private final Map<String, SimulatedResource> resources = Map.of(
            SERVICES, new SimulatedResource(SERVICES, "/api/v1/services", "v1", "Service"),
            ENDPOINT_SLICES, new SimulatedResource(ENDPOINT_SLICES, "/apis/discovery.k8s.io/v1/endpointslices",
                    "discovery.k8s.io/v1", "EndpointSlice"),
            NODES, new SimulatedResource(NODES, "/api/v1/nodes", "v1", "Node"));
    private long version = 1000;
    private long compactedBefore;
    private boolean holding;
    private boolean running;
    private boolean newerVersion;
    private final Binder binder;
    private HttpServer http;
    private ExecutorService executor;
    private int port;

    /**
     * How the server's listening socket is opened. The default opens it here; a test opens it
     * inside another network namespace (a socket belongs to the namespace of the thread that
     * created it), so that an agent confined to that namespace can reach the server.
     */
    @FunctionalInterface
    public interface Binder {
        /** A server bound to {@code address} (and not started). */
        HttpServer bind(InetSocketAddress address) throws IOException;
    }

    public SimulatedApiServer() throws IOException {
        this(address -> HttpServer.create(address, 0));
    }

    /** A server whose socket (on 127.0.0.1, now and after {@link #comeBack()}) {@code binder} opens. */
    public SimulatedApiServer(Binder binder) throws IOException {
        this.binder = binder;
        listen(0);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Creates or replaces an object (a copy, stamped with kind, apiVersion and a new resourceVersion). */
    public synchronized void upsert(KubernetesObject object) {
        SimulatedResource resource = resourceOf(object);
        JsonObject json = encode(object);
        json.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(++version));
        JsonObject before = resource.objects.put(SimulatedResource.key(json), json);
        record(resource, new Change(version, before, json, false));
    }

    /**
     * An object as JSON with its kind and apiVersion, for {@link #upsertJson}: a benchmark encodes
     * a burst ahead, so that what it times is the agent, not this server's encoding.
     */
    public JsonObject encode(KubernetesObject object) {
        SimulatedResource resource = resourceOf(object);
        JsonObject json = JsonParser.parseString(JSON.serialize(object)).getAsJsonObject();
        json.addProperty("kind", resource.kind);
        json.addProperty("apiVersion", resource.apiVersion);
        return json;
    }

    /**
     * Creates or replaces an object given as JSON, kept as it is (fields no model knows
     * included) but for a new resourceVersion; its {@code kind} says which resource it is.
     */
    public synchronized void upsertJson(JsonObject object) {
        String kind = object.get("kind").getAsString();
        SimulatedResource resource = resources.values().stream().filter(r -> r.kind.equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unsupported kind " + kind));
        JsonObject json = object.deepCopy();
        json.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(++version));
        JsonObject before = resource.objects.put(SimulatedResource.key(json), json);
        record(resource, new Change(version, before, json, false));
    }

    /**
     * From now on, answers as a newer API version would: lists, their metadata and watch events
     * (bookmarks and error statuses included) carry fields no client model knows.
     */
    public synchronized void answerAsANewerVersion() {
        newerVersion = true;
    }

    /** Deletes the stored object with this object's namespace and name. */
    public synchronized void delete(KubernetesObject object) {
        SimulatedResource resource = resourceOf(object);
        String namespace = object.getMetadata().getNamespace();
        String key = (namespace == null ? "" : namespace + "/") + object.getMetadata().getName();
        JsonObject before = resource.objects.remove(key);
        if (before == null) {
            throw new IllegalArgumentException("no " + resource.kind + " " + key);
        }
        JsonObject after = before.deepCopy();
        after.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(++version));
        record(resource, new Change(version, before, after, true));
    }

    /** Cuts every open watch connection mid-stream, as a crashing server or a broken network does. */
    public synchronized void dropWatches() {
        eachWatcher(w -> w.lines().add(SimulatedResource.DROP));
    }

    /** Ends every open watch cleanly, as the server does when a watch's timeoutSeconds is up. */
    public synchronized void endWatches() {
        eachWatcher(w -> w.lines().add(SimulatedResource.END));
    }

    /** Forgets the history so far: a watch from an older resourceVersion gets 410 Gone. */
    public synchronized void compact() {
        compactedBefore = version;
    }

    /** Sends a BOOKMARK at the current resourceVersion to every watch that allowed bookmarks. */
    public synchronized void sendBookmarks() {
        for (SimulatedResource resource : resources.values()) {
            resource.watchers.stream().filter(Watcher::bookmarks)
                    .forEach(w -> w.lines().add(resource.bookmark(version)));
        }
    }

    /** Parks new watch requests without an answer until {@link #releaseWatches()}. */
    public synchronized void holdWatches() {
        holding = true;
    }

    public synchronized void releaseWatches() {
        holding = false;
        notifyAll();
    }

    /** Stops listening and cuts all connections, keeping the objects; connections are refused until {@link #comeBack()}. */
    public void goAway() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            eachWatcher(w -> w.lines().add(SimulatedResource.DROP));
            notifyAll();
        }
        http.stop(0);
        executor.shutdownNow();
    }

    /** Listens again, on the same port. */
    public void comeBack() throws IOException {
        listen(port);
    }

    public void stop() {
        goAway();
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized int lists(String resource) {
        return resources.get(resource).lists;
    }

    /** Watch requests answered, with a stream or with 410 Gone. */
    public synchronized int watches(String resource) {
        return resources.get(resource).watches;
    }

    /** Watch requests answered with 410 Gone. */
    public synchronized int expired(String resource) {
        return resources.get(resource).expired;
    }

    /** Watch requests parked by {@link #holdWatches()} right now. */
    public synchronized int held(String resource) {
        return resources.get(resource).held;
    }

    /** The query parameters of every request so far, oldest first. */
    public synchronized List<Map<String, String>> queries(String resource) {
        return List.copyOf(resources.get(resource).queries);
    }

    private void listen(int wantedPort) throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        http = binder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), wantedPort));
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        port = http.getAddress().getPort();
        synchronized (this) {
            running = true;
        }
    }

    private SimulatedResource resourceOf(KubernetesObject object) {
        return switch (object) {
            case V1Service s -> resources.get(SERVICES);
            case V1EndpointSlice s -> resources.get(ENDPOINT_SLICES);
            case V1Node n -> resources.get(NODES);
            default -> throw new IllegalArgumentException("unsupported kind " + object.getClass());
        };
    }

    private void record(SimulatedResource resource, Change change) {
        resource.history.add(change);
        for (Watcher watcher : resource.watchers) {
            String line = SimulatedResource.eventFor(change, watcher.selector());
            if (line != null) {
                watcher.lines().add(line);
            }
        }
    }

    private void eachWatcher(java.util.function.Consumer<Watcher> action) {
        resources.values().forEach(r -> r.watchers.forEach(action));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
        SimulatedResource resource = resources.values().stream().filter(r -> r.path.equals(path)).findFirst().orElse(null);
        if (resource == null || !"GET".equals(exchange.getRequestMethod())) {
            sendStatus(exchange, 404, "NotFound", "the server could not find the requested resource");
            return;
        }
        Predicate<JsonObject> selector;
        try {
            selector = SimulatedResource.selector(query.get("labelSelector"), query.get("fieldSelector"));
        } catch (IllegalArgumentException e) {
            sendStatus(exchange, 400, "BadRequest", e.getMessage());
            return;
        }
        if ("true".equals(query.get("watch")) || "1".equals(query.get("watch"))) {
            watch(exchange, resource, query, selector);
        } else {
            list(exchange, resource, query, selector);
        }
    }

    private void list(HttpExchange exchange, SimulatedResource resource, Map<String, String> query,
                      Predicate<JsonObject> selector) throws IOException {
        JsonObject list = new JsonObject();
        synchronized (this) {
            resource.lists++;
            resource.queries.add(query);
            list.addProperty("apiVersion", resource.apiVersion);
            list.addProperty("kind", resource.kind + "List");
            JsonObject meta = new JsonObject();
            meta.addProperty("resourceVersion", Long.toString(version));
            list.add("metadata", meta);
            JsonArray items = new JsonArray();
            resource.objects.values().stream().filter(selector).forEach(items::add);
            list.add("items", items);
            if (newerVersion) {
                meta.addProperty("remainingItemCount", 0);
                meta.add("futureListShard", JsonParser.parseString("{\"index\": 0, \"of\": [1]}"));
                list.add("futureListSummary", JsonParser.parseString("[{\"kind\": \"x\"}, null, 3, true]"));
            }
        }
        send(exchange, 200, list.toString());
    }

    private void watch(HttpExchange exchange, SimulatedResource resource, Map<String, String> query,
                       Predicate<JsonObject> selector) throws IOException {
        String from = query.getOrDefault("resourceVersion", "");
        Watcher watcher = new Watcher(selector, "true".equals(query.get("allowWatchBookmarks")));
        List<String> replay = new ArrayList<>();
        boolean gone;
        synchronized (this) {
            resource.queries.add(query);
            resource.held++;
            try {
                while (holding && running) {
                    wait();
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            } finally {
                resource.held--;
            }
            if (!running) {
                throw new IOException("server is going away"); // cuts the connection
            }
            resource.watches++;
            long since = from.isEmpty() || "0".equals(from) ? -1 : Long.parseLong(from);
            gone = since >= 0 && since < compactedBefore;
            if (gone) {
                resource.expired++;
                replay.add(SimulatedResource.event("ERROR", status(410, "Expired",
                        "too old resource version: " + since + " (" + compactedBefore + ")")));
            } else {
                if (since < 0) { // "any version": the current objects as additions first
                    resource.objects.values().stream().filter(selector)
                            .forEach(o -> replay.add(SimulatedResource.event("ADDED", o)));
                } else {
                    resource.history.stream().filter(c -> c.version() > since)
                            .map(c -> SimulatedResource.eventFor(c, selector)).filter(l -> l != null).forEach(replay::add);
                }
                resource.watchers.add(watcher);
            }
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream out = exchange.getResponseBody();
            out.flush(); // the headers: the client's watch call returns before the first event
            for (String line : replay) {
                writeLine(out, decorate(line));
            }
            while (!gone) {
                String line = watcher.lines().take();
                if (SimulatedResource.END.equals(line)) {
                    break;
                }
                if (SimulatedResource.DROP.equals(line)) {
                    // Leaving without closing the exchange: the HTTP server closes the connection
                    // without the final chunk, so the client sees the stream break.
                    throw new IOException("watch dropped by the test");
                }
                writeLine(out, decorate(line));
            }
            exchange.close();
        } catch (InterruptedException e) {
            throw new IOException(e);
        } finally {
            resource.watchers.remove(watcher);
        }
    }

    /** A watch event line as a newer API version would write it, when answering as one. */
    private String decorate(String line) {
        synchronized (this) {
            if (!newerVersion) {
                return line;
            }
        }
        JsonObject event = JsonParser.parseString(line).getAsJsonObject();
        JsonObject decorated = new JsonObject();
        decorated.add("futureEventTrace", JsonParser.parseString("{\"id\": [\"a\", 1]}"));
        event.entrySet().forEach(e -> decorated.add(e.getKey(), e.getValue()));
        decorated.addProperty("futureEventSequence", 12);
        JsonObject object = event.getAsJsonObject("object");
        switch (event.get("type").getAsString()) {
            case "BOOKMARK" -> {
                JsonObject annotations = new JsonObject();
                annotations.addProperty("k8s.io/initial-events-end", "true");
                object.getAsJsonObject("metadata").add("annotations", annotations);
                object.getAsJsonObject("metadata").addProperty("futureBookmarkWindow", 30);
                object.add("futureBookmarkProgress", JsonParser.parseString("{\"percent\": 100}"));
            }
            case "ERROR" -> {
                object.add("details", JsonParser.parseString("{\"causes\": [{\"reason\": \"Expired\"}]}"));
                object.addProperty("futureStatusRetryAfter", "1s");
            }
            default -> {
            }
        }
        return decorated.toString();
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static JsonObject status(int code, String reason, String message) {
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("apiVersion", "v1");
        status.add("metadata", new JsonObject());
        status.addProperty("status", "Failure");
        status.addProperty("message", message);
        status.addProperty("reason", reason);
        status.addProperty("code", code);
        return status;
    }

    private static void sendStatus(HttpExchange exchange, int code, String reason, String message) throws IOException {
        send(exchange, code, status(code, reason, message).toString());
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }
}
