package io.switchyard.netlink;

import io.switchyard.rules.model.IpLiteral;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One netlink attribute ({@code struct nlattr}): a type and a value, with typed readers for the
 * shapes kernels use. The type excludes the {@link #F_NESTED} and {@link #F_NET_BYTEORDER} bits,
 * which are kept apart.
 *
 * @param type          attribute type without flag bits
 * @param nestedFlag    the sender set {@code NLA_F_NESTED}
 * @param netByteOrder  the sender set {@code NLA_F_NET_BYTEORDER}
 * @param value         the value, unpadded
 */
public record Attribute(int type, boolean nestedFlag, boolean netByteOrder, byte[] value) {

    /** Size of {@code struct nlattr}. */
    public static final int HEADER_LENGTH = 4;
    /** {@code NLA_F_NESTED}. */
    public static final int F_NESTED = 1 << 15;
    /** {@code NLA_F_NET_BYTEORDER}. */
    public static final int F_NET_BYTEORDER = 1 << 14;
    /** Mask of the type bits. */
    public static final int TYPE_MASK = ~(F_NESTED | F_NET_BYTEORDER) & 0xffff;

    public Attribute {
        value = value.clone();
    }

    /** Rounds up to netlink's 4-byte alignment. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value's length in bytes. */
    public int length() {
        return value.length;
    }

    private ByteBuffer buffer(int want, String what) {
        if (value.length < want) {
            throw new NetlinkDecodeException("attribute " + type + " holds " + value.length + " bytes, too short for "
                    + what);
        }
        return ByteBuffer.wrap(value).order(NetlinkMessage.ORDER);
    }

    /** An unsigned 8-bit value. */
    public int u8() {
        return buffer(1, "u8").get(0) & 0xff;
    }

    /** An unsigned 16-bit value in host byte order. */
    public int u16() {
        return buffer(2, "u16").getShort(0) & 0xffff;
    }

    /** A 32-bit value in host byte order (unsigned values above 2^31 come back negative). */
    public int u32() {
        return buffer(4, "u32").getInt(0);
    }

    /** A 64-bit value in host byte order. */
    public long u64() {
        return buffer(8, "u64").getLong(0);
    }

    /** An unsigned 16-bit value in network byte order (ports). */
    public int be16() {
        return buffer(2, "be16").order(ByteOrder.BIG_ENDIAN).getShort(0) & 0xffff;
    }

    /** A 32-bit value in network byte order. */
    public int be32() {
        return buffer(4, "be32").order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    /** A 64-bit value in network byte order. */
    public long be64() {
        return buffer(8, "be64").order(ByteOrder.BIG_ENDIAN).getLong(0);
    }

    /** A string, up to its first NUL if it has one. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address, canonically spelled. */
    public String ip() {
        if (value.length != 4 && value.length != 16) {
            throw new NetlinkDecodeException("attribute " + type + " holds " + value.length
                    + " bytes, not an IP address");
        }
        return IpLiteral.format(value);
    }

    /** The first {@code length} bytes as an IP address (for fixed 16-byte fields holding an IPv4 address). */
    public String ip(int addressLength) {
        if (addressLength != 4 && addressLength != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16");
        }
        buffer(addressLength, "an IP address");
        return IpLiteral.format(Arrays.copyOf(value, addressLength));
    }

    /** The value parsed as nested attributes. */
    public Attributes nested() {
        return Attributes.decode(ByteBuffer.wrap(value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attribute a && type == a.type && nestedFlag == a.nestedFlag
                && netByteOrder == a.netByteOrder && Arrays.equals(value, a.value);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(type) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Attribute[" + type + (nestedFlag ? ",nested" : "") + "=" + HexFormat.of().formatHex(value) + "]";
    }
}
