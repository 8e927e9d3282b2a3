package io.switchyard.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Request/reply over one netlink transport: stamps sequence numbers, matches replies to them
 * (dropping stale ones), turns {@code NLMSG_ERROR} into {@link NetlinkException}, collects
 * multi-part dumps up to {@code NLMSG_DONE}, and repeats a dump the kernel flagged as
 * interrupted ({@code NLM_F_DUMP_INTR}) or lost to {@code ENOBUFS}. Calls are serialised.
 */
public final class NetlinkClient implements AutoCloseable {

    /** How many times a dump is repeated before its inconsistency is reported. */
    static final int DUMP_ATTEMPTS = 5;

    private final NetlinkTransport transport;
    private int sequence;

    /** A client over a transport, numbering requests from 1. */
    public NetlinkClient(NetlinkTransport transport) {
        this.transport = transport;
    }

    /** The transport's port id. */
    public int portId() {
        return transport.portId();
    }

    /**
     * Sends a request that carries {@link NetlinkMessage#F_ACK} and waits for its acknowledgement.
     *
     * @param operation what is being done, for the exception, e.g. {@code add address 10.0.0.1/32 to kube-ipvs0}
     */
    public synchronized void acknowledged(NetlinkMessage request, String operation) {
        requireFlag(request, NetlinkMessage.F_ACK, "acknowledged");
        exchange(request, operation, Mode.ACK);
    }

    /** Sends a request answered by one message (and an acknowledgement if it asked for one); returns that message. */
    public synchronized NetlinkMessage query(NetlinkMessage request, String operation) {
        List<NetlinkMessage> replies = exchange(request, operation, Mode.QUERY);
        if (replies.isEmpty()) {
            throw new NetlinkException(operation, Errno.ENODATA, "the kernel acknowledged without an answer");
        }
        return replies.getFirst();
    }

    /** Sends a dump request ({@link NetlinkMessage#F_DUMP}) and returns every part of the answer. */
    public synchronized List<NetlinkMessage> dump(NetlinkMessage request, String operation) {
        requireFlag(request, NetlinkMessage.F_DUMP, "dump");
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange(request, operation, Mode.DUMP);
            } catch (DumpInterrupted e) {
                if (attempt == DUMP_ATTEMPTS) {
                    throw new NetlinkException(operation, e.errno, "the dump was interrupted " + DUMP_ATTEMPTS
                            + " times in a row");
                }
            }
        }
    }

    private static void requireFlag(NetlinkMessage request, int flag, String what) {
        if ((request.flags() & flag) != flag) {
            throw new IllegalArgumentException(what + " request lacks flag 0x" + Integer.toHexString(flag));
        }
    }

    private enum Mode { ACK, QUERY, DUMP }

    /** A dump whose parts cannot be trusted; it has been read to its end and may be repeated. */
    private static final class DumpInterrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int errno;

        DumpInterrupted(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    private List<NetlinkMessage> exchange(NetlinkMessage request, String operation, Mode mode) {
        int seq = nextSequence();
        try {
            transport.send(ByteBuffer.wrap(request.stamped(seq, transport.portId()).encode()));
        } catch (NetlinkException e) {
            throw new NetlinkException(operation, e.errno(), e.kernelMessage());
        }
        boolean wantsAck = (request.flags() & NetlinkMessage.F_ACK) != 0;
        List<NetlinkMessage> replies = new ArrayList<>();
        int interruptedBy = 0;
        while (true) {
            ByteBuffer datagram;
            try {
                datagram = transport.receive();
            } catch (NetlinkException e) {
                if (mode == Mode.DUMP && e.errno() == Errno.ENOBUFS) {
                    interruptedBy = Errno.ENOBUFS;
                    continue; // keep reading to the end of this dump, then repeat it
                }
                throw new NetlinkException(operation, e.errno(), e.kernelMessage());
            }
            for (NetlinkMessage reply : NetlinkMessage.decodeAll(datagram)) {
                if (reply.sequence() != seq) {
                    continue; // left over from an earlier, abandoned request
                }
                switch (reply.type()) {
                    case NetlinkMessage.NOOP -> {
                    }
                    case NetlinkMessage.ERROR -> {
                        ErrorMessage error = ErrorMessage.decodeError(reply);
                        if (error.errno() != 0) {
                            throw new NetlinkException(operation, error.errno(), error.kernelMessage());
                        }
                        if (mode != Mode.DUMP) {
                            return replies;
                        }
                    }
                    case NetlinkMessage.DONE -> {
                        ErrorMessage done = ErrorMessage.decodeDone(reply);
                        if (done.errno() != 0) {
                            throw new NetlinkException(operation, done.errno(), done.kernelMessage());
                        }
                        if (interruptedBy != 0) {
                            throw new DumpInterrupted(interruptedBy);
                        }
                        return replies;
                    }
                    case NetlinkMessage.OVERRUN -> throw new NetlinkException(operation, Errno.ENOBUFS,
                            "the kernel reported an overrun");
                    default -> {
                        if ((reply.flags() & NetlinkMessage.F_DUMP_INTR) != 0) {
                            interruptedBy = Errno.EINTR;
                        }
                        replies.add(reply);
                        if (mode == Mode.QUERY && !wantsAck && (reply.flags() & NetlinkMessage.F_MULTI) == 0) {
                            return replies;
                        }
                    }
                }
            }
        }
    }

    private int nextSequence() {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return sequence;
    }

    @Override
    public void close() {
        transport.close();
    }
}
