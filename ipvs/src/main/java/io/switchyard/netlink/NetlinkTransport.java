package io.switchyard.netlink;

import java.nio.ByteBuffer;

/**
 * Sends and receives raw netlink datagrams. {@link NetlinkSocket} is the kernel's; tests replay
 * recorded datagrams through their own, so the request/reply logic runs without a kernel.
 */
public interface NetlinkTransport extends AutoCloseable {

    /** The port id the kernel assigned to this endpoint ({@code nl_pid}). */
    int portId();

    /** Sends one datagram to the kernel. */
    void send(ByteBuffer datagram);

    /**
     * The next datagram from the kernel, positioned at its first byte.
     *
     * @throws NetlinkException with {@link Errno#EAGAIN} when nothing came within the receive
     *         timeout, {@link Errno#ENOBUFS} when the kernel dropped messages for lack of buffer
     */
    ByteBuffer receive();

    @Override
    void close();
}
