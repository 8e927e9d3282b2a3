package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The lines ipvsadm -Sn prints for the servers kube-proxy creates. */
class IpvsadmTextTest {

    @Test
    void serversPrintProtocolAddressSchedulerAndPersistence() {
        assertThat(IpvsadmText.serverLine(VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.1", 443, "rr", 0)))
                .isEqualTo("-A -t 10.96.0.1:443 -s rr");
        assertThat(IpvsadmText.serverLine(VirtualServer.of(IpFamily.IPV4, Protocol.UDP, "10.96.0.10", 53, "wrr", 600)))
                .isEqualTo("-A -u 10.96.0.10:53 -s wrr -p 600");
        assertThat(IpvsadmText.serverLine(VirtualServer.of(IpFamily.IPV6, Protocol.SCTP, "fd00::1", 9, "rr", 0)))
                .isEqualTo("-A --sctp-service [fd00::1]:9 -s rr");
        assertThat(IpvsadmText.serverLine(new VirtualServer(IpFamily.IPV4, Protocol.TCP, "10.96.0.1", 80, 0, "mh",
                VirtualServer.PERSISTENT | IpvsConfig.SOURCE_HASH_FLAG, 60, 0xffffff00)))
                .isEqualTo("-A -t 10.96.0.1:80 -s mh -p 60 -M 255.255.255.0 -b mh-port");
        assertThat(IpvsadmText.serverLine(new VirtualServer(IpFamily.IPV6, Protocol.TCP, "fd00::1", 80, 0, "sh",
                VirtualServer.PERSISTENT | IpvsConfig.SOURCE_HASH_FLAG | VirtualServer.ONE_PACKET, 60, 64)))
                .isEqualTo("-A -t [fd00::1]:80 -s sh -p 60 -M 64 -b sh-port -o");
        assertThat(IpvsadmText.serverLine(new VirtualServer(IpFamily.IPV4, Protocol.TCP, "0.0.0.0", 0, 7, "rr", 0, 0,
                0xffffffff))).isEqualTo("-A -f 7 -s rr");
    }

    @Test
    void destinationsPrintMethodAndWeightButNotThresholdsAsIpvsadmSaves() {
        VirtualServer server = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.1", 443, "rr", 0);
        assertThat(IpvsadmText.destinationLine(server, Destination.masq("10.244.1.5", 6443, 1)))
                .isEqualTo("-a -t 10.96.0.1:443 -r 10.244.1.5:6443 -m -w 1");
        assertThat(IpvsadmText.destinationLine(server,
                new Destination("10.244.1.5", 6443, 0, ForwardMethod.DIRECT_ROUTE, 100, 10, 3, 4)))
                .isEqualTo("-a -t 10.96.0.1:443 -r 10.244.1.5:6443 -g -w 0");
    }
}
