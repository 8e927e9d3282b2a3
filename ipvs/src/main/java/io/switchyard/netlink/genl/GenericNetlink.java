package io.switchyard.netlink.genl;

import io.switchyard.netlink.Attributes;
import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkMessage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Generic netlink over one client: builds messages with the generic header and resolves family
 * names to ids through the {@code nlctrl} family ({@code CTRL_CMD_GETFAMILY}), once per name.
 */
public final class GenericNetlink implements AutoCloseable {

    /** {@code GENL_ID_CTRL}: the controller family's fixed id. */
    public static final int CONTROLLER_ID = 0x10;
    /** {@code CTRL_CMD_GETFAMILY}. */
    public static final int CTRL_CMD_GETFAMILY = 3;
    /** {@code CTRL_ATTR_FAMILY_ID}: u16. */
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    /** {@code CTRL_ATTR_FAMILY_NAME}: string. */
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    /** {@code CTRL_ATTR_VERSION}: u32. */
    public static final int CTRL_ATTR_VERSION = 3;
    /** The controller interface version requests carry. */
    public static final int CONTROLLER_VERSION = 1;

    private final NetlinkClient client;
    private final Map<String, GenlFamily> families = new ConcurrentHashMap<>();

    /** Generic netlink over a client of a {@code NETLINK_GENERIC} socket. */
    public GenericNetlink(NetlinkClient client) {
        this.client = client;
    }

    /** The underlying client, for sending the family's own requests. */
    public NetlinkClient client() {
        return client;
    }

    /** A message to a family: the netlink header's type is the family id, then the generic header. */
    public static MessageWriter message(int familyId, int command, int version, int flags) {
        return new MessageWriter(familyId, flags).rawU8(command).rawU8(version).rawU16(0);
    }

    /** The attributes after the generic header. */
    public static Attributes attributes(NetlinkMessage message) {
        return Attributes.decode(message, GenlHeader.LENGTH);
    }

    /** The request that asks the controller for a family by name. */
    public static NetlinkMessage familyRequest(String name) {
        return message(CONTROLLER_ID, CTRL_CMD_GETFAMILY, CONTROLLER_VERSION,
                NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK)
                .string(CTRL_ATTR_FAMILY_NAME, name)
                .build();
    }

    /** Decodes the controller's answer about a family. */
    public static GenlFamily decodeFamily(NetlinkMessage reply) {
        Attributes attributes = attributes(reply);
        return new GenlFamily(
                attributes.string(CTRL_ATTR_FAMILY_NAME).orElse(""),
                attributes.require(CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID").u16(),
                attributes.u32(CTRL_ATTR_VERSION, 0));
    }

    /**
     * The family registered under a name, asked once and then remembered.
     *
     * @throws io.switchyard.netlink.NetlinkException {@code ENOENT} when the kernel has no such
     *         family (e.g. the IPVS module is not loaded)
     */
    public GenlFamily family(String name) {
        GenlFamily known = families.get(name);
        if (known != null) {
            return known;
        }
        GenlFamily family = decodeFamily(client.query(familyRequest(name),
                "resolve generic netlink family " + name));
        families.put(name, family);
        return family;
    }

    @Override
    public void close() {
        client.close();
    }
}
