package io.switchyard.ipvs.netlink;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.netlink.Attribute;
import io.switchyard.netlink.Capture;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.genl.GenericNetlink;
import io.switchyard.netlink.genl.GenlFamily;
import io.switchyard.netlink.genl.GenlHeader;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our IPVS requests against ipvsadm's, recorded with strace in the VM (captures/ipvs, see
 * captures/README.md), and our decoding of the kernel's recorded replies.
 */
class IpvsCodecTest {

    /** The id the VM's kernel gave the IPVS family in these recordings. */
    private static final int FAMILY_ID = 0x20;
    private final IpvsCodec codec = new IpvsCodec(FAMILY_ID);

    private static final VirtualServer.Key TCP_V4 = new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP,
            "198.51.100.10", 80);
    private static final VirtualServer.Key UDP_V6 = new VirtualServer.Key(IpFamily.IPV6, Protocol.UDP,
            "2001:db8::10", 53);

    private static byte[] bytes(NetlinkMessage m) {
        return Capture.normalised(m);
    }

    /** The last request ipvsadm sent in a recording: the command itself. */
    private static NetlinkMessage command(String capture) {
        return Capture.load("ipvs/" + capture).last().requestMessage();
    }

    /**
     * ipvsadm names the service of a destination or delete request with every service attribute
     * (an empty scheduler, zero flags) and sends tunnel attributes with each destination; we send
     * the identifying attributes only, which is all the kernel reads. This drops the rest from
     * ipvsadm's request so the remainder must match ours byte for byte.
     */
    private static NetlinkMessage identityOnly(NetlinkMessage recorded, boolean keepDestinationSettings) {
        return Capture.rewriteAttributes(recorded, GenlHeader.LENGTH, attributes -> {
            List<Attribute> out = new ArrayList<>();
            for (Attribute a : attributes) {
                if (a.type() == IpvsCodec.ATTR_SERVICE) {
                    out.add(Capture.keepOnly(a, IpvsCodec.SVC_AF, IpvsCodec.SVC_PROTOCOL, IpvsCodec.SVC_ADDR,
                            IpvsCodec.SVC_PORT, IpvsCodec.SVC_FWMARK));
                } else if (a.type() == IpvsCodec.ATTR_DEST) {
                    out.add(keepDestinationSettings
                            ? Capture.keepOnly(a, IpvsCodec.DEST_ADDR_FAMILY, IpvsCodec.DEST_ADDR, IpvsCodec.DEST_PORT,
                            IpvsCodec.DEST_FWD_METHOD, IpvsCodec.DEST_WEIGHT, IpvsCodec.DEST_U_THRESH,
                            IpvsCodec.DEST_L_THRESH)
                            : Capture.keepOnly(a, IpvsCodec.DEST_ADDR_FAMILY, IpvsCodec.DEST_ADDR, IpvsCodec.DEST_PORT));
                } else {
                    out.add(a);
                }
            }
            return out;
        });
    }

    @Test
    void familyRequestAndReplyMatchTheRecording() {
        Capture.Exchange resolve = Capture.load("ipvs/add-service-tcp-v4.hex").exchanges().getFirst();
        assertThat(bytes(GenericNetlink.familyRequest("IPVS"))).isEqualTo(bytes(resolve.requestMessage()));
        GenlFamily family = GenericNetlink.decodeFamily(resolve.replyMessages().getFirst());
        assertThat(family).isEqualTo(new GenlFamily("IPVS", FAMILY_ID, 1));
    }

    @Test
    void infoRequestAndReply() {
        Capture.Exchange info = Capture.load("ipvs/info.hex").requestsOfType(FAMILY_ID).getFirst();
        assertThat(bytes(codec.getInfo())).isEqualTo(bytes(info.requestMessage()));
        assertThat(IpvsCodec.decodeInfo(info.replyMessages().getFirst()).versionString()).isEqualTo("1.2.1");
        assertThat(IpvsCodec.decodeInfo(info.replyMessages().getFirst()).connectionTableSize()).isEqualTo(4096);
    }

    @Test
    void newServiceIsIpvsadmsByteForByte() {
        assertThat(bytes(codec.newService(VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, "rr", 0))))
                .isEqualTo(bytes(command("add-service-tcp-v4.hex")));
        assertThat(bytes(codec.newService(VirtualServer.of(IpFamily.IPV6, Protocol.UDP, "2001:db8::10", 53, "rr", 0))))
                .isEqualTo(bytes(command("add-service-udp-v6.hex")));
    }

    @Test
    void setServiceWithPersistenceIsIpvsadmsByteForByte() {
        VirtualServer persistent = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, "wrr", 10800);
        assertThat(bytes(codec.setService(persistent))).isEqualTo(bytes(command("edit-service-persistent.hex")));
    }

    @Test
    void deleteServiceSendsTheIdentityIpvsadmSends() {
        assertThat(bytes(codec.delService(TCP_V4)))
                .isEqualTo(bytes(identityOnly(command("del-service-v4.hex"), false)));
    }

    @Test
    void destinationRequestsMatchIpvsadmsIdentityAndSettings() {
        assertThat(bytes(codec.newDestination(TCP_V4, Destination.masq("203.0.113.1", 8080, 1))))
                .isEqualTo(bytes(identityOnly(command("add-dest-v4.hex"), true)));
        assertThat(bytes(codec.newDestination(UDP_V6, Destination.masq("2001:db8::1:1", 5353, 2))))
                .isEqualTo(bytes(identityOnly(command("add-dest-v6.hex"), true)));
        Destination edited = new Destination("203.0.113.1", 8080, 0, ForwardMethod.MASQ, 100, 10, 0, 0);
        assertThat(bytes(codec.setDestination(TCP_V4, edited)))
                .isEqualTo(bytes(identityOnly(command("edit-dest-v4.hex"), true)));
        assertThat(bytes(codec.delDestination(TCP_V4, new Destination.Key("203.0.113.1", 8080))))
                .isEqualTo(bytes(identityOnly(command("del-dest-v4.hex"), false)));
    }

    @Test
    void dumpRequestsAreIpvsadmsByteForByte() {
        List<Capture.Exchange> list = Capture.load("ipvs/list.hex").requestsOfType(FAMILY_ID);
        assertThat(bytes(codec.dumpServices())).isEqualTo(bytes(list.get(1).requestMessage()));
        assertThat(bytes(codec.dumpDestinations(UDP_V6))).isEqualTo(bytes(list.get(3).requestMessage()));
        assertThat(bytes(codec.dumpDestinations(TCP_V4))).isEqualTo(bytes(list.get(2).requestMessage()));
    }

    @Test
    void decodesTheKernelsServiceAndDestinationDumps() {
        List<Capture.Exchange> list = Capture.load("ipvs/list.hex").requestsOfType(FAMILY_ID);
        List<VirtualServer> services = list.get(1).replyMessages().stream()
                .filter(m -> m.type() == FAMILY_ID)
                .map(m -> IpvsCodec.decodeService(m).orElseThrow())
                .toList();
        assertThat(services).containsExactlyInAnyOrder(
                new VirtualServer(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, 0, "wrr",
                        VirtualServer.PERSISTENT | VirtualServer.HASHED, 10800, 0xffffffff),
                new VirtualServer(IpFamily.IPV6, Protocol.UDP, "2001:db8::10", 53, 0, "rr", VirtualServer.HASHED, 0,
                        128));

        List<Destination> v4 = list.get(2).replyMessages().stream().filter(m -> m.type() == FAMILY_ID)
                .map(m -> IpvsCodec.decodeDestination(m, IpFamily.IPV4)).toList();
        assertThat(v4).containsExactly(new Destination("203.0.113.1", 8080, 0, ForwardMethod.MASQ, 100, 10, 0, 0, 0));
        List<Destination> v6 = list.get(3).replyMessages().stream().filter(m -> m.type() == FAMILY_ID)
                .map(m -> IpvsCodec.decodeDestination(m, IpFamily.IPV6)).toList();
        assertThat(v6).containsExactly(Destination.masq("2001:db8::1:1", 5353, 2));
    }

    @Test
    void timeoutsAndFlushAreIpvsadmsByteForByte() {
        assertThat(bytes(codec.setConfig(new IpvsTimeouts(900, 120, 300)))).isEqualTo(bytes(command("set-timeouts.hex")));
        Capture.Exchange get = Capture.load("ipvs/get-timeouts.hex").last();
        assertThat(bytes(codec.getConfig())).isEqualTo(bytes(get.requestMessage()));
        assertThat(IpvsCodec.decodeConfig(get.replyMessages().getFirst())).isEqualTo(new IpvsTimeouts(900, 120, 300));
        assertThat(bytes(codec.flush())).isEqualTo(bytes(command("flush.hex")));
    }
}
