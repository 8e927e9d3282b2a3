package io.switchyard.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request/reply rules of {@link NetlinkClient}, driven by a scripted kernel. */
class NetlinkClientTest {

    private static final int TYPE = 0x20;

    /** A kernel that answers each request through a script; a null datagram stands for ENOBUFS on receive. */
    private static final class ScriptedKernel implements NetlinkTransport {
        private final Function<NetlinkMessage, List<ByteBuffer>> script;
        private final Deque<ByteBuffer> pending = new java.util.LinkedList<>();
        final List<NetlinkMessage> requests = new ArrayList<>();

        ScriptedKernel(Function<NetlinkMessage, List<ByteBuffer>> script) {
            this.script = script;
        }

        @Override
        public int portId() {
            return 77;
        }

        @Override
        public void send(ByteBuffer datagram) {
            NetlinkMessage request = NetlinkMessage.decodeAll(datagram).getFirst();
            requests.add(request);
            pending.addAll(script.apply(request));
        }

        @Override
        public ByteBuffer receive() {
            if (pending.isEmpty()) {
                throw new AssertionError("the client waits for a reply the script does not have");
            }
            ByteBuffer next = pending.poll();
            if (next == null) {
                throw new NetlinkException("receive from netlink", Errno.ENOBUFS, null);
            }
            return next;
        }

        @Override
        public void close() {
        }
    }

    private static ByteBuffer datagram(NetlinkMessage... messages) {
        ByteBuffer out = ByteBuffer.allocate(8192).order(NetlinkMessage.ORDER);
        for (NetlinkMessage m : messages) {
            out.put(m.encode());
        }
        return out.flip();
    }

    private static NetlinkMessage ack(int seq, int errno, String text) {
        MessageWriter w = new MessageWriter(NetlinkMessage.ERROR, text == null ? 0 : NetlinkMessage.F_ACK_TLVS)
                .rawU32(-errno).raw(new NetlinkMessage(TYPE, 5, seq, 77, new byte[0]).encode());
        if (text != null) {
            w.string(1, text);
        }
        return w.build().stamped(seq, 77);
    }

    private static NetlinkMessage part(int seq, int value, int extraFlags) {
        return new MessageWriter(TYPE, NetlinkMessage.F_MULTI | extraFlags).rawU32(value).build().stamped(seq, 77);
    }

    private static NetlinkMessage done(int seq, int errno) {
        return new MessageWriter(NetlinkMessage.DONE, NetlinkMessage.F_MULTI).rawU32(-errno).build().stamped(seq, 77);
    }

    private static NetlinkMessage request(int flags) {
        return new MessageWriter(TYPE, flags).rawU32(0).build();
    }

    private static int value(NetlinkMessage m) {
        return m.payloadBuffer().getInt(0);
    }

    @Test
    void acknowledgedRequestsAreNumberedAndStamped() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(datagram(ack(r.sequence(), 0, null))));
        NetlinkClient client = new NetlinkClient(kernel);
        client.acknowledged(request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "first");
        client.acknowledged(request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "second");
        assertThat(kernel.requests).extracting(NetlinkMessage::sequence).containsExactly(1, 2);
        assertThat(kernel.requests).extracting(NetlinkMessage::portId).containsExactly(77, 77);
    }

    @Test
    void kernelErrorsBecomeExceptionsWithTheErrnoNameOperationAndText() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(datagram(ack(r.sequence(), Errno.EEXIST,
                "ipv4: Address already assigned"))));
        assertThatThrownBy(() -> new NetlinkClient(kernel).acknowledged(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "add address 198.51.100.7/32 to sy0"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EEXIST);
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.getMessage()).isEqualTo(
                            "add address 198.51.100.7/32 to sy0: EEXIST (ipv4: Address already assigned)");
                });
        ScriptedKernel esrch = new ScriptedKernel(r -> List.of(datagram(ack(r.sequence(), Errno.ESRCH, null))));
        assertThatThrownBy(() -> new NetlinkClient(esrch).acknowledged(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "delete IPVS virtual server TCP 10.0.0.1:80"))
                .hasMessage("delete IPVS virtual server TCP 10.0.0.1:80: ESRCH");
    }

    @Test
    void staleRepliesAreSkipped() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(
                datagram(ack(r.sequence() - 1, Errno.EINVAL, null)),
                datagram(part(r.sequence() + 7, 1, 0)),
                datagram(ack(r.sequence(), 0, null))));
        new NetlinkClient(kernel).acknowledged(request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "op");
    }

    @Test
    void queryReturnsTheAnswerAndConsumesTheAck() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(
                datagram(new MessageWriter(TYPE, 0).rawU32(42).build().stamped(r.sequence(), 77)),
                datagram(ack(r.sequence(), 0, null))));
        NetlinkClient client = new NetlinkClient(kernel);
        assertThat(value(client.query(request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "q"))).isEqualTo(42);
        // Without the ack having been consumed, this one would read the previous exchange's leftovers.
        assertThat(value(client.query(request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_ACK), "q"))).isEqualTo(42);
    }

    @Test
    void dumpsCollectEveryPartAcrossDatagramsUpToDone() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(
                datagram(part(r.sequence(), 1, 0), part(r.sequence(), 2, 0)),
                datagram(part(r.sequence(), 3, 0)),
                datagram(done(r.sequence(), 0))));
        List<NetlinkMessage> parts = new NetlinkClient(kernel).dump(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP), "dump");
        assertThat(parts).extracting(NetlinkClientTest::value).containsExactly(1, 2, 3);
    }

    @Test
    void anInterruptedDumpIsRepeated() {
        int[] calls = {0};
        ScriptedKernel kernel = new ScriptedKernel(r -> {
            calls[0]++;
            int flag = calls[0] == 1 ? NetlinkMessage.F_DUMP_INTR : 0;
            return List.of(datagram(part(r.sequence(), calls[0], flag), done(r.sequence(), 0)));
        });
        List<NetlinkMessage> parts = new NetlinkClient(kernel).dump(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP), "dump");
        assertThat(parts).extracting(NetlinkClientTest::value).containsExactly(2);
        assertThat(kernel.requests).hasSize(2);
    }

    @Test
    void aDumpThatKeepsChangingIsReported() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(
                datagram(part(r.sequence(), 1, NetlinkMessage.F_DUMP_INTR), done(r.sequence(), 0))));
        assertThatThrownBy(() -> new NetlinkClient(kernel).dump(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP), "list IPVS virtual servers"))
                .hasMessage("list IPVS virtual servers: EINTR (the dump was interrupted 5 times in a row)");
        assertThat(kernel.requests).hasSize(NetlinkClient.DUMP_ATTEMPTS);
    }

    @Test
    void aDumpThatLostMessagesIsReadToItsEndAndRepeated() {
        int[] calls = {0};
        ScriptedKernel kernel = new ScriptedKernel(r -> {
            calls[0]++;
            if (calls[0] == 1) {
                List<ByteBuffer> lossy = new ArrayList<>();
                lossy.add(datagram(part(r.sequence(), 1, 0)));
                lossy.add(null); // ENOBUFS
                lossy.add(datagram(part(r.sequence(), 2, 0), done(r.sequence(), 0)));
                return lossy;
            }
            return List.of(datagram(part(r.sequence(), 10, 0), part(r.sequence(), 20, 0), done(r.sequence(), 0)));
        });
        List<NetlinkMessage> parts = new NetlinkClient(kernel).dump(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP), "dump");
        assertThat(parts).extracting(NetlinkClientTest::value).containsExactly(10, 20);
    }

    @Test
    void aDumpTheKernelFailsReportsItsErrno() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of(datagram(done(r.sequence(), Errno.EPERM))));
        assertThatThrownBy(() -> new NetlinkClient(kernel).dump(
                request(NetlinkMessage.F_REQUEST | NetlinkMessage.F_DUMP), "list conntrack entries"))
                .hasMessage("list conntrack entries: EPERM");
    }

    @Test
    void requestsWithoutTheNeededFlagAreRefusedBeforeSending() {
        ScriptedKernel kernel = new ScriptedKernel(r -> List.of());
        NetlinkClient client = new NetlinkClient(kernel);
        assertThatThrownBy(() -> client.acknowledged(request(NetlinkMessage.F_REQUEST), "op"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.dump(request(NetlinkMessage.F_REQUEST), "op"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(kernel.requests).isEmpty();
    }
}
