package io.switchyard.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The attributes of one message or one nested attribute, in the order they came, with lookups
 * by type. A required attribute that is missing is a {@link NetlinkDecodeException} naming it.
 */
public final class Attributes {

    private final List<Attribute> all;

    private Attributes(List<Attribute> all) {
        this.all = List.copyOf(all);
    }

    /**
     * Parses attributes from the buffer's position to its limit.
     *
     * @throws NetlinkDecodeException when an attribute's length does not fit
     */
    public static Attributes decode(ByteBuffer source) {
        ByteBuffer in = source.duplicate().order(NetlinkMessage.ORDER);
        List<Attribute> list = new ArrayList<>();
        while (in.remaining() >= Attribute.HEADER_LENGTH) {
            int start = in.position();
            int length = in.getShort(start) & 0xffff;
            int rawType = in.getShort(start + 2) & 0xffff;
            if (length < Attribute.HEADER_LENGTH || length > in.remaining()) {
                throw new NetlinkDecodeException("netlink attribute of type " + (rawType & Attribute.TYPE_MASK)
                        + " announces " + length + " bytes but " + in.remaining() + " remain");
            }
            byte[] value = new byte[length - Attribute.HEADER_LENGTH];
            in.get(start + Attribute.HEADER_LENGTH, value);
            list.add(new Attribute(rawType & Attribute.TYPE_MASK, (rawType & Attribute.F_NESTED) != 0,
                    (rawType & Attribute.F_NET_BYTEORDER) != 0, value));
            in.position(Math.min(in.limit(), start + Attribute.align(length)));
        }
        return new Attributes(list);
    }

    /** Parses the attributes that follow a fixed family header of {@code headerLength} bytes. */
    public static Attributes decode(NetlinkMessage message, int headerLength) {
        ByteBuffer payload = message.payloadBuffer();
        if (payload.remaining() < headerLength) {
            throw new NetlinkDecodeException("netlink message of type " + message.type() + " has "
                    + payload.remaining() + " payload bytes, shorter than its " + headerLength + "-byte header");
        }
        return decode(payload.position(headerLength));
    }

    /** Every attribute, in order. */
    public List<Attribute> all() {
        return all;
    }

    /** The first attribute of a type. */
    public Optional<Attribute> find(int type) {
        for (Attribute a : all) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Every attribute of a type (for repeated attributes). */
    public List<Attribute> findAll(int type) {
        return all.stream().filter(a -> a.type() == type).toList();
    }

    /** Whether an attribute of the type is present. */
    public boolean has(int type) {
        return find(type).isPresent();
    }

    /** The first attribute of a type, which must be present; {@code name} says which it is in the error. */
    public Attribute require(int type, String name) {
        return find(type).orElseThrow(() -> new NetlinkDecodeException("netlink reply lacks attribute " + name
                + " (" + type + ")"));
    }

    /** An unsigned 8-bit attribute, or {@code absent}. */
    public int u8(int type, int absent) {
        return find(type).map(Attribute::u8).orElse(absent);
    }

    /** A 16-bit host-order attribute, or {@code absent}. */
    public int u16(int type, int absent) {
        return find(type).map(Attribute::u16).orElse(absent);
    }

    /** A 32-bit host-order attribute, or {@code absent}. */
    public int u32(int type, int absent) {
        return find(type).map(Attribute::u32).orElse(absent);
    }

    /** A 64-bit host-order attribute, or {@code absent}. */
    public long u64(int type, long absent) {
        return find(type).map(Attribute::u64).orElse(absent);
    }

    /** A 16-bit network-order attribute, or {@code absent}. */
    public int be16(int type, int absent) {
        return find(type).map(Attribute::be16).orElse(absent);
    }

    /** A string attribute, if present. */
    public Optional<String> string(int type) {
        return find(type).map(Attribute::string);
    }

    /** A nested attribute's children, if present. */
    public Optional<Attributes> nested(int type) {
        return find(type).map(Attribute::nested);
    }

    /** The number of attributes. */
    public int size() {
        return all.size();
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
