package io.switchyard.agent.source;

import io.switchyard.agent.bench.SimulatedApiServer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.ClientBuilder;
import io.switchyard.agent.decode.FullObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.switchyard.agent.bench.SimulatedApiServer.ENDPOINT_SLICES;
import static io.switchyard.agent.bench.SimulatedApiServer.NODES;
import static io.switchyard.agent.bench.SimulatedApiServer.SERVICES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link InformerSource} over real HTTP against an API server newer than client-java's models:
 * the recorded objects of {@code src/test/resources/decode} (fields from a future version at
 * every level), in lists with future fields in the list and its metadata, and in watch events
 * with future fields in the envelope, bookmarks and error statuses. Also: objects whose used
 * fields have the wrong type are skipped one by one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NewerApiServerTest {

    private static final String NODE = "node-a";
    private static final long DEADLINE_SECONDS = 20;
    private static final List<String> ALL = List.of(SERVICES, ENDPOINT_SLICES, NODES);

    private SimulatedApiServer server;
    private Recorder recorder;
    private InformerSource source;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        server = new SimulatedApiServer();
        server.answerAsANewerVersion();
        recorder = new Recorder();
        Logger.getLogger(InformerSource.class.getName()).addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger(InformerSource.class.getName()).removeHandler(capture);
        if (source != null) {
            source.close();
        }
        server.stop();
        assertThat(recorder.overlaps.get()).as("handler calls that overlapped").isZero();
    }

    @Test
    void listedObjectsReachTheHandlersWithEveryFieldTheProxyUses() {
        server.upsertJson(fixture("service.json"));
        server.upsertJson(fixture("endpointslice.json"));
        server.upsertJson(fixture("node.json"));

        start();
        awaitSynced();

        assertThat(recorder.serviceKeys()).containsExactly("demo/web");
        assertThat(recorder.sliceKeys()).containsExactly("demo/web-x7k2p");
        assertThat(recorder.nodeKeys()).containsExactly(NODE);
        assertSameApartFromVersion(recorder.service("demo/web"), FullObjects.service());
        assertSameApartFromVersion(recorder.slice("demo/web-x7k2p"), FullObjects.slice());
        assertSameApartFromVersion(recorder.node(NODE), FullObjects.node());
        assertThat(warnings).isEmpty();
    }

    @Test
    void watchEventsOfEveryTypeAreUnderstood() {
        JsonObject service = fixture("service.json");
        server.upsertJson(service);
        server.upsertJson(fixture("endpointslice.json"));
        server.upsertJson(fixture("node.json"));
        start();
        awaitSynced();
        await("a watch on each resource", () -> ALL.stream().allMatch(r -> server.watches(r) >= 1));
        Map<String, Integer> lists = Map.of(SERVICES, server.lists(SERVICES), ENDPOINT_SLICES,
                server.lists(ENDPOINT_SLICES), NODES, server.lists(NODES));
        int logged = recorder.events.size();

        // MODIFIED, ADDED, DELETED
        server.upsertJson(with(service, "spec", "clusterIP", "10.96.0.99"));
        server.upsertJson(with(service, "metadata", "name", "api"));
        await("added and updated", () -> recorder.events.containsAll(
                List.of("UPDATE Service demo/web", "ADD Service demo/api")));
        assertThat(recorder.service("demo/web").getSpec().getClusterIP()).isEqualTo("10.96.0.99");
        assertThat(recorder.service("demo/web").getSpec().getPorts()).extracting(p -> p.getPort())
                .containsExactly(80, 9100);
        server.delete(new V1Service().metadata(new V1ObjectMeta().namespace("demo").name("api")));
        JsonObject slice = fixture("endpointslice.json");
        slice.getAsJsonArray("endpoints").get(0).getAsJsonObject().add("addresses", json("[\"10.244.1.6\"]"));
        server.upsertJson(slice);
        JsonObject node = fixture("node.json");
        node.getAsJsonObject("metadata").getAsJsonObject("labels").addProperty("topology.kubernetes.io/zone", "zone-b");
        server.upsertJson(node);
        await("deleted and updated", () -> recorder.events.containsAll(List.of("DELETE Service demo/api",
                "UPDATE EndpointSlice demo/web-x7k2p", "UPDATE Node node-a")));
        assertThat(recorder.slice("demo/web-x7k2p").getEndpoints().getFirst().getAddresses())
                .containsExactly("10.244.1.6");
        assertThat(recorder.node(NODE).getMetadata().getLabels()).containsEntry("topology.kubernetes.io/zone", "zone-b");

        // BOOKMARK: resuming after compaction is not 410 Gone, so the bookmarks' versions were taken.
        Map<String, Integer> watches = Map.of(SERVICES, server.watches(SERVICES), ENDPOINT_SLICES,
                server.watches(ENDPOINT_SLICES), NODES, server.watches(NODES));
        server.upsertJson(with(fixture("node.json"), "metadata", "name", "node-b"));
        server.sendBookmarks();
        server.compact();
        server.endWatches();
        await("resumed watches", () -> ALL.stream().allMatch(r -> server.watches(r) == watches.get(r) + 1));
        for (String resource : ALL) {
            assertThat(server.expired(resource)).as("410s for %s", resource).isZero();
            assertThat(server.lists(resource)).as("lists of %s", resource).isEqualTo(lists.get(resource));
        }

        // ERROR: a 410 status with future fields still makes the informers relist.
        server.holdWatches();
        server.endWatches();
        await("parked watch renewals", () -> ALL.stream().allMatch(r -> server.held(r) == 1));
        server.upsertJson(with(service, "spec", "clusterIP", "10.96.0.77"));
        server.compact();
        server.releaseWatches();
        await("relisted after 410", () -> ALL.stream().allMatch(r -> server.lists(r) == lists.get(r) + 1)
                && "10.96.0.77".equals(recorder.service("demo/web").getSpec().getClusterIP()));
        assertThat(ALL).allSatisfy(r -> assertThat(server.expired(r)).isEqualTo(1));
        assertThat(recorder.events.subList(logged, recorder.events.size())).doesNotContain("DELETE Service demo/web");
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
        assertThat(warnings).noneMatch(w -> w.contains("cannot be read"));
    }

    @Test
    void aListedServiceThatCannotBeReadIsSkippedAndTheOthersAreDelivered() {
        JsonObject good = fixture("service.json");
        server.upsertJson(good);
        server.upsertJson(with(with(good, "metadata", "name", "bad"), "spec", "ports", "eighty"));
        server.upsertJson(with(good, "metadata", "name", "other"));

        start();
        awaitSynced();

        assertThat(recorder.serviceKeys()).containsExactly("demo/other", "demo/web");
        assertThat(warnings).contains("Skipping Service demo/bad from the API server: "
                + "spec.ports: expected a list, found the string \"eighty\"");
    }

    @Test
    void aWatchedObjectThatCannotBeReadIsTreatedAsDeletedUntilItCanBeReadAgain() {
        JsonObject good = fixture("service.json");
        server.upsertJson(good);
        server.upsertJson(with(good, "metadata", "name", "other"));
        start();
        awaitSynced();

        JsonObject bad = good.deepCopy();
        bad.getAsJsonObject("spec").getAsJsonArray("ports").get(0).getAsJsonObject().addProperty("port", "eighty");
        server.upsertJson(bad);
        await("the unreadable Service deleted", () -> recorder.events.contains("DELETE Service demo/web"));
        assertThat(recorder.serviceKeys()).containsExactly("demo/other");
        assertThat(warnings).contains("Treating Service demo/web as deleted: it cannot be read: "
                + "spec.ports[0].port: expected an integer, found the string \"eighty\"");

        server.upsertJson(good);
        await("the Service back", () -> recorder.serviceKeys().equals(List.of("demo/other", "demo/web")));
        assertThat(recorder.events).endsWith("DELETE Service demo/web", "ADD Service demo/web");
    }

    @Test
    void aWatchedObjectWithUnreadableMetadataMakesTheInformerRelistWithoutIt() {
        JsonObject good = fixture("service.json");
        server.upsertJson(good);
        start();
        awaitSynced();
        await("a watch", () -> server.watches(SERVICES) >= 1);
        int lists = server.lists(SERVICES);

        // The trigger-time annotation is metadata the proxy reads: without usable metadata the
        // object cannot even stand for its own deletion, so the watch fails and the informer relists.
        JsonObject broken = with(good, "metadata", "name", "broken");
        broken.getAsJsonObject("metadata").add("annotations", json("{\"endpoints.kubernetes.io/last-change-trigger-time\": 1}"));
        server.upsertJson(broken);
        server.upsertJson(with(good, "metadata", "name", "after"));

        await("relisted, and the next Service delivered", () -> server.lists(SERVICES) > lists
                && recorder.serviceKeys().contains("demo/after"));
        assertThat(recorder.serviceKeys()).doesNotContain("demo/broken");
        assertThat(warnings).anyMatch(w -> w.contains("Skipping Service demo/broken from the API server: "
                + "metadata.annotations.endpoints.kubernetes.io/last-change-trigger-time: expected a string"));
    }

    // --- helpers ---

    private void start() {
        source = new InformerSource(new ClientBuilder().setBasePath(server.url()).build(), NODE, "", recorder,
                recorder, recorder);
        source.start();
    }

    private void awaitSynced() {
        await("all three synced callbacks", () -> recorder.syncedCounts().equals(List.of(1, 1, 1)));
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + DEADLINE_SECONDS + " s waiting for " + what + "; handler saw "
                        + recorder.events + "; warnings " + warnings);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** The handler's object is the expected one, but for the resourceVersion the fake server stamps. */
    private static void assertSameApartFromVersion(KubernetesObject actual, KubernetesObject expected) {
        assertThat(actual).usingRecursiveComparison().ignoringFields("metadata.resourceVersion").isEqualTo(expected);
    }

    private static JsonObject fixture(String name) {
        try (InputStream in = NewerApiServerTest.class.getResourceAsStream("/decode/" + name)) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A copy with {@code object.field} set to a string. */
    private static JsonObject with(JsonObject json, String object, String field, String value) {
        JsonObject copy = json.deepCopy();
        copy.getAsJsonObject(object).addProperty(field, value);
        return copy;
    }

    private static JsonElement json(String text) {
        return JsonParser.parseString(text);
    }
}
