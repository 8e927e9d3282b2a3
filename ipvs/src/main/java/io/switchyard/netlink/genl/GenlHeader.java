package io.switchyard.netlink.genl;

import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkMessage;

import java.nio.ByteBuffer;

/**
 * The generic netlink header ({@code struct genlmsghdr}) that follows {@code nlmsghdr}: the
 * family's command and interface version.
 */
public record GenlHeader(int command, int version) {

    /** Size of {@code struct genlmsghdr}, padding included. */
    public static final int LENGTH = 4;

    /** The header of a generic netlink message. */
    public static GenlHeader of(NetlinkMessage message) {
        ByteBuffer in = message.payloadBuffer();
        if (in.remaining() < LENGTH) {
            throw new NetlinkDecodeException("generic netlink message of type " + message.type()
                    + " lacks its header");
        }
        return new GenlHeader(in.get(0) & 0xff, in.get(1) & 0xff);
    }
}
