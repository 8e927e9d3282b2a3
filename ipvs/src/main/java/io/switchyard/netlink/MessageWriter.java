package io.switchyard.netlink;

import io.switchyard.rules.model.IpLiteral;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one request: the family's fixed header, then attributes (nested ones closed in order),
 * each padded to 4 bytes. The sequence number and port id are stamped when it is sent.
 */
public final class MessageWriter {

    private final int type;
    private final int flags;
    private ByteBuffer out = ByteBuffer.allocate(128).order(NetlinkMessage.ORDER);
    private final Deque<Integer> openNests = new ArrayDeque<>();

    /** A message of a type with flags ({@link NetlinkMessage#F_REQUEST} is the caller's to set). */
    public MessageWriter(int type, int flags) {
        this.type = type;
        this.flags = flags;
    }

    private ByteBuffer room(int bytes) {
        if (out.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes))
                    .order(NetlinkMessage.ORDER);
            bigger.put(out.flip());
            out = bigger;
        }
        return out;
    }

    private void pad() {
        int padding = Attribute.align(out.position()) - out.position();
        room(padding).put(new byte[padding]);
    }

    /** Raw bytes of the fixed family header (no attribute header, no padding). */
    public MessageWriter raw(byte[] bytes) {
        room(bytes.length).put(bytes);
        return this;
    }

    /** A raw byte of the fixed family header. */
    public MessageWriter rawU8(int value) {
        room(1).put((byte) value);
        return this;
    }

    /** A raw host-order 16-bit field of the fixed family header. */
    public MessageWriter rawU16(int value) {
        room(2).putShort((short) value);
        return this;
    }

    /** A raw network-order 16-bit field of the fixed family header. */
    public MessageWriter rawBe16(int value) {
        room(2).order(ByteOrder.BIG_ENDIAN).putShort((short) value).order(NetlinkMessage.ORDER);
        return this;
    }

    /** A raw host-order 32-bit field of the fixed family header. */
    public MessageWriter rawU32(int value) {
        room(4).putInt(value);
        return this;
    }

    /** An attribute with the given value bytes; {@code type} may carry the flag bits. */
    public MessageWriter bytes(int type, byte[] value) {
        pad();
        int length = Attribute.HEADER_LENGTH + value.length;
        if (length > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + " too long: " + value.length + " bytes");
        }
        room(length).putShort((short) length).putShort((short) type).put(value);
        pad();
        return this;
    }

    private byte[] ordered(int size, ByteOrder order, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(order);
        switch (size) {
            case 1 -> b.put((byte) value);
            case 2 -> b.putShort((short) value);
            case 4 -> b.putInt((int) value);
            default -> b.putLong(value);
        }
        return Arrays.copyOf(b.array(), size);
    }

    /** An 8-bit attribute. */
    public MessageWriter u8(int type, int value) {
        return bytes(type, ordered(1, NetlinkMessage.ORDER, value));
    }

    /** A 16-bit host-order attribute. */
    public MessageWriter u16(int type, int value) {
        return bytes(type, ordered(2, NetlinkMessage.ORDER, value));
    }

    /** A 32-bit host-order attribute. */
    public MessageWriter u32(int type, int value) {
        return bytes(type, ordered(4, NetlinkMessage.ORDER, value));
    }

    /** A 64-bit host-order attribute. */
    public MessageWriter u64(int type, long value) {
        return bytes(type, ordered(8, NetlinkMessage.ORDER, value));
    }

    /** A 16-bit network-order attribute (ports). */
    public MessageWriter be16(int type, int value) {
        return bytes(type, ordered(2, ByteOrder.BIG_ENDIAN, value));
    }

    /** A 32-bit network-order attribute. */
    public MessageWriter be32(int type, int value) {
        return bytes(type, ordered(4, ByteOrder.BIG_ENDIAN, value));
    }

    /** A NUL-terminated string attribute. */
    public MessageWriter string(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        return bytes(type, Arrays.copyOf(text, text.length + 1));
    }

    /** A string attribute without the terminating NUL (as some kernels' policies want, e.g. a link kind). */
    public MessageWriter stringWithoutNul(int type, String value) {
        return bytes(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /** An IP address attribute: 4 or 16 bytes. */
    public MessageWriter ip(int type, String address) {
        return bytes(type, addressBytes(address));
    }

    /** An IP address in a fixed 16-byte field ({@code union nf_inet_addr}): IPv4 in the first four. */
    public MessageWriter ip16(int type, String address) {
        return bytes(type, Arrays.copyOf(addressBytes(address), 16));
    }

    /** The bytes of an IP literal; a malformed literal is an {@link IllegalArgumentException} naming it. */
    public static byte[] addressBytes(String address) {
        byte[] bytes = IpLiteral.parse(address);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: \"" + address + "\"");
        }
        return bytes;
    }

    /** Opens a nested attribute; {@code type} may carry {@link Attribute#F_NESTED}. Close it with {@link #endNested()}. */
    public MessageWriter beginNested(int type) {
        pad();
        openNests.push(out.position());
        room(Attribute.HEADER_LENGTH).putShort((short) 0).putShort((short) type);
        return this;
    }

    /** Closes the innermost open nested attribute. */
    public MessageWriter endNested() {
        if (openNests.isEmpty()) {
            throw new IllegalStateException("no nested attribute is open");
        }
        int start = openNests.pop();
        out.putShort(start, (short) (out.position() - start));
        return this;
    }

    /** The message, unstamped (sequence and port id 0). */
    public NetlinkMessage build() {
        if (!openNests.isEmpty()) {
            throw new IllegalStateException(openNests.size() + " nested attribute(s) left open");
        }
        return new NetlinkMessage(type, flags, 0, 0, Arrays.copyOf(out.array(), out.position()));
    }
}
