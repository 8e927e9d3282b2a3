package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.desired.HostAddresses.InterfaceAddress;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which host addresses carry NodePort servers and which keep service IPs off kube-ipvs0. */
class HostAddressesTest {

    private static final List<InterfaceAddress> HOST = List.of(
            new InterfaceAddress("lo", "127.0.0.1"), new InterfaceAddress("lo", "::1"),
            new InterfaceAddress("eth0", "10.0.2.15"), new InterfaceAddress("eth0", "fe80::5054:ff:fe12:3456"),
            new InterfaceAddress("eth1", "192.168.1.4"), new InterfaceAddress("eth1", "2001:db8:0:0::4"),
            new InterfaceAddress("kube-ipvs0", "10.96.0.1"), new InterfaceAddress("kube-ipvs0", "fd00::10"));

    @Test
    void byDefaultNodePortsGoOnEveryAddressButLoopbackLinkLocalAndKubeIpvs0() {
        HostAddresses v4 = HostAddresses.of(IpFamily.IPV4, HOST, NodePortAddresses.all());
        assertThat(v4.nodePortAddresses()).containsExactly("10.0.2.15", "192.168.1.4");
        assertThat(v4.localAddresses()).containsExactly("10.0.2.15", "192.168.1.4");
        HostAddresses v6 = HostAddresses.of(IpFamily.IPV6, HOST, NodePortAddresses.all());
        assertThat(v6.nodePortAddresses()).containsExactly("2001:db8::4");
        assertThat(v6.localAddresses()).containsExactly("2001:db8::4");
    }

    @Test
    void nodePortAddressCidrsPickAddressesOnAnyInterfaceButLoopback() {
        NodePortAddresses cidrs = NodePortAddresses.of(IpFamily.IPV4,
                List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("127.0.0.0/8"), Cidr.parse("10.96.0.0/12")));
        HostAddresses v4 = HostAddresses.of(IpFamily.IPV4, HOST, cidrs);
        // kube-proxy matches the CIDRs against every interface, kube-ipvs0 included.
        assertThat(v4.nodePortAddresses()).containsExactly("10.96.0.1", "192.168.1.4");
        assertThat(v4.localAddresses()).containsExactly("10.0.2.15", "192.168.1.4");
    }

    @Test
    void addressesMustBeCanonicalAndOfTheFamily() {
        assertThatThrownBy(() -> new HostAddresses(IpFamily.IPV4, new TreeSet<>(Set.of("fd00::1")), new TreeSet<>()))
                .hasMessage("node-port address \"fd00::1\" is not a canonical IPv4 address");
        assertThatThrownBy(() -> new HostAddresses(IpFamily.IPV6, new TreeSet<>(), new TreeSet<>(Set.of("FD00::1"))))
                .hasMessage("local address \"FD00::1\" is not a canonical IPv6 address");
    }

    @Test
    void listedAddressesThatAreNoLiteralsAreIgnored() {
        HostAddresses v4 = HostAddresses.of(IpFamily.IPV4, List.of(new InterfaceAddress("eth0", "eth0-address"),
                new InterfaceAddress("eth0", "10.0.2.15")), NodePortAddresses.all());
        assertThat(v4.nodePortAddresses()).containsExactly("10.0.2.15");
    }
}
