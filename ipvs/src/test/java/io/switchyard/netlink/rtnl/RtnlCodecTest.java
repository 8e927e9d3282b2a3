package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.Capture;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.ErrorMessage;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.ReplayTransport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our rtnetlink requests against iproute2's, recorded with strace (captures/rtnl: veth and
 * addresses on this host, the dummy link in the VM), our decoding of the kernel's replies, and
 * {@link RtnetlinkInterfaces} replaying whole recorded conversations.
 */
class RtnlCodecTest {

    private static NetlinkMessage command(String capture) {
        return Capture.load("rtnl/" + capture).last().requestMessage();
    }

    private static byte[] bytes(NetlinkMessage m) {
        return Capture.normalised(m);
    }

    @Test
    void linkLookupIsIproutesByteForByteAndItsReplyDecodes() {
        Capture.Exchange lookup = Capture.load("rtnl/addr-add-v4.hex").requestsOfType(RtnlCodec.RTM_GETLINK).getFirst();
        assertThat(bytes(RtnlCodec.getLink("sy0"))).isEqualTo(bytes(lookup.requestMessage()));
        Link link = RtnlCodec.decodeLink(lookup.replyMessages().getFirst());
        assertThat(link).isEqualTo(new Link(3, "sy0", 0x1002, "veth", 1500));
        assertThat(link.isUp()).isFalse();
    }

    @Test
    void linkCreationIsIproutesByteForByte() {
        assertThat(bytes(RtnlCodec.newVethPair("sy0", "sy1"))).isEqualTo(bytes(command("link-add-veth.hex")));
        assertThat(bytes(RtnlCodec.newLink("kube-ipvs0", "dummy"))).isEqualTo(bytes(command("link-add-dummy.hex")));
    }

    @Test
    void dummyLinkReplyDecodesWithItsKind() {
        NetlinkMessage reply = Capture.load("rtnl/link-get-dummy.hex").last().replyMessages().getFirst();
        Link link = RtnlCodec.decodeLink(reply);
        assertThat(link.name()).isEqualTo("kube-ipvs0");
        assertThat(link.kind()).isEqualTo("dummy");
        assertThat(link.isUp()).isFalse();
    }

    @Test
    void upDownAndDeleteAreIproutesByteForByte() {
        assertThat(bytes(RtnlCodec.setUp(3, true))).isEqualTo(bytes(command("link-set-up.hex")));
        assertThat(bytes(RtnlCodec.setUp(3, false))).isEqualTo(bytes(command("link-set-down.hex")));
        assertThat(bytes(RtnlCodec.deleteLink(3))).isEqualTo(bytes(command("link-del.hex")));
    }

    @Test
    void addressRequestsAreIproutesByteForByte() {
        assertThat(bytes(RtnlCodec.newAddress(3, LinkAddress.host("198.51.100.7"))))
                .isEqualTo(bytes(command("addr-add-v4.hex")));
        assertThat(bytes(RtnlCodec.newAddress(3, new LinkAddress("2001:db8::7", 128, 0, LinkAddress.NODAD))))
                .isEqualTo(bytes(command("addr-add-v6.hex")));
        assertThat(bytes(RtnlCodec.deleteAddress(3, LinkAddress.host("198.51.100.7"))))
                .isEqualTo(bytes(command("addr-del-v4.hex")));
        assertThat(bytes(RtnlCodec.deleteAddress(3, new LinkAddress("2001:db8::7", 128, 0, LinkAddress.NODAD))))
                .isEqualTo(bytes(command("addr-del-v6.hex")));
    }

    @Test
    void addressDumpDecodes() {
        List<LinkAddress> addresses = Capture.load("rtnl/addr-list.hex").last().replyMessages().stream()
                .filter(m -> m.type() == RtnlCodec.RTM_NEWADDR)
                .map(RtnlCodec::decodeAddress)
                .toList();
        assertThat(addresses).containsExactly(
                new LinkAddress("198.51.100.7", 32, LinkAddress.SCOPE_UNIVERSE, LinkAddress.PERMANENT),
                new LinkAddress("2001:db8::7", 128, LinkAddress.SCOPE_UNIVERSE,
                        LinkAddress.PERMANENT | LinkAddress.NODAD));
    }

    @Test
    void existingAddressErrorCarriesTheKernelsText() {
        NetlinkMessage error = Capture.load("rtnl/addr-add-v4-exists.hex").last().replyMessages().getFirst();
        assertThat(ErrorMessage.decodeError(error))
                .isEqualTo(new ErrorMessage(Errno.EEXIST, "ipv4: Address already assigned", -1));
    }

    @Test
    void replayedConversationsGiveTheInterfaceAnswers() {
        try (var interfaces = new RtnetlinkInterfaces(new NetlinkClient(
                new ReplayTransport(Capture.load("rtnl/addr-add-v4.hex"))))) {
            assertThat(interfaces.addAddress("sy0", LinkAddress.host("198.51.100.7"))).isTrue();
        }
        try (var interfaces = new RtnetlinkInterfaces(new NetlinkClient(
                new ReplayTransport(Capture.load("rtnl/addr-add-v4-exists.hex"))))) {
            assertThat(interfaces.addAddress("sy0", LinkAddress.host("198.51.100.7"))).isFalse();
        }
        try (var interfaces = new RtnetlinkInterfaces(new NetlinkClient(
                new ReplayTransport(Capture.load("rtnl/link-get-missing.hex"))))) {
            assertThat(interfaces.link("sy0")).isEmpty();
        }
        try (var interfaces = new RtnetlinkInterfaces(new NetlinkClient(
                new ReplayTransport(Capture.load("rtnl/link-set-up.hex"))))) {
            interfaces.setUp("sy0", true);
        }
    }
}
