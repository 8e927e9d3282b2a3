package io.switchyard.ipvs;

import io.switchyard.netlink.NetlinkException;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory fake against the same contract the kernel passes in the VM. */
class InMemoryIpvsTest extends IpvsContract {

    private final InMemoryIpvs ipvs = new InMemoryIpvs();

    @Override
    protected Ipvs ipvs() {
        return ipvs;
    }

    @Override
    protected void witness(String... ipvsadmSaveLines) {
    }

    @Override
    protected void witnessTimeouts(int tcp, int tcpFin, int udp) {
    }

    @Test
    void connectionCountersAreSetAsTrafficWouldAndSurviveAWeightChange() {
        VirtualServer server = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "rr", 0);
        ipvs.addVirtualServer(server);
        ipvs.addDestination(server.key(), Destination.masq("10.244.1.5", 8080, 1));

        ipvs.setConnections(server.key(), new Destination.Key("10.244.1.5", 8080), 3, 2);
        ipvs.updateDestination(server.key(), Destination.masq("10.244.1.5", 8080, 0));

        assertThat(ipvs.destinations(server.key())).singleElement().satisfies(d -> {
            assertThat(d.weight()).isZero();
            assertThat(d.activeConnections()).isEqualTo(3);
            assertThat(d.inactiveConnections()).isEqualTo(2);
        });
        assertThatThrownBy(() -> ipvs.setConnections(server.key(), new Destination.Key("10.244.1.6", 8080), 1, 0))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("ENOENT");
    }
}
