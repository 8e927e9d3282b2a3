package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.plan.IpvsOperation.AddDestination;
import io.switchyard.ipvs.plan.IpvsOperation.AddServer;
import io.switchyard.ipvs.plan.IpvsOperation.DeleteDestination;
import io.switchyard.ipvs.plan.IpvsOperation.DeleteServer;
import io.switchyard.ipvs.plan.IpvsOperation.UpdateDestination;
import io.switchyard.ipvs.plan.IpvsOperation.UpdateServer;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a sync changes in the IPVS table, including how removed real servers drain. */
class IpvsDiffTest {

    private static final ServicePortName OWNER = new ServicePortName("ns", "svc", "p", Protocol.TCP);
    private static final VirtualServer TCP = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "rr", 0);
    private static final VirtualServer UDP = VirtualServer.of(IpFamily.IPV4, Protocol.UDP, "10.96.0.10", 53, "rr", 0);
    private static final VirtualServer SCTP = VirtualServer.of(IpFamily.IPV4, Protocol.SCTP, "10.96.0.10", 9, "rr", 0);
    private static final Destination A = Destination.masq("10.244.1.5", 8080, 1);
    private static final Destination B = Destination.masq("10.244.2.5", 8080, 1);
    private static final IpvsDiff DIFF = new IpvsDiff(IpFamily.IPV4, List.of(Cidr.parse("10.200.0.0/16")));

    private static DesiredServer desired(VirtualServer server, Destination... destinations) {
        return new DesiredServer(server, List.of(destinations), OWNER);
    }

    private static InstalledServer installed(VirtualServer server, Destination... destinations) {
        return new InstalledServer(withHashedFlag(server), List.of(destinations));
    }

    /** The kernel reports every service with the hashed flag set. */
    private static VirtualServer withHashedFlag(VirtualServer s) {
        return new VirtualServer(s.family(), s.protocol(), s.address(), s.port(), s.fwmark(), s.scheduler(),
                s.flags() | VirtualServer.HASHED, s.timeoutSeconds(), s.netmask());
    }

    /** A real server as the kernel lists it, with connection counters. */
    private static Destination holding(Destination d, int weight, int active, int inactive) {
        return new Destination(d.address(), d.port(), weight, ForwardMethod.MASQ, 0, 0, active, inactive);
    }

    @Test
    void aNewServerIsAddedWithItsRealServers() {
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A, B)), List.of());
        assertThat(plan.changes()).containsExactly(new AddServer(TCP), new AddDestination(TCP, A),
                new AddDestination(TCP, B));
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.pending().isEmpty()).isTrue();
    }

    @Test
    void aKernelThatMatchesNeedsNothing() {
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A, B)), List.of(installed(TCP, holding(A, 1, 3, 1), B)));
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void changedSettingsUpdateTheServerInPlace() {
        VirtualServer sticky = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "rr", 600);
        IpvsPlan plan = DIFF.plan(List.of(desired(sticky, A)), List.of(installed(TCP, A)));
        assertThat(plan.changes()).containsExactly(new UpdateServer(sticky));
        VirtualServer wrr = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "wrr", 0);
        assertThat(DIFF.plan(List.of(desired(wrr, A)), List.of(installed(TCP, A))).changes())
                .containsExactly(new UpdateServer(wrr));
    }

    @Test
    void aNewRealServerIsAddedAndAWrongWeightIsReset() {
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A, B)), List.of(installed(TCP, holding(A, 5, 0, 0))));
        assertThat(plan.changes()).containsExactly(new UpdateDestination(TCP, A), new AddDestination(TCP, B));
    }

    @Test
    void aRemovedTcpRealServerWithConnectionsDrainsAtWeightZero() {
        Destination busy = holding(B, 1, 2, 0);
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A)), List.of(installed(TCP, A, busy)));
        assertThat(plan.changes()).containsExactly(new UpdateDestination(TCP, holding(B, 0, 2, 0)));
        assertThat(plan.pending().contains(TCP.key(), B.key())).isTrue();
        assertThat(plan.pending().size()).isEqualTo(1);

        // Next sync, still busy and already at weight 0: nothing to do, still pending.
        IpvsPlan next = DIFF.plan(List.of(desired(TCP, A)), List.of(installed(TCP, A, holding(B, 0, 0, 1))));
        assertThat(next.changes()).isEmpty();
        assertThat(next.pending().contains(TCP.key(), B.key())).isTrue();
    }

    @Test
    void aRemovedTcpRealServerWithoutConnectionsIsDeletedAtOnce() {
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A)), List.of(installed(TCP, A, holding(B, 0, 0, 0))));
        assertThat(plan.changes()).containsExactly(new DeleteDestination(TCP, holding(B, 0, 0, 0)));
        assertThat(plan.pending().isEmpty()).isTrue();
    }

    @Test
    void removedUdpAndSctpRealServersAreDeletedAtOnceWhateverTheyHold() {
        Destination busy = holding(B, 1, 5, 5);
        IpvsPlan plan = DIFF.plan(List.of(desired(UDP, A), desired(SCTP, A)),
                List.of(installed(UDP, A, busy), installed(SCTP, A, busy)));
        assertThat(plan.changes()).containsExactly(new DeleteDestination(UDP, busy),
                new DeleteDestination(SCTP, busy));
        assertThat(plan.pending().isEmpty()).isTrue();
    }

    @Test
    void aDrainingRealServerThatComesBackGetsItsWeightBack() {
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A, B)), List.of(installed(TCP, A, holding(B, 0, 2, 0))));
        assertThat(plan.changes()).containsExactly(new UpdateDestination(TCP, B));
        assertThat(plan.pending().isEmpty()).isTrue();
    }

    @Test
    void serversNoLongerWantedAreDeletedLastAndTheirDrainingRealServersForgotten() {
        VirtualServer gone = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.99", 80, "rr", 0);
        IpvsPlan plan = DIFF.plan(List.of(desired(TCP, A)),
                List.of(installed(TCP, A), installed(gone, holding(B, 0, 9, 9))));
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.deletions()).containsExactly(new DeleteServer(withHashedFlag(gone)));
        assertThat(plan.pending().isEmpty()).isTrue();
    }

    @Test
    void serversKubeProxyLeavesAloneAreNotDeleted() {
        VirtualServer excluded = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.200.3.4", 80, "rr", 0);
        VirtualServer otherFamily = VirtualServer.of(IpFamily.IPV6, Protocol.TCP, "fd00::1", 80, "rr", 0);
        VirtualServer fwmark = new VirtualServer(IpFamily.IPV4, Protocol.TCP, "0.0.0.0", 0, 42, "rr", 0, 0, 0xffffffff);
        VirtualServer foreign = VirtualServer.of(IpFamily.IPV4, Protocol.UDP, "192.0.2.1", 53, "rr", 0);
        IpvsPlan plan = DIFF.plan(List.of(), List.of(installed(excluded), installed(otherFamily), installed(fwmark),
                installed(foreign)));
        assertThat(plan.deletions()).containsExactly(new DeleteServer(withHashedFlag(foreign)));
    }

    @Test
    void operationsComeInServerThenRealServerOrder() {
        VirtualServer second = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.11", 80, "rr", 0);
        IpvsPlan plan = DIFF.plan(List.of(desired(second, B), desired(TCP, B, A)), List.of());
        assertThat(plan.changes()).containsExactly(new AddServer(TCP), new AddDestination(TCP, A),
                new AddDestination(TCP, B), new AddServer(second), new AddDestination(second, B));
    }

    @Test
    void desiredServersOfTheOtherFamilyAreRefused() {
        VirtualServer v6 = VirtualServer.of(IpFamily.IPV6, Protocol.TCP, "fd00::1", 80, "rr", 0);
        assertThatThrownBy(() -> DIFF.plan(List.of(desired(v6)), List.of())).hasMessageContaining("is not IPv4");
    }
}
