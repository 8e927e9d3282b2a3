package io.switchyard.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Attribute layout: padding, nesting, flag bits, typed values, and refusal of malformed input. */
class AttributesTest {

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void attributesArePaddedToFourBytesAndNestedLengthsCoverTheirChildren() {
        NetlinkMessage m = new MessageWriter(0x20, NetlinkMessage.F_REQUEST)
                .rawU8(1).rawU8(2).rawU16(0)
                .beginNested(1 | Attribute.F_NESTED)
                .string(6, "rr")
                .u8(2, 0xab)
                .endNested()
                .be16(3, 8080)
                .build();
        // genl header | nest(len 20, type 0x8001) | "rr\0"+pad (len 7) | u8+3 pad (len 5) | be16 port (len 6)+pad
        assertThat(hex(m.payload())).isEqualTo("01020000" + "14000180" + "0700060072720000" + "05000200ab000000"
                + "060003001f900000");
        assertThat(m.length()).isEqualTo(16 + 32);
    }

    @Test
    void typedReadersAndFlagBits() {
        byte[] payload = new MessageWriter(0, 0)
                .u16(1, 0xbeef).u32(2, 0xdeadbeef).u64(3, 1L << 40).be16(4 | Attribute.F_NET_BYTEORDER, 53)
                .be32(5, 0x01020304).ip(6, "2001:db8::1").ip16(7, "198.51.100.1").stringWithoutNul(8, "dummy")
                .beginNested(9 | Attribute.F_NESTED).u8(1, 7).endNested()
                .build().payload();
        Attributes a = Attributes.decode(ByteBuffer.wrap(payload));
        assertThat(a.u16(1, 0)).isEqualTo(0xbeef);
        assertThat(a.u32(2, 0)).isEqualTo(0xdeadbeef);
        assertThat(a.u64(3, 0)).isEqualTo(1L << 40);
        assertThat(a.require(4, "port").be16()).isEqualTo(53);
        assertThat(a.require(4, "port").netByteOrder()).isTrue();
        assertThat(a.require(5, "be32").be32()).isEqualTo(0x01020304);
        assertThat(a.require(6, "v6").ip()).isEqualTo("2001:db8::1");
        assertThat(a.require(7, "v4 in 16").length()).isEqualTo(16);
        assertThat(a.require(7, "v4 in 16").ip(4)).isEqualTo("198.51.100.1");
        assertThat(a.string(8)).contains("dummy");
        assertThat(a.require(9, "nest").nestedFlag()).isTrue();
        assertThat(a.nested(9).orElseThrow().u8(1, 0)).isEqualTo(7);
        assertThat(a.u32(99, -5)).isEqualTo(-5);
        assertThatThrownBy(() -> a.require(99, "IPVS_SVC_ATTR_AF"))
                .isInstanceOf(NetlinkDecodeException.class)
                .hasMessage("netlink reply lacks attribute IPVS_SVC_ATTR_AF (99)");
    }

    @Test
    void valuesTooShortForTheirTypeAreRefused() {
        Attribute two = new Attribute(1, false, false, new byte[2]);
        assertThatThrownBy(two::u32).isInstanceOf(NetlinkDecodeException.class)
                .hasMessage("attribute 1 holds 2 bytes, too short for u32");
        assertThatThrownBy(two::ip).isInstanceOf(NetlinkDecodeException.class);
    }

    @Test
    void lengthsThatOverrunTheBufferAreRefused() {
        byte[] bad = HexFormat.of().parseHex("10000100aabbccdd");
        assertThatThrownBy(() -> Attributes.decode(ByteBuffer.wrap(bad)))
                .isInstanceOf(NetlinkDecodeException.class)
                .hasMessageContaining("announces 16 bytes but 8 remain");
        byte[] badMessage = HexFormat.of().parseHex("40000000100000000100000000000000");
        assertThatThrownBy(() -> NetlinkMessage.decodeAll(ByteBuffer.wrap(badMessage)))
                .isInstanceOf(NetlinkDecodeException.class);
    }

    @Test
    void messagesRoundTripAndDatagramsSplitIntoMessages() {
        NetlinkMessage a = new MessageWriter(0x10, 5).rawU32(3).string(3, "sy0").build().stamped(9, 1);
        NetlinkMessage b = new MessageWriter(3, 2).rawU32(0).build().stamped(9, 1);
        ByteBuffer datagram = ByteBuffer.allocate(a.encode().length + b.encode().length + 12)
                .put(a.encode()).put(b.encode()).put(new byte[12]).flip();
        assertThat(NetlinkMessage.decodeAll(datagram)).containsExactly(a, b);
    }

    @Test
    void errnoNames() {
        assertThat(Errno.name(-17)).isEqualTo("EEXIST");
        assertThat(Errno.name(3)).isEqualTo("ESRCH");
        assertThat(Errno.name(99)).isEqualTo("EADDRNOTAVAIL");
        assertThat(Errno.name(4000)).isEqualTo("errno 4000");
    }
}
