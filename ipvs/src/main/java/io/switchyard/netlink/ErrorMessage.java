package io.switchyard.netlink;

import java.nio.ByteBuffer;

/**
 * The body of an {@code NLMSG_ERROR} (an acknowledgement when errno is 0) or of an
 * {@code NLMSG_DONE}: the errno and the extended-ack text the kernel may add.
 *
 * @param errno          positive errno, 0 for success
 * @param kernelMessage  {@code NLMSGERR_ATTR_MSG}, or empty
 * @param badOffset      {@code NLMSGERR_ATTR_OFFS}: offset of the offending attribute in the request, or -1
 */
public record ErrorMessage(int errno, String kernelMessage, int badOffset) {

    private static final int ATTR_MSG = 1;
    private static final int ATTR_OFFS = 2;

    /** Decodes an {@code NLMSG_ERROR} message. */
    public static ErrorMessage decodeError(NetlinkMessage message) {
        ByteBuffer in = message.payloadBuffer();
        if (in.remaining() < 4) {
            throw new NetlinkDecodeException("netlink error message too short: " + in.remaining() + " bytes");
        }
        int errno = -in.getInt(0);
        int tlvStart = 4;
        if (in.remaining() >= 4 + NetlinkMessage.HEADER_LENGTH) {
            int echoed = (message.flags() & NetlinkMessage.F_CAPPED) != 0
                    ? NetlinkMessage.HEADER_LENGTH : in.getInt(4);
            tlvStart = 4 + Attribute.align(Math.max(echoed, NetlinkMessage.HEADER_LENGTH));
        }
        return withTlvs(message, errno, in, tlvStart);
    }

    /** Decodes the errno of an {@code NLMSG_DONE} (0 when the kernel sent none). */
    public static ErrorMessage decodeDone(NetlinkMessage message) {
        ByteBuffer in = message.payloadBuffer();
        int errno = in.remaining() >= 4 ? -in.getInt(0) : 0;
        return withTlvs(message, errno, in, 4);
    }

    private static ErrorMessage withTlvs(NetlinkMessage message, int errno, ByteBuffer in, int tlvStart) {
        if ((message.flags() & NetlinkMessage.F_ACK_TLVS) == 0 || tlvStart >= in.limit()) {
            return new ErrorMessage(errno, "", -1);
        }
        Attributes tlvs = Attributes.decode(in.position(tlvStart));
        return new ErrorMessage(errno, tlvs.string(ATTR_MSG).orElse(""), tlvs.u32(ATTR_OFFS, -1));
    }
}
