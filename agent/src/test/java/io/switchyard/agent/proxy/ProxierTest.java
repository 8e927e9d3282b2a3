package io.switchyard.agent.proxy;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.port;
import static io.switchyard.agent.convert.KubeObjects.service;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static io.switchyard.agent.convert.KubeObjects.slicePort;
import static org.assertj.core.api.Assertions.assertThat;

/** The shared proxy core against a fake dataplane: when it syncs, full or partial, and what it reports. */
class ProxierTest {

    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName API = new ServicePortName("demo", "api", "http", Protocol.TCP);

    /** Records every request; fails while {@link #failing} is set. */
    static final class FakeDataplane implements Dataplane {
        final List<SyncRequest> requests = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        volatile DriftCheck drift = DriftCheck.NONE;

        @Override
        public IpFamily family() {
            return IpFamily.IPV4;
        }

        @Override
        public SyncOutcome sync(SyncRequest request) {
            requests.add(request);
            return failing ? new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "kernel said no")
                    : new SyncOutcome.Applied(request instanceof SyncRequest.Full, 0, 0, Map.of("nat", 7), Map.of(), Map.of("numNATRules", 7));
        }

        @Override
        public DriftCheck checkDrift() {
            return drift;
        }
    }

    /** Records what the core tells the outside. */
    static final class Recorder implements SyncListener {
        final List<SyncReport> reports = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<DriftCheck> drifts = new CopyOnWriteArrayList<>();

        @Override
        public void driftDetected(IpFamily family, DriftCheck check) {
            drifts.add(check);
        }

        @Override
        public void eventRecorded(IpFamily family, Kind kind, boolean changed, int pending) {
            events.add(kind + " changed=" + changed + " pending=" + pending);
        }

        @Override
        public void syncQueued(IpFamily family) {
            events.add("queued");
        }

        @Override
        public void syncCompleted(SyncReport report) {
            reports.add(report);
        }
    }

    private final FakeDataplane dataplane = new FakeDataplane();
    private final Recorder recorder = new Recorder();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Proxier proxier = new Proxier(dataplane, "node-a", Duration.ofMillis(300), Duration.ZERO,
            List.of(recorder), now::get);

    @AfterEach
    void close() {
        proxier.close();
    }

    private static V1Service web() {
        return service("demo", "web", "10.96.0.10", port("http", 80));
    }

    private static V1Service api() {
        return service("demo", "api", "10.96.0.11", port("http", 80));
    }

    private void initialise() {
        proxier.onServiceAdd(web());
        proxier.onServiceAdd(api());
        proxier.onEndpointSliceAdd(slice("demo", "web-1", "web", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.1", "node-a")));
        proxier.onServicesSynced();
        proxier.onEndpointSlicesSynced();
    }

    @Test
    void nothingIsProgrammedBeforeServicesAndSlicesAreListed() {
        proxier.onServiceAdd(web());
        proxier.onServicesSynced();

        assertThat(proxier.syncProxyRules()).isTrue();

        assertThat(dataplane.requests).isEmpty();
        assertThat(recorder.reports).isEmpty();
    }

    @Test
    void firstSyncIsFullThenOnlyChangedPortsArePartial() {
        initialise();
        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Full.class);
        assertThat(dataplane.requests.getLast().state().services()).containsOnlyKeys(WEB, API);

        proxier.onEndpointSliceAdd(slice("demo", "api-1", "api", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.2.1", "node-b")));
        assertThat(proxier.syncProxyRules()).isTrue();

        SyncRequest second = dataplane.requests.getLast();
        assertThat(second).isInstanceOfSatisfying(SyncRequest.Partial.class,
                p -> assertThat(p.changedPorts()).containsExactly(API));
        SyncReport report = recorder.reports.getLast();
        assertThat(report.full()).isFalse();
        assertThat(report.changedServices()).isEqualTo(1);
        assertThat(report.endpointEvents()).isEqualTo(1);
        assertThat(report.endpoints()).isEqualTo(2);
        assertThat(report.iptablesRules("nat")).isEqualTo(7);
    }

    @Test
    void aFailedSyncIsReportedAndTheNextOneIsFull() {
        initialise();
        proxier.syncProxyRules();
        proxier.onServiceDelete(api());
        dataplane.failing = true;

        assertThat(proxier.syncProxyRules()).isFalse();
        assertThat(recorder.reports.getLast().success()).isFalse();
        assertThat(recorder.reports.getLast().outcome()).isInstanceOf(SyncOutcome.Failed.class);

        dataplane.failing = false;
        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Full.class);
        assertThat(dataplane.requests.getLast().state().services()).containsOnlyKeys(WEB);
    }

    @Test
    void aNodeChangeMakesTheNextSyncFull() {
        initialise();
        proxier.syncProxyRules();
        proxier.syncProxyRules();
        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Partial.class);

        proxier.onNodeAdd(new V1Node().metadata(new V1ObjectMeta().name("node-a")
                .labels(Map.of("topology.kubernetes.io/zone", "zone-b"))));
        proxier.onNodeAdd(new V1Node().metadata(new V1ObjectMeta().name("node-b")
                .labels(Map.of("topology.kubernetes.io/zone", "zone-c"))));
        proxier.syncProxyRules();

        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Full.class);
        assertThat(dataplane.requests.getLast().node().zone()).as("another node's object is ignored").isEqualTo("zone-b");
    }

    @Test
    void aFullSyncIsForcedHourly() {
        initialise();
        proxier.syncProxyRules();
        now.set(now.get().plus(Duration.ofMinutes(59)));
        proxier.syncProxyRules();
        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Partial.class);

        now.set(now.get().plus(Duration.ofMinutes(2)));
        proxier.syncProxyRules();
        assertThat(dataplane.requests.getLast()).isInstanceOf(SyncRequest.Full.class);
    }

    @Test
    void listenersHearOfEventsQueuedSyncsAndHealthCheckPorts() {
        V1Service lb = service("demo", "lb", "10.96.0.12", port("http", 80));
        lb.getSpec().type("LoadBalancer").externalTrafficPolicy("Local").healthCheckNodePort(32000);
        lb.getSpec().getPorts().getFirst().nodePort(31000);
        initialise();
        proxier.onServiceAdd(lb);
        proxier.onEndpointSliceAdd(slice("demo", "lb-1", "lb", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.5", "node-a"), endpoint("10.244.2.5", "node-b")));
        proxier.syncProxyRules();
        proxier.onServiceAdd(lb);

        assertThat(recorder.events).containsExactly("SERVICE changed=true pending=1", "SERVICE changed=true pending=2",
                "ENDPOINT_SLICE changed=true pending=2", "queued", "queued", "SERVICE changed=true pending=3", "queued",
                "ENDPOINT_SLICE changed=true pending=3", "queued", "SERVICE changed=false pending=0");
        assertThat(recorder.reports.getLast().healthChecks())
                .containsExactly(Map.entry("demo/lb", new SyncReport.HealthCheck(32000, 1)));
    }

    @Test
    void aHeldBatchIsSeenWholeByTheNextSync() throws Exception {
        initialise();
        proxier.syncProxyRules();
        recorder.events.clear();
        List<SyncRequest> seen = new ArrayList<>();
        CountDownLatch synced = new CountDownLatch(1);
        Thread syncer;
        try (Proxier.Batch batch = proxier.deferSyncs()) {
            proxier.onServiceAdd(service("demo", "new", "10.96.0.20", port("http", 80)));
            syncer = Thread.ofPlatform().start(() -> {
                proxier.syncProxyRules();
                seen.add(dataplane.requests.getLast());
                synced.countDown();
            });
            assertThat(synced.await(200, TimeUnit.MILLISECONDS)).as("a sync waits for the batch").isFalse();
            proxier.onEndpointSliceAdd(slice("demo", "new-1", "new", "IPv4", List.of(slicePort("http", 8080)),
                    endpoint("10.244.3.3", "node-a")));
            assertThat(recorder.events).as("no sync is queued during a batch").doesNotContain("queued");
        }
        syncer.join(5_000);
        ServicePortName fresh = new ServicePortName("demo", "new", "http", Protocol.TCP);
        assertThat(seen.getFirst().state().services()).containsKey(fresh);
        assertThat(seen.getFirst().state().endpointsOf(fresh)).hasSize(1);
        assertThat(recorder.events).as("the batch's end queues one sync").containsOnlyOnce("queued");
    }

    @Test
    void driftFoundBetweenSyncsAsksForASyncAndIsReported() throws Exception {
        initialise();
        proxier.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dataplane.requests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50);
        int before = dataplane.requests.size();
        dataplane.drift = new DriftCheck(List.of("KUBE-SERVICES was flushed"));
        while (recorder.drifts.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        dataplane.drift = DriftCheck.NONE;
        while (dataplane.requests.size() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(recorder.drifts).first().isEqualTo(new DriftCheck(List.of("KUBE-SERVICES was flushed")));
        assertThat(dataplane.requests.size()).as("the drift check asked for a sync before the sync period ended")
                .isGreaterThan(before);
    }
}
