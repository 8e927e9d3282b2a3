package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.switchyard.agent.source.Manifests.await;
import static io.switchyard.agent.source.Manifests.replaceAtomically;
import static io.switchyard.agent.source.Manifests.service;
import static io.switchyard.agent.source.Manifests.slice;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file source feeding a real {@link Proxier} (with a dataplane that records what each sync
 * was asked): a file's objects reach the dataplane in one sync.
 */
class FileSourceSyncTest {

    private static final ServicePortName API = new ServicePortName("demo", "api", "http", Protocol.TCP);

    @TempDir
    Path dir;

    /** Records every sync request. */
    static final class RecordingDataplane implements Dataplane {
        final List<SyncRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public IpFamily family() {
            return IpFamily.IPV4;
        }

        @Override
        public SyncOutcome sync(SyncRequest request) {
            requests.add(request);
            return new SyncOutcome.Applied(request instanceof SyncRequest.Full, 0, 0, Map.of(), Map.of(), Map.of());
        }
    }

    private final RecordingDataplane dataplane = new RecordingDataplane();
    private final Proxier proxier = new Proxier(dataplane, "node-a", Duration.ofMinutes(10), Duration.ZERO, List.of(),
            InstantSource.system());
    private final Stepping handlers = new Stepping();
    private FileSource source;

    @AfterEach
    void close() throws IOException {
        if (source != null) {
            source.close();
        }
        proxier.close();
    }

    /**
     * Hands each event to the proxier, then gives a sync the chance to run before the next
     * event (up to a second): a sync that may see part of a file's objects will.
     */
    final class Stepping implements ServiceHandler, EndpointSliceHandler, NodeHandler {

        private void step(Runnable event) {
            int before = dataplane.requests.size();
            event.run();
            await(() -> dataplane.requests.size() > before, Duration.ofSeconds(1));
        }

        @Override
        public void onServiceAdd(V1Service service) {
            step(() -> proxier.onServiceAdd(service));
        }

        @Override
        public void onServiceUpdate(V1Service oldService, V1Service service) {
            step(() -> proxier.onServiceUpdate(oldService, service));
        }

        @Override
        public void onServiceDelete(V1Service service) {
            step(() -> proxier.onServiceDelete(service));
        }

        @Override
        public void onServicesSynced() {
            proxier.onServicesSynced();
        }

        @Override
        public void onEndpointSliceAdd(V1EndpointSlice slice) {
            step(() -> proxier.onEndpointSliceAdd(slice));
        }

        @Override
        public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
            step(() -> proxier.onEndpointSliceUpdate(oldSlice, slice));
        }

        @Override
        public void onEndpointSliceDelete(V1EndpointSlice slice) {
            step(() -> proxier.onEndpointSliceDelete(slice));
        }

        @Override
        public void onEndpointSlicesSynced() {
            proxier.onEndpointSlicesSynced();
        }

        @Override
        public void onNodeAdd(V1Node node) {
            proxier.onNodeAdd(node);
        }

        @Override
        public void onNodeUpdate(V1Node oldNode, V1Node node) {
            proxier.onNodeUpdate(oldNode, node);
        }

        @Override
        public void onNodeDelete(V1Node node) {
            proxier.onNodeDelete(node);
        }

        @Override
        public void onNodeSynced() {
            proxier.onNodeSynced();
        }
    }

    private void start() throws IOException {
        proxier.start();
        source = new FileSource(dir, "node-a", new ProxySelection(""), handlers, handlers, handlers,
                () -> proxier.deferSyncs()::close);
        source.start();
        assertThat(await(() -> !dataplane.requests.isEmpty())).isTrue();
    }

    @Test
    void anAtomicReplaceReachesTheDataplaneInOneSync() throws IOException {
        Path file = dir.resolve("api.yaml");
        Files.writeString(file, service("demo", "web", "10.96.0.10", 80));
        start();
        int before = dataplane.requests.size();

        replaceAtomically(file, service("demo", "web", "10.96.0.10", 80) + service("demo", "api", "10.96.0.11", 80)
                + slice("demo", "api", "10.244.1.1", "10.244.1.2"));

        assertThat(await(() -> dataplane.requests.getLast().state().endpointsOf(API).size() == 2)).isTrue();
        List<SyncRequest> after = List.copyOf(dataplane.requests.subList(before, dataplane.requests.size()));
        assertThat(after).as("one sync saw the Service and its slice together").hasSize(1);
        assertThat(after.getFirst().state().services()).containsKey(API);
    }

    @Test
    void aNewFileWithAServiceAndItsSliceReachesTheDataplaneInOneSync() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80));
        start();
        int before = dataplane.requests.size();

        Path temporary = dir.resolve(".api.yaml.tmp");
        Files.writeString(temporary, service("demo", "api", "10.96.0.11", 80) + slice("demo", "api", "10.244.1.1"));
        Files.move(temporary, dir.resolve("api.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        assertThat(await(() -> dataplane.requests.getLast().state().endpointsOf(API).size() == 1)).isTrue();
        assertThat(List.copyOf(dataplane.requests.subList(before, dataplane.requests.size())))
                .as("one sync saw the Service and its slice together").hasSize(1);
    }
}
