package io.switchyard.netlink.conntrack;

import io.switchyard.netlink.NetworkNamespaces;
import io.switchyard.netlink.TestNamespace;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CtnetlinkConntrack} against this host's kernel in a throwaway namespace: real UDP
 * flows (one through a DNAT rule, as a service's would be) create entries, our code deletes some,
 * and {@code conntrack -L} in the same namespace witnesses what is left.
 */
class ConntrackKernelTest {

    private TestNamespace ns;
    private CtnetlinkConntrack conntrack;

    @BeforeEach
    void setUp() {
        ns = new TestNamespace("ct");
        ns.sh("ip", "link", "set", "lo", "up");
        ns.sh("ip", "link", "add", "sy0", "type", "veth", "peer", "name", "sy1");
        ns.sh("ip", "link", "set", "sy0", "up");
        ns.sh("ip", "link", "set", "sy1", "up");
        for (String a : List.of("198.51.100.1/32", "198.51.100.2/32")) {
            ns.sh("ip", "addr", "add", a, "dev", "lo");
        }
        for (String a : List.of("2001:db8::1/128", "2001:db8::2/128")) {
            ns.sh("ip", "-6", "addr", "add", a, "dev", "lo", "nodad");
        }
        ns.sh("ip", "route", "add", "203.0.113.0/24", "dev", "sy0");
        // Any rule that needs conntrack makes the kernel track this namespace's flows.
        ns.sh("iptables", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", "ACCEPT");
        ns.sh("ip6tables", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", "ACCEPT");
        // A "service" 203.0.113.10:53 whose only "endpoint" is 198.51.100.2:5353.
        ns.sh("iptables", "-t", "nat", "-A", "OUTPUT", "-d", "203.0.113.10", "-p", "udp", "--dport", "53",
                "-j", "DNAT", "--to-destination", "198.51.100.2:5353");
        conntrack = CtnetlinkConntrack.open(ns.path());
    }

    @AfterEach
    void tearDown() {
        conntrack.close();
        ns.close();
    }

    /** Sends one datagram from a socket opened inside the namespace. */
    private void udp(String address, int port) {
        boolean v6 = address.contains(":");
        try (DatagramChannel channel = NetworkNamespaces.callIn(ns.path(),
                () -> DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET))) {
            channel.send(ByteBuffer.wrap(new byte[]{1}), new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code conntrack -L}'s UDP flows of a family as {@code original-destination:port}. */
    private List<String> witness(String family) {
        return ns.sh("conntrack", "-L", "-f", family, "-p", "udp").lines()
                .map(line -> FIRST_DST.matcher(line))
                .filter(java.util.regex.Matcher::find)
                .map(m -> m.group(1) + ":" + m.group(2))
                .toList();
    }

    private static final java.util.regex.Pattern FIRST_DST =
            java.util.regex.Pattern.compile("dst=(\\S+) sport=\\d+ dport=(\\d+)");

    @Test
    void listsTheNamespacesFlowsWithTheirNat() {
        udp("198.51.100.1", 7000);
        udp("203.0.113.10", 53);
        udp("2001:db8::2", 5353);
        List<ConntrackEntry> v4 = conntrack.list(IpFamily.IPV4);
        assertThat(v4).extracting(e -> e.original().destination() + ":" + e.original().destinationPort())
                .containsExactlyInAnyOrder("198.51.100.1:7000", "203.0.113.10:53");
        ConntrackEntry natted = v4.stream().filter(e -> e.original().destination().equals("203.0.113.10"))
                .findFirst().orElseThrow();
        assertThat(natted.reply().source()).isEqualTo("198.51.100.2");
        assertThat(natted.reply().sourcePort()).isEqualTo(5353);
        assertThat(conntrack.list(IpFamily.IPV4, Protocol.UDP)).hasSize(2);
        assertThat(conntrack.list(IpFamily.IPV4, Protocol.TCP)).isEmpty();
        assertThat(conntrack.list(IpFamily.IPV6)).singleElement()
                .satisfies(e -> assertThat(e.original().destination()).isEqualTo("2001:db8::2"));
        assertThat(witness("ipv4")).containsExactlyInAnyOrder("198.51.100.1:7000", "203.0.113.10:53");
    }

    @Test
    void deletesWhatEachKubeProxyFilterNamesAndNothingElse() {
        udp("198.51.100.1", 7000);
        udp("198.51.100.2", 5353);
        udp("203.0.113.10", 53);
        udp("2001:db8::1", 7000);
        udp("2001:db8::2", 5353);
        assertThat(witness("ipv4")).containsExactlyInAnyOrder("198.51.100.1:7000", "198.51.100.2:5353",
                "203.0.113.10:53");

        assertThat(conntrack.delete(IpFamily.IPV4, List.of(ConntrackFilter.toAddress(Protocol.TCP, "198.51.100.1"))))
                .isZero();
        assertThat(conntrack.delete(IpFamily.IPV4, List.of(ConntrackFilter.toAddress(Protocol.UDP, "198.51.100.1"))))
                .isEqualTo(1);
        assertThat(witness("ipv4")).containsExactlyInAnyOrder("198.51.100.2:5353", "203.0.113.10:53");

        assertThat(conntrack.delete(IpFamily.IPV4,
                List.of(ConntrackFilter.natted(Protocol.UDP, "203.0.113.10", "198.51.100.2")))).isEqualTo(1);
        assertThat(witness("ipv4")).containsExactly("198.51.100.2:5353");

        assertThat(conntrack.delete(IpFamily.IPV4, List.of(ConntrackFilter.toPort(Protocol.UDP, 5353))))
                .isEqualTo(1);
        assertThat(witness("ipv4")).isEmpty();

        assertThat(conntrack.delete(IpFamily.IPV6,
                List.of(ConntrackFilter.toAddressPort(Protocol.UDP, "2001:db8::2", 5353)))).isEqualTo(1);
        assertThat(witness("ipv6")).containsExactly("2001:db8::1:7000");
    }

    @Test
    void deletingAnEntryThatIsGoneSaysSo() {
        udp("198.51.100.1", 7000);
        ConntrackEntry entry = conntrack.list(IpFamily.IPV4).getFirst();
        assertThat(conntrack.delete(entry)).isTrue();
        assertThat(conntrack.delete(entry)).isFalse();
        udp("198.51.100.1", 7000);
        assertThat(conntrack.list(IpFamily.IPV4)).singleElement()
                .satisfies(fresh -> assertThat(fresh.id()).isNotEqualTo(entry.id()));
    }
}
