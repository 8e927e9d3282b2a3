package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.Attribute;
import io.switchyard.netlink.Attributes;
import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.rules.model.IpFamily;

import java.nio.ByteBuffer;

/**
 * The rtnetlink link and address messages ({@code rtnetlink.h}, {@code if_link.h},
 * {@code if_addr.h}) built and read without a kernel, laid out as iproute2 lays them out.
 */
public final class RtnlCodec {

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int IFINFOMSG_LENGTH = 16;
    static final int IFADDRMSG_LENGTH = 8;

    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    /** {@code RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS}: leave out what we never read. */
    static final int EXT_MASK = 0x9;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_FLAGS = 8;

    private static final int AF_UNSPEC = 0;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int REQUEST = NetlinkMessage.F_REQUEST;
    private static final int ACK = NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK;
    private static final int CREATE = ACK | NetlinkMessage.F_CREATE | NetlinkMessage.F_EXCL;

    private RtnlCodec() {
    }

    private static MessageWriter link(int type, int flags, int index, int ifFlags, int change) {
        return new MessageWriter(type, flags).rawU8(AF_UNSPEC).rawU8(0).rawU16(0).rawU32(index).rawU32(ifFlags)
                .rawU32(change);
    }

    /** {@code RTM_GETLINK} for one link by name (answered by one {@code RTM_NEWLINK}, or ENODEV). */
    public static NetlinkMessage getLink(String name) {
        return link(RTM_GETLINK, REQUEST, 0, 0, 0).u32(IFLA_EXT_MASK, EXT_MASK).string(IFLA_IFNAME, name).build();
    }

    /** {@code RTM_GETLINK} dump of every link. */
    public static NetlinkMessage dumpLinks() {
        return link(RTM_GETLINK, REQUEST | NetlinkMessage.F_DUMP, 0, 0, 0).u32(IFLA_EXT_MASK, EXT_MASK).build();
    }

    /** {@code RTM_NEWLINK} creating a link of a kind that takes no settings ({@code dummy}). */
    public static NetlinkMessage newLink(String name, String kind) {
        return link(RTM_NEWLINK, CREATE, 0, 0, 0).string(IFLA_IFNAME, name)
                .beginNested(IFLA_LINKINFO).stringWithoutNul(IFLA_INFO_KIND, kind).endNested()
                .build();
    }

    /** {@code RTM_NEWLINK} creating a veth pair. */
    public static NetlinkMessage newVethPair(String name, String peerName) {
        return link(RTM_NEWLINK, CREATE, 0, 0, 0).string(IFLA_IFNAME, name)
                .beginNested(IFLA_LINKINFO).stringWithoutNul(IFLA_INFO_KIND, "veth")
                .beginNested(IFLA_INFO_DATA)
                .beginNested(VETH_INFO_PEER).raw(new byte[IFINFOMSG_LENGTH]).string(IFLA_IFNAME, peerName).endNested()
                .endNested().endNested()
                .build();
    }

    /** {@code RTM_NEWLINK} changing only {@code IFF_UP}. */
    public static NetlinkMessage setUp(int index, boolean up) {
        return link(RTM_NEWLINK, ACK, index, up ? Link.IFF_UP : 0, Link.IFF_UP).build();
    }

    /** {@code RTM_DELLINK} by index. */
    public static NetlinkMessage deleteLink(int index) {
        return link(RTM_DELLINK, ACK, index, 0, 0).build();
    }

    private static MessageWriter address(int type, int flags, int index, LinkAddress address, boolean withFlags) {
        int family = family(address.family());
        MessageWriter w = new MessageWriter(type, flags).rawU8(family).rawU8(address.prefixLength())
                .rawU8(withFlags ? address.flags() & 0xff : 0).rawU8(address.scope()).rawU32(index);
        w.ip(IFA_LOCAL, address.address()).ip(IFA_ADDRESS, address.address());
        if (withFlags && (address.flags() & ~0xff) != 0) {
            w.u32(IFA_FLAGS, address.flags());
        }
        return w;
    }

    /** {@code RTM_NEWADDR} adding an address (EEXIST when the link has it). */
    public static NetlinkMessage newAddress(int index, LinkAddress address) {
        return address(RTM_NEWADDR, CREATE, index, address, true).build();
    }

    /** {@code RTM_DELADDR} removing an address (EADDRNOTAVAIL when the link lacks it). */
    public static NetlinkMessage deleteAddress(int index, LinkAddress address) {
        return address(RTM_DELADDR, ACK, index, address, false).build();
    }

    /** {@code RTM_GETADDR} dump of every address of every link (the kernel only filters by link when asked strictly). */
    public static NetlinkMessage dumpAddresses() {
        return new MessageWriter(RTM_GETADDR, REQUEST | NetlinkMessage.F_DUMP).rawU8(AF_UNSPEC).rawU8(0).rawU8(0)
                .rawU8(0).rawU32(0).build();
    }

    private static int family(IpFamily family) {
        return family == IpFamily.IPV4 ? AF_INET : AF_INET6;
    }

    /** Reads an {@code RTM_NEWLINK}. */
    public static Link decodeLink(NetlinkMessage message) {
        ByteBuffer header = message.payloadBuffer();
        if (header.remaining() < IFINFOMSG_LENGTH) {
            throw new NetlinkDecodeException("link message too short: " + header.remaining() + " bytes");
        }
        Attributes a = Attributes.decode(message, IFINFOMSG_LENGTH);
        String kind = a.nested(IFLA_LINKINFO).flatMap(info -> info.string(IFLA_INFO_KIND)).orElse("");
        return new Link(header.getInt(4), a.string(IFLA_IFNAME).orElse(""), header.getInt(8), kind,
                a.u32(IFLA_MTU, 0));
    }

    /** The link index of an {@code RTM_NEWADDR}. */
    public static int addressLinkIndex(NetlinkMessage message) {
        return message.payloadBuffer().getInt(4);
    }

    /** Reads an {@code RTM_NEWADDR}: IFA_LOCAL where present (IPv4), else IFA_ADDRESS. */
    public static LinkAddress decodeAddress(NetlinkMessage message) {
        ByteBuffer header = message.payloadBuffer();
        if (header.remaining() < IFADDRMSG_LENGTH) {
            throw new NetlinkDecodeException("address message too short: " + header.remaining() + " bytes");
        }
        Attributes a = Attributes.decode(message, IFADDRMSG_LENGTH);
        Attribute address = a.find(IFA_LOCAL).orElseGet(() -> a.require(IFA_ADDRESS, "IFA_ADDRESS"));
        int flags = a.u32(IFA_FLAGS, header.get(2) & 0xff);
        return new LinkAddress(address.ip(), header.get(1) & 0xff, header.get(3) & 0xff, flags);
    }
}
