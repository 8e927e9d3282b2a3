package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import static io.switchyard.rules.model.IpFamily.IPV4;
import static io.switchyard.rules.model.IpFamily.IPV6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Members are spelled as ipset prints them, and nothing malformed gets through a factory. */
class IpsetEntryTest {

    @Test
    void membersAreSpelledAsIpsetSavePrintsThem() {
        assertThat(IpsetEntry.ip(IPV4, "10.96.0.1").text()).isEqualTo("10.96.0.1");
        assertThat(IpsetEntry.ipPort(IPV4, "10.96.0.1", Protocol.TCP, 443).text()).isEqualTo("10.96.0.1,tcp:443");
        assertThat(IpsetEntry.ipPortIp(IPV4, "10.244.1.5", Protocol.UDP, 53, "10.244.1.5").text())
                .isEqualTo("10.244.1.5,udp:53,10.244.1.5");
        assertThat(IpsetEntry.ipPortNet(IPV4, "192.0.2.1", Protocol.SCTP, 80, Cidr.parse("203.0.113.0/24")).text())
                .isEqualTo("192.0.2.1,sctp:80,203.0.113.0/24");
        assertThat(IpsetEntry.port(30080).text()).isEqualTo("30080");
        assertThat(IpsetEntry.ipPort(IPV6, "fd00::10", Protocol.TCP, 80).text()).isEqualTo("fd00::10,tcp:80");
    }

    @Test
    void aHostNetworkLosesItsPrefixAsTheKernelPrintsIt() {
        assertThat(IpsetEntry.ipPortNet(IPV4, "192.0.2.1", Protocol.TCP, 80, Cidr.parse("203.0.113.7/32")).text())
                .isEqualTo("192.0.2.1,tcp:80,203.0.113.7");
        assertThat(IpsetEntry.ipPortNet(IPV6, "fd00::1", Protocol.TCP, 80, Cidr.parse("fd00::7/128")).text())
                .isEqualTo("fd00::1,tcp:80,fd00::7");
    }

    @Test
    void addressesMustBeCanonicalLiteralsOfTheFamily() {
        assertThatThrownBy(() -> IpsetEntry.ip(IPV4, "fd00::1")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> IpsetEntry.ip(IPV6, "10.0.0.1")).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> IpsetEntry.ip(IPV6, "FD00:0:0::1")).hasMessageContaining("not in canonical form");
        assertThatThrownBy(() -> IpsetEntry.ipPort(IPV4, "10.0.0.1 ", Protocol.TCP, 80))
                .hasMessageContaining("not in canonical form");
        assertThatThrownBy(() -> IpsetEntry.ipPort(IPV4, "10.0.0.1\nflush", Protocol.TCP, 80))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpsetEntry.ipPortIp(IPV4, "10.0.0.1", Protocol.TCP, 80, "host"))
                .hasMessageContaining("second address");
    }

    @Test
    void portsMustBeInRange() {
        assertThatThrownBy(() -> IpsetEntry.port(0)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> IpsetEntry.port(65536)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> IpsetEntry.ipPort(IPV4, "10.0.0.1", Protocol.TCP, -1))
                .hasMessageContaining("out of range");
        assertThat(IpsetEntry.port(65535).text()).isEqualTo("65535");
    }

    @Test
    void networksMustBeOfTheFamilyAndNotZero() {
        assertThatThrownBy(() -> IpsetEntry.ipPortNet(IPV4, "10.0.0.1", Protocol.TCP, 80, Cidr.parse("fd00::/64")))
                .hasMessageContaining("not an IPv4 network");
        assertThatThrownBy(() -> IpsetEntry.ipPortNet(IPV4, "10.0.0.1", Protocol.TCP, 80, Cidr.parse("0.0.0.0/0")))
                .hasMessageContaining("zero prefix");
    }

    @Test
    void kernelTextParsesIntoTheSameSpelling() {
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP_PORT_NET, IPV4, "1.2.3.4,tcp:80,10.0.0.1").text())
                .isEqualTo("1.2.3.4,tcp:80,10.0.0.1");
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP_PORT_NET, IPV4, "1.2.3.4,tcp:80,10.0.0.1/32").text())
                .isEqualTo("1.2.3.4,tcp:80,10.0.0.1");
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP_PORT_NET, IPV4, "1.2.3.4,tcp:80,10.1.2.3/8").text())
                .isEqualTo("1.2.3.4,tcp:80,10.0.0.0/8");
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP_PORT, IPV6, "2001:db8:0:0:0:0:0:1,UDP:53").text())
                .isEqualTo("2001:db8::1,udp:53");
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP_PORT_IP, IPV4, "10.0.0.1,sctp:9,10.0.0.2").text())
                .isEqualTo("10.0.0.1,sctp:9,10.0.0.2");
        assertThat(IpsetEntry.parse(IpsetType.BITMAP_PORT, IPV4, "30080").text()).isEqualTo("30080");
        assertThat(IpsetEntry.parse(IpsetType.HASH_IP, IPV6, "fd00::1").text()).isEqualTo("fd00::1");
    }

    @Test
    void kernelTextThatIsNoSuchMemberIsRefused() {
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP_PORT, IPV4, "1.2.3.4")).hasMessageContaining("not a");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP_PORT, IPV4, "1.2.3.4,icmp:ping"))
                .hasMessageContaining("unknown protocol");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP_PORT, IPV4, "1.2.3.4,tcp:http"))
                .hasMessageContaining("bad port");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP_PORT, IPV4, "1.2.3.4,tcp80"))
                .hasMessageContaining("no protocol:port");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP, IPV4, "fd00::1")).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.HASH_IP_PORT_NET, IPV4, "1.2.3.4,tcp:80,10.0.0.0/99"))
                .hasMessageContaining("not a hash:ip,port,net member");
        assertThatThrownBy(() -> IpsetEntry.parse(IpsetType.BITMAP_PORT, IpFamily.IPV4, "1-2"))
                .hasMessageContaining("bad port");
    }

    @Test
    void membersSortByText() {
        assertThat(IpsetEntry.port(80).compareTo(IpsetEntry.port(8080))).isNegative();
    }
}
