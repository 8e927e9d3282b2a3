package io.switchyard.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A transport that plays the kernel from a {@link Capture}: each request sent must equal, byte
 * for byte (sequence and port id aside), a request of the recording not yet used — exchanges
 * the code under test does not make are skipped — and is answered with that exchange's replies,
 * renumbered to the request's sequence.
 */
public final class ReplayTransport implements NetlinkTransport {

    private final List<Capture.Exchange> unused;
    private final UnaryOperator<NetlinkMessage> normaliseRecorded;
    private final Deque<ByteBuffer> pending = new ArrayDeque<>();
    private final List<NetlinkMessage> sent = new ArrayList<>();

    /** Replays a capture whose requests the code under test sends exactly. */
    public ReplayTransport(Capture capture) {
        this(capture, UnaryOperator.identity());
    }

    /** Replays a capture after rewriting its recorded requests (e.g. dropping attributes we do not send). */
    public ReplayTransport(Capture capture, UnaryOperator<NetlinkMessage> normaliseRecorded) {
        this.unused = new ArrayList<>(capture.exchanges());
        this.normaliseRecorded = normaliseRecorded;
    }

    /** The requests sent so far. */
    public List<NetlinkMessage> sent() {
        return List.copyOf(sent);
    }

    @Override
    public int portId() {
        return 4242;
    }

    @Override
    public void send(ByteBuffer datagram) {
        NetlinkMessage request = NetlinkMessage.decodeAll(datagram).getFirst();
        sent.add(request);
        byte[] mine = Capture.normalised(request);
        for (int i = 0; i < unused.size(); i++) {
            Capture.Exchange exchange = unused.get(i);
            byte[] recorded = Capture.normalised(normaliseRecorded.apply(exchange.requestMessage()));
            if (Arrays.equals(mine, recorded)) {
                unused.subList(0, i + 1).clear();
                for (byte[] reply : exchange.replies()) {
                    pending.add(renumbered(reply, request.sequence()));
                }
                return;
            }
        }
        throw new AssertionError("request not in the recording: " + HexFormat.of().formatHex(mine)
                + "\nrecorded requests left:\n" + unused.stream()
                .map(e -> HexFormat.of().formatHex(Capture.normalised(normaliseRecorded.apply(e.requestMessage()))))
                .reduce((a, b) -> a + "\n" + b).orElse("(none)"));
    }

    private static ByteBuffer renumbered(byte[] datagram, int sequence) {
        ByteBuffer out = ByteBuffer.allocate(datagram.length).order(NetlinkMessage.ORDER);
        for (NetlinkMessage m : NetlinkMessage.decodeAll(ByteBuffer.wrap(datagram))) {
            out.put(m.stamped(sequence, m.portId()).encode());
        }
        return out.flip();
    }

    @Override
    public ByteBuffer receive() {
        ByteBuffer next = pending.poll();
        if (next == null) {
            throw new AssertionError("the code waits for a reply the recording does not have");
        }
        return next;
    }

    @Override
    public void close() {
    }
}
