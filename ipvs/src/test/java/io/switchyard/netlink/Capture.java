package io.switchyard.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A recorded netlink conversation (a {@code captures/**.hex} test resource written by
 * {@code scripts/netlink-capture.sh}): the datagrams a tool sent and the kernel's answers,
 * grouped into exchanges of one request and the datagrams that followed it.
 */
public record Capture(String name, List<Exchange> exchanges) {

    /** One datagram the tool sent and the datagrams received before its next one. */
    public record Exchange(byte[] request, List<byte[]> replies) {

        /** The request as one message. */
        public NetlinkMessage requestMessage() {
            return NetlinkMessage.decodeAll(ByteBuffer.wrap(request)).getFirst();
        }

        /** Every message of every reply datagram. */
        public List<NetlinkMessage> replyMessages() {
            List<NetlinkMessage> all = new ArrayList<>();
            for (byte[] reply : replies) {
                all.addAll(NetlinkMessage.decodeAll(ByteBuffer.wrap(reply)));
            }
            return all;
        }
    }

    /** Loads {@code /captures/<name>} from the test class path. */
    public static Capture load(String name) {
        try (InputStream in = Capture.class.getResourceAsStream("/captures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            List<Exchange> exchanges = new ArrayList<>();
            byte[] request = null;
            List<byte[]> replies = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                byte[] bytes = HexFormat.of().parseHex(line.substring(2).strip());
                if (line.startsWith(">")) {
                    if (request != null) {
                        exchanges.add(new Exchange(request, List.copyOf(replies)));
                    }
                    request = bytes;
                    replies = new ArrayList<>();
                } else if (request != null) {
                    replies.add(bytes);
                }
            }
            if (request != null) {
                exchanges.add(new Exchange(request, List.copyOf(replies)));
            }
            return new Capture(name, List.copyOf(exchanges));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests of a netlink message type, in order. */
    public List<Exchange> requestsOfType(int type) {
        return exchanges.stream().filter(e -> e.requestMessage().type() == type).toList();
    }

    /** The last exchange: the tool's own command after its set-up queries. */
    public Exchange last() {
        return exchanges.getLast();
    }

    /** A message's bytes with sequence number and port id zeroed, so recordings compare with our own. */
    public static byte[] normalised(NetlinkMessage message) {
        return message.stamped(0, 0).encode();
    }

    /** A message with the attributes after a fixed header rewritten (for requests we deliberately send leaner). */
    public static NetlinkMessage rewriteAttributes(NetlinkMessage message, int headerLength,
                                                   UnaryOperator<List<Attribute>> rewrite) {
        byte[] payload = message.payload();
        MessageWriter w = new MessageWriter(message.type(), message.flags());
        w.raw(java.util.Arrays.copyOf(payload, headerLength));
        for (Attribute a : rewrite.apply(Attributes.decode(message, headerLength).all())) {
            write(w, a);
        }
        return w.build().stamped(message.sequence(), message.portId());
    }

    /** Writes an attribute (recursively for nested ones), keeping its flag bits. */
    public static void write(MessageWriter w, Attribute a) {
        int type = a.type() | (a.nestedFlag() ? Attribute.F_NESTED : 0)
                | (a.netByteOrder() ? Attribute.F_NET_BYTEORDER : 0);
        w.bytes(type, a.value());
    }

    /** A nested attribute with only the children whose types are listed, in their order. */
    public static Attribute keepOnly(Attribute nested, int... types) {
        MessageWriter w = new MessageWriter(0, 0);
        for (Attribute child : nested.nested().all()) {
            for (int t : types) {
                if (child.type() == t) {
                    write(w, child);
                }
            }
        }
        return new Attribute(nested.type(), nested.nestedFlag(), nested.netByteOrder(), w.build().payload());
    }
}
