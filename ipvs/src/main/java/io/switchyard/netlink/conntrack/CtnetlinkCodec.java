package io.switchyard.netlink.conntrack;

import io.switchyard.netlink.Attribute;
import io.switchyard.netlink.Attributes;
import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

import java.util.Optional;

/**
 * The ctnetlink messages ({@code nfnetlink_conntrack.h}) built and read without a kernel: the
 * dump of a family's entries and the deletion of one entry. Multi-byte values are big-endian,
 * nested attributes carry {@code NLA_F_NESTED}, as conntrack-tools sends them.
 */
public final class CtnetlinkCodec {

    /** {@code NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW}: an entry in a dump. */
    static final int MSG_NEW = 1 << 8;
    /** {@code ... | IPCTNL_MSG_CT_GET}. */
    static final int MSG_GET = (1 << 8) | 1;
    /** {@code ... | IPCTNL_MSG_CT_DELETE}. */
    static final int MSG_DELETE = (1 << 8) | 2;
    /** {@code struct nfgenmsg}: family, version, resource id. */
    static final int NFGENMSG_LENGTH = 4;

    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_REPLY = 2;
    static final int CTA_STATUS = 3;
    static final int CTA_TIMEOUT = 7;
    static final int CTA_MARK = 8;
    static final int CTA_ID = 12;
    static final int CTA_ZONE = 18;
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_IP_V4_SRC = 1;
    static final int CTA_IP_V4_DST = 2;
    static final int CTA_IP_V6_SRC = 3;
    static final int CTA_IP_V6_DST = 4;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_SRC_PORT = 2;
    static final int CTA_PROTO_DST_PORT = 3;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int NESTED = Attribute.F_NESTED;

    private CtnetlinkCodec() {
    }

    private static MessageWriter message(int type, int flags, IpFamily family) {
        return new MessageWriter(type, flags).rawU8(family == IpFamily.IPV4 ? AF_INET : AF_INET6).rawU8(0).rawBe16(0);
    }

    /** {@code IPCTNL_MSG_CT_GET} dump of every entry of a family. */
    public static NetlinkMessage dump(IpFamily family) {
        return message(MSG_GET, NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP, family).build();
    }

    /** {@code IPCTNL_MSG_CT_DELETE} of one entry: its original tuple, its id, and its zone when not 0. */
    public static NetlinkMessage delete(ConntrackEntry entry) {
        MessageWriter w = message(MSG_DELETE, NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK, entry.family());
        tuple(w, CTA_TUPLE_ORIG, entry.family(), entry.original());
        w.be32(CTA_ID, entry.id());
        if (entry.zone() != 0) {
            w.be16(CTA_ZONE, entry.zone());
        }
        return w.build();
    }

    private static void tuple(MessageWriter w, int type, IpFamily family, ConntrackTuple tuple) {
        w.beginNested(type | NESTED);
        w.beginNested(CTA_TUPLE_IP | NESTED);
        w.ip(family == IpFamily.IPV4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, tuple.source());
        w.ip(family == IpFamily.IPV4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, tuple.destination());
        w.endNested();
        w.beginNested(CTA_TUPLE_PROTO | NESTED);
        w.u8(CTA_PROTO_NUM, tuple.protocol());
        if (hasPorts(tuple.protocol())) {
            w.be16(CTA_PROTO_SRC_PORT, tuple.sourcePort());
            w.be16(CTA_PROTO_DST_PORT, tuple.destinationPort());
        }
        w.endNested();
        w.endNested();
    }

    private static boolean hasPorts(int protocol) {
        return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 33 || protocol == 136;
    }

    /** The IP protocol number of a service protocol. */
    public static int protocolNumber(Protocol protocol) {
        return switch (protocol) {
            case TCP -> 6;
            case UDP -> 17;
            case SCTP -> 132;
        };
    }

    /**
     * Reads one entry of a dump; empty for a family other than IPv4/IPv6 or an entry without
     * both tuples.
     */
    public static Optional<ConntrackEntry> decode(NetlinkMessage message) {
        int af = message.payloadBuffer().get(0) & 0xff;
        IpFamily family = af == AF_INET ? IpFamily.IPV4 : af == AF_INET6 ? IpFamily.IPV6 : null;
        if (family == null) {
            return Optional.empty();
        }
        Attributes a = Attributes.decode(message, NFGENMSG_LENGTH);
        Optional<Attributes> original = a.nested(CTA_TUPLE_ORIG);
        Optional<Attributes> reply = a.nested(CTA_TUPLE_REPLY);
        if (original.isEmpty() || reply.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ConntrackEntry(family, tuple(original.get()), tuple(reply.get()),
                a.find(CTA_ID).map(Attribute::be32).orElse(0),
                a.find(CTA_ZONE).map(Attribute::be16).orElse(0),
                a.find(CTA_MARK).map(Attribute::be32).orElse(0),
                a.find(CTA_STATUS).map(Attribute::be32).orElse(0),
                a.find(CTA_TIMEOUT).map(Attribute::be32).orElse(0)));
    }

    private static ConntrackTuple tuple(Attributes tuple) {
        Attributes ip = tuple.require(CTA_TUPLE_IP, "CTA_TUPLE_IP").nested();
        Attributes proto = tuple.require(CTA_TUPLE_PROTO, "CTA_TUPLE_PROTO").nested();
        Attribute source = ip.find(CTA_IP_V4_SRC).or(() -> ip.find(CTA_IP_V6_SRC))
                .orElseThrow(() -> new NetlinkDecodeException("conntrack tuple lacks a source address"));
        Attribute destination = ip.find(CTA_IP_V4_DST).or(() -> ip.find(CTA_IP_V6_DST))
                .orElseThrow(() -> new NetlinkDecodeException("conntrack tuple lacks a destination address"));
        return new ConntrackTuple(source.ip(), destination.ip(), proto.u8(CTA_PROTO_NUM, 0),
                proto.be16(CTA_PROTO_SRC_PORT, 0), proto.be16(CTA_PROTO_DST_PORT, 0));
    }
}
