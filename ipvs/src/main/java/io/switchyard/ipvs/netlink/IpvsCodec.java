package io.switchyard.ipvs.netlink;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.IpvsInfo;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.netlink.Attribute;
import io.switchyard.netlink.Attributes;
import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.genl.GenericNetlink;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The IPVS generic netlink messages ({@code include/uapi/linux/ip_vs.h}), built and read
 * without a kernel: requests for every command the agent uses, and the model from replies.
 * Requests carry {@code NLM_F_ACK}, nested attributes carry {@code NLA_F_NESTED} and attributes
 * come in ipvsadm's order; unlike ipvsadm, a request names a service or destination it does
 * not change by its identifying attributes alone.
 */
public final class IpvsCodec {

    /** The generic netlink family name. */
    public static final String FAMILY = "IPVS";
    /** {@code IPVS_GENL_VERSION}. */
    public static final int VERSION = 1;

    static final int CMD_NEW_SERVICE = 1;
    static final int CMD_SET_SERVICE = 2;
    static final int CMD_DEL_SERVICE = 3;
    static final int CMD_GET_SERVICE = 4;
    static final int CMD_NEW_DEST = 5;
    static final int CMD_SET_DEST = 6;
    static final int CMD_DEL_DEST = 7;
    static final int CMD_GET_DEST = 8;
    static final int CMD_SET_CONFIG = 12;
    static final int CMD_GET_CONFIG = 13;
    static final int CMD_GET_INFO = 15;
    static final int CMD_FLUSH = 17;

    static final int ATTR_SERVICE = 1;
    static final int ATTR_DEST = 2;
    static final int ATTR_TIMEOUT_TCP = 4;
    static final int ATTR_TIMEOUT_TCP_FIN = 5;
    static final int ATTR_TIMEOUT_UDP = 6;

    static final int SVC_AF = 1;
    static final int SVC_PROTOCOL = 2;
    static final int SVC_ADDR = 3;
    static final int SVC_PORT = 4;
    static final int SVC_FWMARK = 5;
    static final int SVC_SCHED_NAME = 6;
    static final int SVC_FLAGS = 7;
    static final int SVC_TIMEOUT = 8;
    static final int SVC_NETMASK = 9;

    static final int DEST_ADDR = 1;
    static final int DEST_PORT = 2;
    static final int DEST_FWD_METHOD = 3;
    static final int DEST_WEIGHT = 4;
    static final int DEST_U_THRESH = 5;
    static final int DEST_L_THRESH = 6;
    static final int DEST_ACTIVE_CONNS = 7;
    static final int DEST_INACT_CONNS = 8;
    static final int DEST_PERSIST_CONNS = 9;
    static final int DEST_ADDR_FAMILY = 11;

    static final int INFO_VERSION = 1;
    static final int INFO_CONN_TAB_SIZE = 2;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_SCTP = 132;
    private static final int ACK = NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK;

    private final int familyId;

    /** A codec for the IPVS family under the id the kernel gave it. */
    public IpvsCodec(int familyId) {
        this.familyId = familyId;
    }

    private MessageWriter message(int command, int flags) {
        return GenericNetlink.message(familyId, command, VERSION, flags);
    }

    /** {@code IPVS_CMD_GET_INFO}. */
    public NetlinkMessage getInfo() {
        return message(CMD_GET_INFO, ACK).build();
    }

    /** {@code IPVS_CMD_GET_SERVICE} as a dump of every service. */
    public NetlinkMessage dumpServices() {
        return message(CMD_GET_SERVICE, ACK | NetlinkMessage.F_DUMP).build();
    }

    /** {@code IPVS_CMD_NEW_SERVICE}. */
    public NetlinkMessage newService(VirtualServer service) {
        return serviceMessage(CMD_NEW_SERVICE, service);
    }

    /** {@code IPVS_CMD_SET_SERVICE}. */
    public NetlinkMessage setService(VirtualServer service) {
        return serviceMessage(CMD_SET_SERVICE, service);
    }

    private NetlinkMessage serviceMessage(int command, VirtualServer service) {
        MessageWriter w = message(command, ACK);
        w.beginNested(ATTR_SERVICE | Attribute.F_NESTED);
        serviceIdentity(w, service.key());
        w.string(SVC_SCHED_NAME, service.scheduler());
        w.bytes(SVC_FLAGS, flags(service.flags()));
        w.u32(SVC_TIMEOUT, service.timeoutSeconds());
        w.u32(SVC_NETMASK, service.netmask());
        return w.endNested().build();
    }

    /** {@code IPVS_CMD_DEL_SERVICE}: only the identifying attributes. */
    public NetlinkMessage delService(VirtualServer.Key service) {
        return withService(message(CMD_DEL_SERVICE, ACK), service).build();
    }

    /** {@code IPVS_CMD_GET_DEST} as a dump of one service's destinations. */
    public NetlinkMessage dumpDestinations(VirtualServer.Key service) {
        return withService(message(CMD_GET_DEST, ACK | NetlinkMessage.F_DUMP), service).build();
    }

    /** {@code IPVS_CMD_NEW_DEST}. */
    public NetlinkMessage newDestination(VirtualServer.Key service, Destination destination) {
        return destinationMessage(CMD_NEW_DEST, service, destination);
    }

    /** {@code IPVS_CMD_SET_DEST}. */
    public NetlinkMessage setDestination(VirtualServer.Key service, Destination destination) {
        return destinationMessage(CMD_SET_DEST, service, destination);
    }

    private NetlinkMessage destinationMessage(int command, VirtualServer.Key service, Destination destination) {
        MessageWriter w = withService(message(command, ACK), service);
        w.beginNested(ATTR_DEST | Attribute.F_NESTED);
        destinationIdentity(w, destination.key());
        w.u32(DEST_FWD_METHOD, destination.method().kernelValue());
        w.u32(DEST_WEIGHT, destination.weight());
        w.u32(DEST_U_THRESH, destination.upperThreshold());
        w.u32(DEST_L_THRESH, destination.lowerThreshold());
        return w.endNested().build();
    }

    /** {@code IPVS_CMD_DEL_DEST}: the service's and the destination's identifying attributes. */
    public NetlinkMessage delDestination(VirtualServer.Key service, Destination.Key destination) {
        MessageWriter w = withService(message(CMD_DEL_DEST, ACK), service);
        w.beginNested(ATTR_DEST | Attribute.F_NESTED);
        destinationIdentity(w, destination);
        return w.endNested().build();
    }

    /** {@code IPVS_CMD_FLUSH}. */
    public NetlinkMessage flush() {
        return message(CMD_FLUSH, ACK).build();
    }

    /** {@code IPVS_CMD_GET_CONFIG}. */
    public NetlinkMessage getConfig() {
        return message(CMD_GET_CONFIG, ACK).build();
    }

    /** {@code IPVS_CMD_SET_CONFIG}: all three timeouts (a 0 leaves one unchanged). */
    public NetlinkMessage setConfig(IpvsTimeouts timeouts) {
        return message(CMD_SET_CONFIG, ACK)
                .u32(ATTR_TIMEOUT_TCP, timeouts.tcpSeconds())
                .u32(ATTR_TIMEOUT_TCP_FIN, timeouts.tcpFinSeconds())
                .u32(ATTR_TIMEOUT_UDP, timeouts.udpSeconds())
                .build();
    }

    private MessageWriter withService(MessageWriter w, VirtualServer.Key service) {
        w.beginNested(ATTR_SERVICE | Attribute.F_NESTED);
        serviceIdentity(w, service);
        return w.endNested();
    }

    private static void serviceIdentity(MessageWriter w, VirtualServer.Key key) {
        w.u16(SVC_AF, addressFamily(key.family()));
        if (key.fwmark() != 0) {
            w.u32(SVC_FWMARK, key.fwmark());
            return;
        }
        w.u16(SVC_PROTOCOL, protocolNumber(key.protocol()));
        w.ip16(SVC_ADDR, key.address());
        w.be16(SVC_PORT, key.port());
    }

    private static void destinationIdentity(MessageWriter w, Destination.Key key) {
        byte[] address = MessageWriter.addressBytes(key.address());
        w.u16(DEST_ADDR_FAMILY, address.length == 4 ? AF_INET : AF_INET6);
        w.ip16(DEST_ADDR, key.address());
        w.be16(DEST_PORT, key.port());
    }

    /** {@code struct ip_vs_flags}: the flags, and a mask saying every bit is meant. */
    private static byte[] flags(int flags) {
        return ByteBuffer.allocate(8).order(NetlinkMessage.ORDER).putInt(flags).putInt(-1).array();
    }

    /** The kernel's address family number. */
    static int addressFamily(IpFamily family) {
        return family == IpFamily.IPV4 ? AF_INET : AF_INET6;
    }

    private static IpFamily ipFamily(int addressFamily) {
        return switch (addressFamily) {
            case AF_INET -> IpFamily.IPV4;
            case AF_INET6 -> IpFamily.IPV6;
            default -> null;
        };
    }

    static int protocolNumber(Protocol protocol) {
        return switch (protocol) {
            case TCP -> IPPROTO_TCP;
            case UDP -> IPPROTO_UDP;
            case SCTP -> IPPROTO_SCTP;
        };
    }

    private static Protocol protocol(int number) {
        return switch (number) {
            case IPPROTO_TCP -> Protocol.TCP;
            case IPPROTO_UDP -> Protocol.UDP;
            case IPPROTO_SCTP -> Protocol.SCTP;
            default -> null;
        };
    }

    private static int addressLength(IpFamily family) {
        return family == IpFamily.IPV4 ? 4 : 16;
    }

    /** Reads a {@code GET_INFO} reply. */
    public static IpvsInfo decodeInfo(NetlinkMessage reply) {
        Attributes a = GenericNetlink.attributes(reply);
        return new IpvsInfo(a.require(INFO_VERSION, "IPVS_INFO_ATTR_VERSION").u32(),
                a.u32(INFO_CONN_TAB_SIZE, 0));
    }

    /** Reads a {@code GET_CONFIG} reply. */
    public static IpvsTimeouts decodeConfig(NetlinkMessage reply) {
        Attributes a = GenericNetlink.attributes(reply);
        return new IpvsTimeouts(a.u32(ATTR_TIMEOUT_TCP, 0), a.u32(ATTR_TIMEOUT_TCP_FIN, 0),
                a.u32(ATTR_TIMEOUT_UDP, 0));
    }

    /**
     * Reads one service of a {@code GET_SERVICE} dump; empty for a service the model cannot hold
     * (a family other than IPv4/IPv6, or a protocol other than TCP, UDP and SCTP).
     */
    public static Optional<VirtualServer> decodeService(NetlinkMessage reply) {
        Attributes s = GenericNetlink.attributes(reply).require(ATTR_SERVICE, "IPVS_CMD_ATTR_SERVICE").nested();
        IpFamily family = ipFamily(s.require(SVC_AF, "IPVS_SVC_ATTR_AF").u16());
        if (family == null) {
            return Optional.empty();
        }
        int fwmark = s.u32(SVC_FWMARK, 0);
        Protocol protocol = Protocol.TCP;
        String address = "";
        int port = 0;
        if (fwmark == 0) {
            protocol = protocol(s.require(SVC_PROTOCOL, "IPVS_SVC_ATTR_PROTOCOL").u16());
            if (protocol == null) {
                return Optional.empty();
            }
            address = s.require(SVC_ADDR, "IPVS_SVC_ATTR_ADDR").ip(addressLength(family));
            port = s.require(SVC_PORT, "IPVS_SVC_ATTR_PORT").be16();
        }
        int flags = s.find(SVC_FLAGS).map(Attribute::u32).orElse(0);
        return Optional.of(new VirtualServer(family, protocol, address, port, fwmark,
                s.string(SVC_SCHED_NAME).orElse(""), flags, s.u32(SVC_TIMEOUT, 0), s.u32(SVC_NETMASK, 0)));
    }

    /**
     * Reads one destination of a {@code GET_DEST} dump. Its address family comes from
     * {@code IPVS_DEST_ATTR_ADDR_FAMILY} where the kernel sends it, else from the service.
     */
    public static Destination decodeDestination(NetlinkMessage reply, IpFamily serviceFamily) {
        Attributes d = GenericNetlink.attributes(reply).require(ATTR_DEST, "IPVS_CMD_ATTR_DEST").nested();
        IpFamily family = d.find(DEST_ADDR_FAMILY).map(a -> ipFamily(a.u16())).orElse(serviceFamily);
        if (family == null) {
            family = serviceFamily;
        }
        return new Destination(
                d.require(DEST_ADDR, "IPVS_DEST_ATTR_ADDR").ip(addressLength(family)),
                d.require(DEST_PORT, "IPVS_DEST_ATTR_PORT").be16(),
                d.u32(DEST_WEIGHT, 0),
                ForwardMethod.fromKernel(d.u32(DEST_FWD_METHOD, 0)),
                d.u32(DEST_U_THRESH, 0),
                d.u32(DEST_L_THRESH, 0),
                d.u32(DEST_ACTIVE_CONNS, 0),
                d.u32(DEST_INACT_CONNS, 0),
                d.u32(DEST_PERSIST_CONNS, 0));
    }
}
