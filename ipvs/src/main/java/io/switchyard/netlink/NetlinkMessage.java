package io.switchyard.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One netlink message: the 16-byte {@code nlmsghdr} and its payload (the family header and the
 * attributes), as it travels in a datagram. Pure: encoding and decoding need no kernel.
 *
 * @param type     {@code nlmsg_type}: a control type below {@link #MIN_TYPE} or a family's message type
 * @param flags    {@code nlmsg_flags}
 * @param sequence {@code nlmsg_seq}
 * @param portId   {@code nlmsg_pid}: 0 from the kernel; the sender's port id in replies to it
 * @param payload  everything after the header, unpadded
 */
public record NetlinkMessage(int type, int flags, int sequence, int portId, byte[] payload) {

    /** Size of {@code struct nlmsghdr}. */
    public static final int HEADER_LENGTH = 16;
    /** Netlink lays out multi-byte header and attribute fields in the host's byte order. */
    public static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** {@code NLMSG_NOOP}. */
    public static final int NOOP = 1;
    /** {@code NLMSG_ERROR}: an error, or with errno 0 an acknowledgement. */
    public static final int ERROR = 2;
    /** {@code NLMSG_DONE}: the end of a multi-part dump. */
    public static final int DONE = 3;
    /** {@code NLMSG_OVERRUN}. */
    public static final int OVERRUN = 4;
    /** Types below this are control messages. */
    public static final int MIN_TYPE = 0x10;

    /** {@code NLM_F_REQUEST}: every message to the kernel. */
    public static final int F_REQUEST = 0x1;
    /** {@code NLM_F_MULTI}: part of a multi-part reply that ends with {@link #DONE}. */
    public static final int F_MULTI = 0x2;
    /** {@code NLM_F_ACK}: ask for an acknowledgement. */
    public static final int F_ACK = 0x4;
    /** {@code NLM_F_DUMP_INTR}: the dump changed while it was produced; its parts are inconsistent. */
    public static final int F_DUMP_INTR = 0x10;
    /** {@code NLM_F_DUMP} ({@code NLM_F_ROOT | NLM_F_MATCH}): list every object. */
    public static final int F_DUMP = 0x300;
    /** {@code NLM_F_REPLACE}: replace an existing object. */
    public static final int F_REPLACE = 0x100;
    /** {@code NLM_F_EXCL}: fail if the object exists. */
    public static final int F_EXCL = 0x200;
    /** {@code NLM_F_CREATE}: create the object if it does not exist. */
    public static final int F_CREATE = 0x400;
    /** On an error message: the original request was not echoed in full. */
    public static final int F_CAPPED = 0x100;
    /** On an error message: extended-ack attributes follow the echoed request. */
    public static final int F_ACK_TLVS = 0x200;

    public NetlinkMessage {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** A read-only view of the payload in netlink byte order. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer().order(ORDER);
    }

    /** The length the header announces: header plus payload, without trailing padding. */
    public int length() {
        return HEADER_LENGTH + payload.length;
    }

    /** This message with another sequence number and port id (as a sender stamps it). */
    public NetlinkMessage stamped(int newSequence, int newPortId) {
        return new NetlinkMessage(type, flags, newSequence, newPortId, payload);
    }

    /** The message's bytes: header, payload, padding to 4 bytes. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(Attribute.align(length())).order(ORDER);
        out.putInt(length()).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(portId);
        out.put(payload);
        return out.array();
    }

    /**
     * Every message in one datagram. Trailing bytes too short to hold a header are ignored (some
     * senders pass a larger buffer than the message they wrote).
     *
     * @throws NetlinkDecodeException when a header announces a length that does not fit
     */
    public static List<NetlinkMessage> decodeAll(ByteBuffer datagram) {
        ByteBuffer in = datagram.duplicate().order(ORDER);
        List<NetlinkMessage> messages = new ArrayList<>();
        while (in.remaining() >= HEADER_LENGTH) {
            int start = in.position();
            int length = in.getInt(start);
            if (length == 0) {
                break;
            }
            if (length < HEADER_LENGTH || length > in.remaining()) {
                throw new NetlinkDecodeException("netlink message at offset " + start + " announces " + length
                        + " bytes but " + in.remaining() + " remain");
            }
            int type = in.getShort(start + 4) & 0xffff;
            int flags = in.getShort(start + 6) & 0xffff;
            int sequence = in.getInt(start + 8);
            int portId = in.getInt(start + 12);
            byte[] payload = new byte[length - HEADER_LENGTH];
            in.get(start + HEADER_LENGTH, payload);
            messages.add(new NetlinkMessage(type, flags, sequence, portId, payload));
            in.position(Math.min(in.limit(), start + Attribute.align(length)));
        }
        return messages;
    }

    /** Decodes exactly one message. */
    public static NetlinkMessage decode(byte[] bytes) {
        List<NetlinkMessage> all = decodeAll(ByteBuffer.wrap(bytes));
        if (all.size() != 1) {
            throw new NetlinkDecodeException("expected one netlink message, found " + all.size());
        }
        return all.getFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && type == m.type && flags == m.flags && sequence == m.sequence
                && portId == m.portId && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * type + flags) + sequence) + portId) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + sequence
                + ", pid=" + portId + ", payload=" + HexFormat.of().formatHex(payload) + "]";
    }
}
