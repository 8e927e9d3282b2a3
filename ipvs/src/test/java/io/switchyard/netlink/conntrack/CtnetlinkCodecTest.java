package io.switchyard.netlink.conntrack;

import io.switchyard.netlink.Attribute;
import io.switchyard.netlink.Capture;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.ReplayTransport;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ctnetlink requests against conntrack-tools', recorded with strace in a namespace on this
 * host (captures/conntrack), our decoding of the kernel's entries, and the filters kube-proxy's
 * UDP cleanup needs applied to those entries.
 */
class CtnetlinkCodecTest {

    private static List<ConntrackEntry> entries(Capture.Exchange dump) {
        return dump.replyMessages().stream().filter(m -> m.type() == CtnetlinkCodec.MSG_NEW)
                .map(m -> CtnetlinkCodec.decode(m).orElseThrow()).toList();
    }

    private static ConntrackEntry to(List<ConntrackEntry> entries, String destination) {
        return entries.stream().filter(e -> e.original().destination().equals(destination)).findFirst().orElseThrow();
    }

    @Test
    void dumpRequestsAreConntracksByteForByte() {
        assertThat(Capture.normalised(CtnetlinkCodec.dump(IpFamily.IPV4)))
                .isEqualTo(Capture.normalised(Capture.load("conntrack/list-udp-v4.hex").last().requestMessage()));
        assertThat(Capture.normalised(CtnetlinkCodec.dump(IpFamily.IPV6)))
                .isEqualTo(Capture.normalised(Capture.load("conntrack/list-udp-v6.hex").last().requestMessage()));
    }

    @Test
    void decodesEntriesWithTheirNattedReplyDirection() {
        List<ConntrackEntry> v4 = entries(Capture.load("conntrack/list-udp-v4.hex").last());
        assertThat(v4).hasSize(3).allMatch(e -> e.family() == IpFamily.IPV4 && e.protocol() == 17);
        ConntrackEntry natted = to(v4, "203.0.113.10");
        assertThat(natted.original().source()).isEqualTo("198.51.100.1");
        assertThat(natted.original().destinationPort()).isEqualTo(53);
        assertThat(natted.reply().source()).isEqualTo("198.51.100.2");
        assertThat(natted.reply().sourcePort()).isEqualTo(5353);
        assertThat(natted.reply().destinationPort()).isEqualTo(natted.original().sourcePort());
        assertThat(natted.id()).isNotZero();
        assertThat(natted.timeoutSeconds()).isBetween(1, 30);

        List<ConntrackEntry> v6 = entries(Capture.load("conntrack/list-udp-v6.hex").last());
        assertThat(v6).singleElement().satisfies(e -> {
            assertThat(e.family()).isEqualTo(IpFamily.IPV6);
            assertThat(e.original().destination()).isEqualTo("2001:db8::2");
            assertThat(e.original().destinationPort()).isEqualTo(5353);
        });
    }

    @Test
    void deleteNamesTheOriginalTupleConntrackSendsPlusTheEntrysId() {
        for (String capture : List.of("delete-orig-dst-v4.hex", "delete-orig-dst-v6.hex")) {
            Capture recorded = Capture.load("conntrack/" + capture);
            NetlinkMessage theirs = recorded.requestsOfType(CtnetlinkCodec.MSG_DELETE).getFirst().requestMessage();
            ConntrackEntry deleted = entries(recorded.exchanges().getFirst()).stream()
                    .filter(e -> sameOriginal(theirs, e))
                    .findFirst().orElseThrow();
            NetlinkMessage expected = Capture.rewriteAttributes(theirs, CtnetlinkCodec.NFGENMSG_LENGTH, attributes -> {
                List<Attribute> keep = new ArrayList<>();
                attributes.stream().filter(a -> a.type() == CtnetlinkCodec.CTA_TUPLE_ORIG).forEach(keep::add);
                keep.add(new Attribute(CtnetlinkCodec.CTA_ID, false, false,
                        ByteBuffer.allocate(4).putInt(deleted.id()).array()));
                return keep;
            });
            assertThat(Capture.normalised(CtnetlinkCodec.delete(deleted))).as(capture)
                    .isEqualTo(Capture.normalised(expected));
        }
    }

    private static boolean sameOriginal(NetlinkMessage delete, ConntrackEntry entry) {
        ConntrackEntry asSent = CtnetlinkCodec.decode(new NetlinkMessage(CtnetlinkCodec.MSG_NEW, 0, 0, 0,
                delete.payload())).orElseThrow();
        return asSent.original().equals(entry.original());
    }

    @Test
    void filtersMatchWhatKubeProxysCleanupMeans() {
        List<ConntrackEntry> v4 = entries(Capture.load("conntrack/list-udp-v4.hex").last());
        assertThat(matching(v4, ConntrackFilter.toAddress(Protocol.UDP, "198.51.100.1")))
                .containsExactly(to(v4, "198.51.100.1"));
        assertThat(matching(v4, ConntrackFilter.toAddressPort(Protocol.UDP, "198.51.100.2", 5353)))
                .containsExactly(to(v4, "198.51.100.2"));
        assertThat(matching(v4, ConntrackFilter.toAddressPort(Protocol.UDP, "198.51.100.2", 5354))).isEmpty();
        assertThat(matching(v4, ConntrackFilter.toPort(Protocol.UDP, 53))).containsExactly(to(v4, "203.0.113.10"));
        assertThat(matching(v4, ConntrackFilter.natted(Protocol.UDP, "203.0.113.10", "198.51.100.2")))
                .containsExactly(to(v4, "203.0.113.10"));
        assertThat(matching(v4, ConntrackFilter.natted(Protocol.UDP, "203.0.113.10", "198.51.100.9"))).isEmpty();
        assertThat(matching(v4, ConntrackFilter.nattedPort(Protocol.UDP, 53, "198.51.100.2")))
                .containsExactly(to(v4, "203.0.113.10"));
        assertThat(matching(v4, ConntrackFilter.toAddress(Protocol.TCP, "198.51.100.1"))).isEmpty();
    }

    private static List<ConntrackEntry> matching(List<ConntrackEntry> entries, ConntrackFilter filter) {
        return entries.stream().filter(filter::matches).toList();
    }

    @Test
    void listingReplaysTheRecordedDump() {
        try (var conntrack = new CtnetlinkConntrack(new NetlinkClient(
                new ReplayTransport(Capture.load("conntrack/list-udp-v4.hex"))))) {
            assertThat(conntrack.list(IpFamily.IPV4)).hasSize(3);
        }
    }
}
