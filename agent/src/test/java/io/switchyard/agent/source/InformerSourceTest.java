package io.switchyard.agent.source;

import io.switchyard.agent.bench.SimulatedApiServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.ClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.switchyard.agent.bench.SimulatedApiServer.ENDPOINT_SLICES;
import static io.switchyard.agent.bench.SimulatedApiServer.NODES;
import static io.switchyard.agent.bench.SimulatedApiServer.SERVICES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link InformerSource} against {@link SimulatedApiServer} over real HTTP: lists, watches, selectors, outages. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InformerSourceTest {

    private static final String NODE = "node-a";
    private static final String PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    private static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    private static final long DEADLINE_SECONDS = 20;
    private static final List<String> ALL = List.of(SERVICES, ENDPOINT_SLICES, NODES);

    private SimulatedApiServer server;
    private Recorder recorder;
    private InformerSource source;

    @BeforeEach
    void setUp() throws IOException {
        server = new SimulatedApiServer();
        recorder = new Recorder();
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        server.stop();
        assertThat(recorder.overlaps.get()).as("handler calls that overlapped").isZero();
    }

    @Test
    void initialListIsDeliveredThenEachSyncedCallbackFiresOnce() {
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));
        server.upsert(service("kube-system", "dns", Map.of(), "10.96.0.53"));
        server.upsert(slice("default", "web-1", "web", Map.of(), "10.244.1.5"));
        server.upsert(slice("kube-system", "dns-1", "dns", Map.of(), "10.244.2.7"));
        server.upsert(node(NODE, Map.of("topology.kubernetes.io/zone", "z1")));
        server.upsert(node("node-b", Map.of()));

        start("");
        awaitSynced();

        assertThat(recorder.serviceKeys()).containsExactly("default/web", "kube-system/dns");
        assertThat(recorder.sliceKeys()).containsExactly("default/web-1", "kube-system/dns-1");
        assertThat(recorder.nodeKeys()).containsExactly(NODE);
        assertThat(recorder.service("default/web").getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        assertThat(recorder.node(NODE).getMetadata().getLabels()).containsEntry("topology.kubernetes.io/zone", "z1");
        // Every initial object reached the handler before its synced callback.
        assertThat(recorder.atSynced).containsEntry("Service", List.of("default/web", "kube-system/dns"))
                .containsEntry("EndpointSlice", List.of("default/web-1", "kube-system/dns-1"))
                .containsEntry("Node", List.of(NODE));

        // Requests carried kube-proxy's selectors (one for Services and EndpointSlices), and
        // watches asked for bookmarks.
        for (String resource : List.of(SERVICES, ENDPOINT_SLICES)) {
            assertThat(server.queries(resource)).isNotEmpty().allSatisfy(q -> assertThat(terms(q.get("labelSelector")))
                    .containsExactlyInAnyOrder("!" + PROXY_NAME_LABEL, "!" + HEADLESS_LABEL));
        }
        assertThat(server.queries(NODES)).isNotEmpty().allSatisfy(q ->
                assertThat(q).containsEntry("fieldSelector", "metadata.name=" + NODE));
        await("a watch on each resource", () -> ALL.stream().allMatch(r -> server.watches(r) >= 1));
        for (String resource : ALL) {
            assertThat(server.queries(resource)).filteredOn(q -> "true".equals(q.get("watch")))
                    .allSatisfy(q -> assertThat(q).containsEntry("allowWatchBookmarks", "true")).isNotEmpty();
        }

        // Later changes do not repeat the synced callbacks.
        server.upsert(service("default", "later", Map.of(), "10.96.0.11"));
        server.upsert(slice("default", "later-1", "later", Map.of(), "10.244.1.6"));
        await("the later objects", () -> recorder.serviceKeys().contains("default/later")
                && recorder.sliceKeys().contains("default/later-1"));
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
    }

    @Test
    void syncedWaitsUntilASlowHandlerHasTheWholeInitialList() {
        for (int i = 0; i < 12; i++) {
            server.upsert(service("default", "svc-" + i, Map.of(), "10.96.1." + i));
        }
        recorder.addDelayMillis = 25;

        start("");
        awaitSynced();

        assertThat(recorder.atSynced.get("Service")).hasSize(12);
        assertThat(recorder.events).filteredOn(e -> e.endsWith("Service") || e.contains(" Service "))
                .last().isEqualTo("SYNCED Service");
    }

    @Test
    void emptyClusterStillSignalsSynced() {
        start("");
        awaitSynced();

        assertThat(recorder.events).containsExactlyInAnyOrder("SYNCED Service", "SYNCED EndpointSlice", "SYNCED Node");
    }

    @Test
    void changesAfterSyncReachTheHandlers() {
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));
        server.upsert(slice("default", "web-1", "web", Map.of(), "10.244.1.5"));
        server.upsert(node(NODE, Map.of()));
        start("");
        awaitSynced();
        int logged = recorder.events.size();

        server.upsert(service("default", "api", Map.of(), "10.96.0.20"));
        await("added Service", () -> recorder.events.contains("ADD Service default/api"));

        server.upsert(service("default", "web", Map.of(), "10.96.0.99"));
        await("updated Service", () -> recorder.events.contains("UPDATE Service default/web"));
        assertThat(recorder.service("default/web").getSpec().getClusterIP()).isEqualTo("10.96.0.99");
        KubernetesObject[] update = recorder.lastUpdate.get("Service");
        assertThat(((V1Service) update[0]).getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        assertThat(((V1Service) update[1]).getSpec().getClusterIP()).isEqualTo("10.96.0.99");

        server.delete(service("default", "api", Map.of(), null));
        await("deleted Service", () -> recorder.events.contains("DELETE Service default/api"));
        assertThat(recorder.serviceKeys()).containsExactly("default/web");

        server.upsert(slice("default", "web-1", "web", Map.of(), "10.244.1.5", "10.244.1.6"));
        server.upsert(node(NODE, Map.of("topology.kubernetes.io/zone", "z2")));
        server.delete(slice("default", "web-1", "web", Map.of()));
        await("slice and node changes", () -> recorder.events.contains("DELETE EndpointSlice default/web-1")
                && recorder.events.contains("UPDATE Node node-a"));
        assertThat(recorder.node(NODE).getMetadata().getLabels()).containsEntry("topology.kubernetes.io/zone", "z2");

        List<String> after = recorder.events.subList(logged, recorder.events.size());
        assertThat(after.subList(0, 3)).containsExactly(
                "ADD Service default/api", "UPDATE Service default/web", "DELETE Service default/api");
        assertThat(after.subList(3, after.size())).containsExactlyInAnyOrder(
                "UPDATE EndpointSlice default/web-1", "UPDATE Node node-a", "DELETE EndpointSlice default/web-1");
        assertThat(after.indexOf("UPDATE EndpointSlice default/web-1"))
                .isLessThan(after.indexOf("DELETE EndpointSlice default/web-1"));
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
    }

    @Test
    void defaultProxySkipsOtherProxiesHeadlessSlicesAndOtherNodes() {
        server.upsert(service("default", "plain", Map.of(), "10.96.0.10"));
        server.upsert(service("default", "theirs", Map.of(PROXY_NAME_LABEL, "other"), "10.96.0.11"));
        server.upsert(slice("default", "plain-1", "plain", Map.of(), "10.244.1.5"));
        server.upsert(slice("default", "theirs-1", "theirs", Map.of(PROXY_NAME_LABEL, "other"), "10.244.1.6"));
        server.upsert(slice("default", "headless-1", "headless", Map.of(HEADLESS_LABEL, ""), "10.244.1.7"));
        server.upsert(node(NODE, Map.of()));
        server.upsert(node("node-b", Map.of()));

        start("");
        awaitSynced();
        assertThat(recorder.serviceKeys()).containsExactly("default/plain");
        assertThat(recorder.sliceKeys()).containsExactly("default/plain-1");
        assertThat(recorder.nodeKeys()).containsExactly(NODE);

        // Changes to what is not ours stay invisible; markers prove the watches are live.
        server.upsert(service("default", "theirs", Map.of(PROXY_NAME_LABEL, "other"), "10.96.0.12"));
        server.upsert(slice("default", "headless-2", "headless", Map.of(HEADLESS_LABEL, ""), "10.244.1.8"));
        server.upsert(node("node-b", Map.of("changed", "yes")));
        server.upsert(service("default", "marker", Map.of(), "10.96.0.13"));
        server.upsert(slice("default", "marker-1", "marker", Map.of(), "10.244.1.9"));
        server.upsert(node(NODE, Map.of("marker", "yes")));
        await("markers", () -> recorder.events.containsAll(List.of("ADD Service default/marker",
                "ADD EndpointSlice default/marker-1", "UPDATE Node node-a")));
        assertThat(recorder.events).noneMatch(e -> e.contains("theirs") || e.contains("headless") || e.contains("node-b"));

        // A Service handed to another proxy leaves ours, as the API server reports it to a selecting watch.
        server.upsert(service("default", "plain", Map.of(PROXY_NAME_LABEL, "other"), "10.96.0.10"));
        await("handed-over Service deleted", () -> recorder.events.contains("DELETE Service default/plain"));
        assertThat(recorder.serviceKeys()).containsExactly("default/marker");
    }

    @Test
    void namedProxySeesOnlyItsOwnServicesAndSlices() {
        server.upsert(service("default", "mine", Map.of(PROXY_NAME_LABEL, "mine"), "10.96.0.10"));
        server.upsert(service("default", "theirs", Map.of(PROXY_NAME_LABEL, "other"), "10.96.0.11"));
        server.upsert(service("default", "default-proxy", Map.of(), "10.96.0.12"));
        server.upsert(slice("default", "mine-1", "mine", Map.of(PROXY_NAME_LABEL, "mine"), "10.244.1.5"));
        server.upsert(slice("default", "mine-headless", "mine-h", Map.of(PROXY_NAME_LABEL, "mine", HEADLESS_LABEL, ""),
                "10.244.1.6"));
        server.upsert(slice("default", "default-proxy-1", "default-proxy", Map.of(), "10.244.1.7"));
        server.upsert(node(NODE, Map.of()));

        start("mine");
        awaitSynced();

        assertThat(recorder.serviceKeys()).containsExactly("default/mine");
        assertThat(recorder.sliceKeys()).containsExactly("default/mine-1");
        for (String resource : List.of(SERVICES, ENDPOINT_SLICES)) {
            assertThat(server.queries(resource)).isNotEmpty().allSatisfy(q -> assertThat(terms(q.get("labelSelector")))
                    .containsExactlyInAnyOrder(PROXY_NAME_LABEL + "=mine", "!" + HEADLESS_LABEL));
        }

        server.upsert(service("default", "default-proxy", Map.of(), "10.96.0.13"));
        server.upsert(service("default", "mine-too", Map.of(PROXY_NAME_LABEL, "mine"), "10.96.0.14"));
        await("new Service of ours", () -> recorder.events.contains("ADD Service default/mine-too"));
        assertThat(recorder.events).noneMatch(e -> e.contains("theirs") || e.contains("default-proxy")
                || e.contains("headless"));
    }

    @Test
    void droppedWatchesReconnectAndCatchUp() {
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));
        server.upsert(node(NODE, Map.of()));
        start("");
        awaitSynced();
        await("a watch on each resource", () -> ALL.stream().allMatch(r -> server.watches(r) >= 1));
        Map<String, Integer> listsBefore = counts(server::lists);
        Map<String, Integer> watchesBefore = counts(server::watches);

        server.dropWatches();
        server.upsert(service("default", "web", Map.of(), "10.96.0.99"));
        server.upsert(service("default", "api", Map.of(), "10.96.0.20"));

        await("changes made around the drop", () -> recorder.serviceKeys().contains("default/api")
                && "10.96.0.99".equals(recorder.service("default/web").getSpec().getClusterIP()));
        await("new watches", () -> ALL.stream().allMatch(r -> server.watches(r) > watchesBefore.get(r)));
        // A broken stream may have lost events: client-java relists rather than resuming.
        assertThat(ALL).allSatisfy(r -> assertThat(server.lists(r)).as("lists of %s", r).isGreaterThan(listsBefore.get(r)));

        // The new watch streams are live.
        server.upsert(service("default", "after", Map.of(), "10.96.0.30"));
        server.upsert(slice("default", "after-1", "after", Map.of(), "10.244.1.30"));
        server.upsert(node(NODE, Map.of("after", "yes")));
        await("changes after reconnecting", () -> recorder.events.containsAll(List.of("ADD Service default/after",
                "ADD EndpointSlice default/after-1", "UPDATE Node node-a")));
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
    }

    @Test
    void expiredWatchRelistsAndConvergesIncludingMissedDeletes() {
        server.upsert(service("default", "gone", Map.of(), "10.96.0.10"));
        server.upsert(service("default", "stays", Map.of(), "10.96.0.11"));
        server.upsert(slice("default", "gone-1", "gone", Map.of(), "10.244.1.5"));
        server.upsert(node(NODE, Map.of()));
        start("");
        awaitSynced();
        await("a watch on each resource", () -> ALL.stream().allMatch(r -> server.watches(r) >= 1));
        Map<String, Integer> listsBefore = counts(server::lists);
        Map<String, Integer> watchesBefore = counts(server::watches);
        int logged = recorder.events.size();

        // The watches end; their renewals are parked while the cluster moves on and compacts.
        server.holdWatches();
        server.endWatches();
        await("parked watch renewals", () -> ALL.stream().allMatch(r -> server.held(r) == 1));
        server.delete(service("default", "gone", Map.of(), null));
        server.upsert(service("default", "new", Map.of(), "10.96.0.12"));
        server.delete(slice("default", "gone-1", "gone", Map.of()));
        server.compact();
        assertThat(recorder.serviceKeys()).as("state kept while away").containsExactly("default/gone", "default/stays");
        assertThat(recorder.sliceKeys()).containsExactly("default/gone-1");

        server.releaseWatches();
        await("410, relist and a new watch for each resource",
                () -> ALL.stream().allMatch(r -> server.watches(r) == watchesBefore.get(r) + 2));
        await("converged", () -> recorder.serviceKeys().equals(List.of("default/new", "default/stays"))
                && recorder.sliceKeys().isEmpty());

        for (String resource : ALL) {
            assertThat(server.expired(resource)).as("410s for %s", resource).isEqualTo(1);
            assertThat(server.lists(resource)).as("lists of %s", resource).isEqualTo(listsBefore.get(resource) + 1);
        }
        // Deletes seen only by the relist arrive as deletes; unchanged objects bring no updates.
        assertThat(recorder.events.subList(logged, recorder.events.size())).containsExactlyInAnyOrder(
                "DELETE Service default/gone", "ADD Service default/new", "DELETE EndpointSlice default/gone-1");
        assertThat(recorder.nodeKeys()).containsExactly(NODE);
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
    }

    @Test
    void bookmarksBringNoEventsAndKeepResumedWatchesFresh() {
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));
        server.upsert(slice("default", "web-1", "web", Map.of(), "10.244.1.5"));
        server.upsert(node(NODE, Map.of()));
        start("");
        awaitSynced();
        await("a watch on each resource", () -> ALL.stream().allMatch(r -> server.watches(r) >= 1));
        Map<String, Integer> listsBefore = counts(server::lists);
        Map<String, Integer> watchesBefore = counts(server::watches);
        int logged = recorder.events.size();

        // The cluster moves on elsewhere; bookmarks carry the new version to every watch, so
        // resuming after compaction and a watch timeout is not 410 Gone.
        server.upsert(node("node-b", Map.of()));
        server.sendBookmarks();
        server.compact();
        server.endWatches();
        await("resumed watches", () -> ALL.stream().allMatch(r -> server.watches(r) == watchesBefore.get(r) + 1));
        for (String resource : ALL) {
            assertThat(server.expired(resource)).as("410s for %s", resource).isZero();
            assertThat(server.lists(resource)).as("lists of %s", resource).isEqualTo(listsBefore.get(resource));
        }

        server.upsert(service("default", "marker", Map.of(), "10.96.0.13"));
        server.upsert(slice("default", "marker-1", "marker", Map.of(), "10.244.1.9"));
        server.upsert(node(NODE, Map.of("marker", "yes")));
        await("markers", () -> recorder.events.size() >= logged + 3);
        assertThat(recorder.events.subList(logged, recorder.events.size())).containsExactlyInAnyOrder(
                "ADD Service default/marker", "ADD EndpointSlice default/marker-1", "UPDATE Node node-a");
    }

    @Test
    void serverAwayKeepsTheLastStateAndReconnectsWhenBack() throws IOException {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(InformerSource.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            server.upsert(service("default", "gone", Map.of(), "10.96.0.10"));
            server.upsert(service("default", "stays", Map.of(), "10.96.0.11"));
            server.upsert(node(NODE, Map.of()));
            start("");
            awaitSynced();

            server.goAway();
            await("a failed attempt to reach the server", () -> warnings.stream()
                    .anyMatch(r -> r.getMessage().contains("Service")));
            server.delete(service("default", "gone", Map.of(), null));
            server.upsert(service("default", "new", Map.of(), "10.96.0.12"));
            assertThat(recorder.serviceKeys()).as("state kept while away").containsExactly("default/gone", "default/stays");
            assertThat(recorder.nodeKeys()).containsExactly(NODE);

            server.comeBack();
            await("converged after the server came back",
                    () -> recorder.serviceKeys().equals(List.of("default/new", "default/stays")));
            assertThat(recorder.nodeKeys()).containsExactly(NODE);
            assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void closeStopsTheInformersThreads() {
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));
        start("");
        awaitSynced();
        assertThat(informerThreads()).isNotEmpty();

        source.close();
        source.close();

        await("informer threads gone", () -> informerThreads().isEmpty());
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeAbandonsRequestsTheServerHasNotAnswered() {
        start("");
        awaitSynced();
        server.holdWatches();
        server.endWatches();
        await("parked watch renewals", () -> ALL.stream().allMatch(r -> server.held(r) == 1));

        source.close();

        await("informer threads gone", () -> informerThreads().isEmpty());
    }

    @Test
    void startsOnlyOnce() {
        start("");
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void apiClientFromKubeconfigTalksToItsServer(@TempDir Path dir) throws IOException {
        Path kubeconfig = writeKubeconfig(dir, server.url());
        server.upsert(service("default", "web", Map.of(), "10.96.0.10"));

        ApiClient client = ApiClients.create(kubeconfig.toString(), null);

        assertThat(client.getBasePath()).isEqualTo(server.url());
        assertThat(client.getReadTimeout()).isZero();
        source = new InformerSource(client, NODE, "", recorder, recorder, recorder);
        source.start();
        awaitSynced();
        assertThat(recorder.serviceKeys()).containsExactly("default/web");
    }

    @Test
    void masterOverridesTheKubeconfigServer(@TempDir Path dir) throws IOException {
        Path kubeconfig = writeKubeconfig(dir, "http://127.0.0.1:9");

        ApiClient client = ApiClients.create(kubeconfig.toString(), server.url() + "/");

        assertThat(client.getBasePath()).isEqualTo(server.url());
        assertThat(client.getReadTimeout()).isZero();
        source = new InformerSource(client, NODE, "", recorder, recorder, recorder);
        source.start();
        awaitSynced();
    }

    @Test
    void masterAloneIsEnough() throws IOException {
        ApiClient client = ApiClients.create(null, server.url());

        assertThat(client.getBasePath()).isEqualTo(server.url());
        assertThat(client.getReadTimeout()).isZero();
    }

    @Test
    void withoutKubeconfigOutsideAPodAsksForOne() {
        assumeTrue(System.getenv("KUBERNETES_SERVICE_HOST") == null, "not running in a pod");

        assertThatThrownBy(() -> ApiClients.create(null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--kubeconfig");
        assertThatThrownBy(() -> ApiClients.create("", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--kubeconfig");
    }

    // --- helpers ---

    private void start(String serviceProxyName) {
        ApiClient client = new ClientBuilder().setBasePath(server.url()).build();
        source = new InformerSource(client, NODE, serviceProxyName, recorder, recorder, recorder);
        source.start();
    }

    private void awaitSynced() {
        await("all three synced callbacks", () -> recorder.syncedCounts().equals(List.of(1, 1, 1)));
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + DEADLINE_SECONDS + " s waiting for " + what + "; handler saw " + recorder.events + " threads " + informerThreads());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** The terms of a selector, whose order does not matter. */
    private static List<String> terms(String selector) {
        return selector == null ? List.of() : List.of(selector.split(","));
    }

    private static Map<String, Integer> counts(ToIntFunction<String> counter) {
        Map<String, Integer> counts = new HashMap<>();
        ALL.forEach(r -> counts.put(r, counter.applyAsInt(r)));
        return counts;
    }

    private static List<String> informerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.equals("informer-sync") || n.startsWith("informer-controller-V1")
                        || n.startsWith("controller-reflector-io.kubernetes.client.openapi.models.V1"))
                .toList();
    }

    private static Path writeKubeconfig(Path dir, String server) throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: nobody
                current-context: fake
                users:
                - name: nobody
                  user: {}
                """.formatted(server));
    }

    private static V1Service service(String namespace, String name, Map<String, String> labels, String clusterIP) {
        return new V1Service().metadata(new V1ObjectMeta().namespace(namespace).name(name).labels(labels))
                .spec(new V1ServiceSpec().clusterIP(clusterIP).type("ClusterIP")
                        .ports(List.of(new V1ServicePort().name("http").protocol("TCP").port(80))));
    }

    private static V1EndpointSlice slice(String namespace, String name, String service, Map<String, String> labels,
                                         String... addresses) {
        Map<String, String> all = new TreeMap<>(labels);
        all.put("kubernetes.io/service-name", service);
        List<V1Endpoint> endpoints = new ArrayList<>();
        for (String address : addresses) {
            endpoints.add(new V1Endpoint().addresses(List.of(address)));
        }
        return new V1EndpointSlice().metadata(new V1ObjectMeta().namespace(namespace).name(name).labels(all))
                .addressType("IPv4").endpoints(endpoints);
    }

    private static V1Node node(String name, Map<String, String> labels) {
        return new V1Node().metadata(new V1ObjectMeta().name(name).labels(labels));
    }
}
