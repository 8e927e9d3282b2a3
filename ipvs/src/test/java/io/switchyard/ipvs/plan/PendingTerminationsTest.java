package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sweep deletes drained real servers, forgets vanished ones and keeps the busy ones. */
class PendingTerminationsTest {

    private static final VirtualServer TCP = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "rr", 0);
    private static final VirtualServer OTHER = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.11", 80, "rr", 0);
    private static final Destination.Key A = new Destination.Key("10.244.1.5", 8080);
    private static final Destination.Key B = new Destination.Key("10.244.2.5", 8080);

    private static Destination listed(Destination.Key key, int active, int inactive) {
        return new Destination(key.address(), key.port(), 0, ForwardMethod.MASQ, 0, 0, active, inactive);
    }

    @Test
    void isAnImmutableValue() {
        PendingTerminations empty = PendingTerminations.empty();
        PendingTerminations one = empty.with(TCP, A);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(one.contains(TCP.key(), A)).isTrue();
        assertThat(one.without(TCP.key(), A)).isEqualTo(empty);
        assertThat(one.without(TCP.key(), B)).isSameAs(one);
        assertThat(one.with(TCP, A)).isEqualTo(one);
    }

    @Test
    void listsTheServersWhoseCountersTheSweepNeeds() {
        PendingTerminations pending = PendingTerminations.empty().with(OTHER, A).with(TCP, B).with(TCP, A);
        assertThat(pending.servers()).containsExactly(TCP, OTHER);
        assertThat(pending.size()).isEqualTo(3);
    }

    @Test
    void theSweepDeletesDrainedKeepsBusyAndForgetsVanishedRealServers() {
        VirtualServer gone = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.12", 80, "rr", 0);
        PendingTerminations pending = PendingTerminations.empty().with(TCP, A).with(TCP, B).with(OTHER, A)
                .with(gone, A);
        PendingTerminations.Sweep sweep = pending.sweep(Map.of(
                TCP.key(), List.of(listed(A, 0, 0), listed(B, 0, 1)),
                OTHER.key(), List.of(listed(B, 0, 0))));
        assertThat(sweep.deletions()).containsExactly(new IpvsOperation.DeleteDestination(TCP, listed(A, 0, 0)));
        assertThat(sweep.remaining()).isEqualTo(PendingTerminations.empty().with(TCP, B));
    }

    @Test
    void udpRealServersNeverWait() {
        VirtualServer udp = VirtualServer.of(IpFamily.IPV4, Protocol.UDP, "10.96.0.10", 53, "rr", 0);
        PendingTerminations.Sweep sweep = PendingTerminations.empty().with(udp, A)
                .sweep(Map.of(udp.key(), List.of(listed(A, 4, 4))));
        assertThat(sweep.deletions()).hasSize(1);
        assertThat(sweep.remaining().isEmpty()).isTrue();
    }

    @Test
    void idsPrintAsServerProtocolAndRealServer() {
        assertThat(new PendingTerminations.Id(TCP.key(), A)).hasToString("10.96.0.10:80/tcp/10.244.1.5:8080");
    }
}
