package io.switchyard.agent.conntrack;

import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.netlink.conntrack.Conntrack;
import io.switchyard.netlink.conntrack.ConntrackEntry;
import io.switchyard.netlink.conntrack.ConntrackTuple;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** When the reconciler reads the conntrack table, and which entries it deletes. */
class ConntrackReconcilerTest {

    private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns", Protocol.UDP);
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);

    /** A table that records what was asked of it. */
    static final class FakeConntrack implements Conntrack {
        final List<ConntrackEntry> entries = new ArrayList<>();
        final List<ConntrackEntry> deleted = new ArrayList<>();
        int listings;

        @Override
        public List<ConntrackEntry> list(IpFamily family) {
            listings++;
            return List.copyOf(entries);
        }

        @Override
        public boolean delete(ConntrackEntry entry) {
            deleted.add(entry);
            return entries.remove(entry);
        }

        @Override
        public void close() {
        }
    }

    private static ConntrackEntry udp(String dst, int port, String replySrc) {
        return new ConntrackEntry(IpFamily.IPV4, new ConntrackTuple("192.168.1.9", dst, 17, 40000, port),
                new ConntrackTuple(replySrc, "192.168.1.9", 17, port, 40000), 1, 0, 0, 0, 30);
    }

    private static ClusterState state() {
        return ClusterState.of(
                Map.of(DNS, new ServicePort(DNS, "10.96.0.10", 53, 0, List.of(), List.of(), List.of(), 0,
                                SessionAffinity.NONE, false, false),
                        WEB, new ServicePort(WEB, "10.96.0.20", 80, 0, List.of(), List.of(), List.of(), 0,
                                SessionAffinity.NONE, false, false)),
                Map.of(DNS, List.of(new Endpoint("10.244.1.5", 53, "node-a", "", true, true, false, Set.of(), Set.of()))));
    }

    private static SyncReport report(boolean full, Set<ServicePortName> changed, SyncOutcome outcome) {
        return new SyncReport(IpFamily.IPV4, full, Instant.EPOCH, Duration.ZERO, 2, 1, state(), changed, 1, 0, 1,
                Map.of(), Map.of(), outcome);
    }

    private static final SyncOutcome APPLIED = new SyncOutcome.Applied(false, 0, 0, Map.of(), Map.of(), Map.of());

    private final FakeConntrack table = new FakeConntrack();
    private final ConntrackReconciler reconciler = new ConntrackReconciler(table);

    @Test
    void aChangedUdpPortDeletesExactlyTheStaleFlows() {
        ConntrackEntry toRemovedEndpoint = udp("10.96.0.10", 53, "10.244.9.9");
        ConntrackEntry toServingEndpoint = udp("10.96.0.10", 53, "10.244.1.5");
        ConntrackEntry unrelated = udp("10.96.0.99", 53, "10.244.9.9");
        table.entries.addAll(List.of(toRemovedEndpoint, toServingEndpoint, unrelated));

        reconciler.syncCompleted(report(false, Set.of(DNS), APPLIED));

        assertThat(table.deleted).containsExactly(toRemovedEndpoint);
    }

    @Test
    void syncsThatChangedNoUdpPortDoNotReadTheTable() {
        table.entries.add(udp("10.96.0.10", 53, "10.244.9.9"));

        reconciler.syncCompleted(report(false, Set.of(WEB), APPLIED));
        reconciler.syncCompleted(report(true, Set.of(DNS), new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "no")));

        assertThat(table.listings).isZero();
        reconciler.syncCompleted(report(true, Set.of(), APPLIED));
        assertThat(table.listings).as("a full sync reconciles").isEqualTo(1);
        assertThat(table.deleted).hasSize(1);
    }
}
