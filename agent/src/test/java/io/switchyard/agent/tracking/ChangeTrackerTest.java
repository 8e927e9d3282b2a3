package io.switchyard.agent.tracking;

import io.switchyard.agent.convert.EndpointSliceConverter;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The tracker picks what a sync rewrites: it must coalesce no-op and reverted changes yet never lose a real one. */
class ChangeTrackerTest {

    private static final ServicePortName HTTP = new ServicePortName("default", "web", "http", Protocol.TCP);
    private static final ServicePortName METRICS = new ServicePortName("default", "web", "metrics", Protocol.TCP);

    private static final Instant STARTED = Instant.parse("2026-11-22T02:00:00Z");
    private final ChangeTracker tracker = new ChangeTracker(IpFamily.IPV4, STARTED);

    /** An IPv4 ClusterIP Service default/web with one TCP port per {name, port} pair. */
    private static V1Service web(Object... namesAndPorts) {
        V1ServiceSpec spec = new V1ServiceSpec().type("ClusterIP").clusterIP("10.96.0.10")
                .clusterIPs(List.of("10.96.0.10")).ipFamilies(List.of("IPv4"));
        for (int i = 0; i < namesAndPorts.length; i += 2) {
            spec.addPortsItem(new V1ServicePort().name((String) namesAndPorts[i]).port((Integer) namesAndPorts[i + 1])
                    .protocol("TCP"));
        }
        return new V1Service().metadata(new V1ObjectMeta().namespace("default").name("web")).spec(spec);
    }

    /** A slice of default/web with port "http" 8080 and one ready endpoint per address. */
    private static V1EndpointSlice slice(String name, String addressType, String... addresses) {
        return new V1EndpointSlice()
                .metadata(new V1ObjectMeta().namespace("default").name(name)
                        .putLabelsItem("kubernetes.io/service-name", "web"))
                .addressType(addressType)
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(Stream.of(addresses).map(ip -> new V1Endpoint().addresses(List.of(ip)).nodeName("node-a")
                        .conditions(new V1EndpointConditions().ready(true))).toList());
    }

    private static List<String> hostPorts(ChangeTracker.Changes changes, ServicePortName name) {
        return changes.state().endpointsOf(name).stream().map(Endpoint::hostPort).toList();
    }

    @Test
    void addingAServiceIsAPendingChangeThatTheNextSyncTakes() {
        assertThat(tracker.hasPendingChanges()).isFalse();

        assertThat(tracker.serviceUpdate(null, web("http", 80))).isTrue();

        assertThat(tracker.hasPendingChanges()).isTrue();
        assertThat(tracker.pendingServices()).isOne();
        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.isEmpty()).isFalse();
        assertThat(changes.changedServices()).containsExactly("default/web");
        assertThat(changes.changedPorts()).containsExactly(HTTP);
        assertThat(changes.state().services()).containsOnlyKeys(HTTP);
        assertThat(changes.state().services().get(HTTP).clusterIP()).isEqualTo("10.96.0.10");
        assertThat(changes.state().services().get(HTTP).port()).isEqualTo(80);
        assertThat(tracker.hasPendingChanges()).isFalse();
        ChangeTracker.Changes next = tracker.takeChanges();
        assertThat(next.isEmpty()).isTrue();
        assertThat(next.state().services()).containsOnlyKeys(HTTP);
    }

    @Test
    void anUpdateThatChangesNothingTheRulesUseIsNotAChange() {
        V1Service before = web("http", 80);
        tracker.serviceUpdate(null, before);
        tracker.takeChanges();
        V1Service after = web("http", 80);
        after.getMetadata().putLabelsItem("team", "blue").putAnnotationsItem("note", "relabelled")
                .resourceVersion("42");

        assertThat(tracker.serviceUpdate(before, after)).isFalse();

        assertThat(tracker.hasPendingChanges()).isFalse();
        assertThat(tracker.takeChanges().isEmpty()).isTrue();
    }

    @Test
    void aChangeRevertedBeforeTheSyncCoalescesToNothing() {
        V1Service a = web("http", 80);
        V1Service b = web("http", 81);
        tracker.serviceUpdate(null, a);
        tracker.takeChanges();

        assertThat(tracker.serviceUpdate(a, b)).isTrue();
        assertThat(tracker.hasPendingChanges()).isTrue();
        assertThat(tracker.serviceUpdate(b, a)).isFalse();

        assertThat(tracker.hasPendingChanges()).isFalse();
        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.isEmpty()).isTrue();
        assertThat(changes.state().services().get(HTTP).port()).isEqualTo(80);
    }

    @Test
    void deletingAServiceReportsItsOldPortsAndDropsThemFromTheState() {
        V1Service service = web("http", 80, "metrics", 9090);
        tracker.serviceUpdate(null, service);
        assertThat(tracker.takeChanges().state().services()).containsOnlyKeys(HTTP, METRICS);

        assertThat(tracker.serviceUpdate(service, null)).isTrue();

        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.changedServices()).containsExactly("default/web");
        assertThat(changes.changedPorts()).containsExactlyInAnyOrder(HTTP, METRICS);
        assertThat(changes.state().services()).isEmpty();
    }

    @Test
    void endpointSliceAddUpdateAndDeleteReachTheStateEndpoints() {
        tracker.serviceUpdate(null, web("http", 80));

        assertThat(tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.1"), false)).isTrue();
        assertThat(hostPorts(tracker.takeChanges(), HTTP)).containsExactly("10.244.1.1:8080");

        assertThat(tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.2", "10.244.1.1"), false)).isTrue();
        ChangeTracker.Changes updated = tracker.takeChanges();
        assertThat(updated.changedServices()).containsExactly("default/web");
        assertThat(updated.changedPorts()).containsExactly(HTTP);
        assertThat(hostPorts(updated, HTTP)).containsExactly("10.244.1.1:8080", "10.244.1.2:8080");

        assertThat(tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.2", "10.244.1.1"), true)).isTrue();
        ChangeTracker.Changes deleted = tracker.takeChanges();
        assertThat(deleted.changedPorts()).containsExactly(HTTP);
        assertThat(hostPorts(deleted, HTTP)).isEmpty();
        assertThat(deleted.state().services()).containsOnlyKeys(HTTP);
    }

    @Test
    void theTriggerTimeAnnotationIsReportedForTheChangedServiceAndClearedByTheSync() {
        V1EndpointSlice annotated = slice("web-abc", "IPv4", "10.244.1.1");
        annotated.getMetadata().putAnnotationsItem(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION, "2026-11-22T03:00:00Z");

        tracker.endpointSliceUpdate(annotated, false);

        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.triggerTimes())
                .containsExactly(Map.entry("default/web", List.of(Instant.parse("2026-11-22T03:00:00Z"))));
        tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.3"), false);
        ChangeTracker.Changes next = tracker.takeChanges();
        assertThat(next.changedServices()).containsExactly("default/web");
        assertThat(next.triggerTimes()).isEmpty();
    }

    @Test
    void triggerTimesFromBeforeTheTrackerStartedAreNotReported() {
        V1EndpointSlice old = slice("web-abc", "IPv4", "10.244.1.1");
        old.getMetadata().putAnnotationsItem(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION, "2020-01-01T00:00:00Z");

        tracker.endpointSliceUpdate(old, false);

        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.changedServices()).containsExactly("default/web");
        assertThat(changes.triggerTimes()).isEmpty();
    }

    @Test
    void aDeletedSliceReportsNoTriggerTime() {
        tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.1"), false);
        tracker.takeChanges();
        V1EndpointSlice gone = slice("web-abc", "IPv4", "10.244.1.1");
        gone.getMetadata().putAnnotationsItem(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION, "2026-11-22T03:00:00Z");

        assertThat(tracker.endpointSliceUpdate(gone, true)).isTrue();

        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.changedServices()).containsExactly("default/web");
        assertThat(changes.triggerTimes()).isEmpty();
    }

    @Test
    void aRevertedSliceChangeDropsItsTriggerTimeToo() {
        tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.1"), false);
        tracker.takeChanges();
        V1EndpointSlice changed = slice("web-abc", "IPv4", "10.244.1.9");
        changed.getMetadata().putAnnotationsItem(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION, "2026-11-22T03:00:00Z");

        assertThat(tracker.endpointSliceUpdate(changed, false)).isTrue();
        assertThat(tracker.endpointSliceUpdate(slice("web-abc", "IPv4", "10.244.1.1"), false)).isFalse();

        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.isEmpty()).isTrue();
        assertThat(changes.triggerTimes()).isEmpty();
    }

    @Test
    void twoSlicesOfOneServiceMergeIntoOneSortedEndpointList() {
        tracker.serviceUpdate(null, web("http", 80));
        tracker.endpointSliceUpdate(slice("web-b", "IPv4", "10.244.2.2"), false);
        tracker.endpointSliceUpdate(slice("web-a", "IPv4", "10.244.1.1", "10.244.3.3"), false);

        assertThat(hostPorts(tracker.takeChanges(), HTTP))
                .containsExactly("10.244.1.1:8080", "10.244.2.2:8080", "10.244.3.3:8080");

        tracker.endpointSliceUpdate(slice("web-b", "IPv4", "10.244.2.2"), true);
        assertThat(hostPorts(tracker.takeChanges(), HTTP)).containsExactly("10.244.1.1:8080", "10.244.3.3:8080");
    }

    @Test
    void slicesOfTheOtherAddressFamilyAreIgnored() {
        tracker.serviceUpdate(null, web("http", 80));
        tracker.endpointSliceUpdate(slice("web-v4", "IPv4", "10.244.1.1"), false);
        tracker.takeChanges();

        assertThat(tracker.endpointSliceUpdate(slice("web-v6", "IPv6", "fd00:10:244::1"), false)).isFalse();

        assertThat(tracker.hasPendingChanges()).isFalse();
        ChangeTracker.Changes changes = tracker.takeChanges();
        assertThat(changes.isEmpty()).isTrue();
        assertThat(hostPorts(changes, HTTP)).containsExactly("10.244.1.1:8080");
    }

    @Test
    void eventCountersCountEveryEventSinceTheLastTake() {
        V1Service service = web("http", 80);
        V1Service relabelled = web("http", 80);
        relabelled.getMetadata().putLabelsItem("team", "blue");
        tracker.serviceUpdate(null, service);
        tracker.serviceUpdate(service, relabelled);
        tracker.endpointSliceUpdate(slice("web-a", "IPv4", "10.244.1.1"), false);
        tracker.endpointSliceUpdate(slice("web-a", "IPv4", "10.244.1.2"), false);
        tracker.endpointSliceUpdate(slice("web-b", "IPv4", "10.244.2.2"), false);

        ChangeTracker.Changes changes = tracker.takeChanges();

        assertThat(changes.serviceChanges()).isEqualTo(2);
        assertThat(changes.endpointChanges()).isEqualTo(3);
        tracker.endpointSliceUpdate(slice("web-b", "IPv4", "10.244.2.2"), true);
        ChangeTracker.Changes next = tracker.takeChanges();
        assertThat(next.serviceChanges()).isZero();
        assertThat(next.endpointChanges()).isOne();
    }

    @Test
    void aSliceWithoutAServiceNameLabelIsNotTracked() {
        V1EndpointSlice unlabelled = slice("orphan", "IPv4", "10.244.1.1");
        unlabelled.getMetadata().setLabels(null);

        assertThat(tracker.endpointSliceUpdate(unlabelled, false)).isFalse();

        assertThat(tracker.hasPendingChanges()).isFalse();
        assertThat(tracker.takeChanges().state().endpoints()).isEmpty();
    }
}
