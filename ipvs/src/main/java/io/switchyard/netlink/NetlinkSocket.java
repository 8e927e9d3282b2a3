package io.switchyard.netlink;

import jnr.ffi.byref.IntByReference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An {@code AF_NETLINK} raw socket to the kernel through jnr-ffi: socket, bind, sendto, recvfrom,
 * close, nothing more. Extended acks are turned on so errors carry the kernel's text; a receive
 * timeout keeps a silent kernel from blocking a sync forever. One caller at a time.
 */
public final class NetlinkSocket implements NetlinkTransport {

    /** {@code NETLINK_ROUTE}: links, addresses, routes. */
    public static final int NETLINK_ROUTE = 0;
    /** {@code NETLINK_NETFILTER}: conntrack and other nfnetlink subsystems. */
    public static final int NETLINK_NETFILTER = 12;
    /** {@code NETLINK_GENERIC}: generic netlink families such as IPVS. */
    public static final int NETLINK_GENERIC = 16;

    private static final int SOCKADDR_NL_LENGTH = 12;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final LibC libc = LibC.get();
    private final int fd;
    private final int portId;
    private ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer sendAddress = sockaddr(0);
    private final ByteBuffer fromAddress = ByteBuffer.allocateDirect(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder());
    private boolean closed;

    private NetlinkSocket(int protocol, Duration receiveTimeout) {
        int socket = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (socket < 0) {
            throw new NetlinkException("open netlink socket (protocol " + protocol + ")", LibC.errno(), null);
        }
        this.fd = socket;
        try {
            setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, false);
            setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, false);
            setReceiveTimeout(receiveTimeout);
            ByteBuffer local = sockaddr(0);
            if (libc.bind(fd, local, SOCKADDR_NL_LENGTH) < 0) {
                throw new NetlinkException("bind netlink socket", LibC.errno(), null);
            }
            ByteBuffer bound = ByteBuffer.allocateDirect(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder());
            IntByReference length = new IntByReference(SOCKADDR_NL_LENGTH);
            if (libc.getsockname(fd, bound, length) < 0) {
                throw new NetlinkException("read netlink socket address", LibC.errno(), null);
            }
            this.portId = bound.getInt(4);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** A socket of a netlink protocol ({@link #NETLINK_GENERIC}, ...) in the caller's network namespace. */
    public static NetlinkSocket open(int protocol) {
        return new NetlinkSocket(protocol, DEFAULT_TIMEOUT);
    }

    /**
     * A socket of a netlink protocol inside the network namespace behind {@code netnsFile} (e.g.
     * {@code /var/run/netns/NAME} or {@code /proc/PID/ns/net}). It is opened on a throwaway
     * platform thread that first joins the namespace; the socket stays there for its life.
     */
    public static NetlinkSocket open(int protocol, Path netnsFile) {
        return NetworkNamespaces.callIn(netnsFile, () -> open(protocol));
    }

    private static ByteBuffer sockaddr(int pid) {
        ByteBuffer address = ByteBuffer.allocateDirect(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder());
        address.putShort(0, (short) LibC.AF_NETLINK).putInt(4, pid).putInt(8, 0);
        return address;
    }

    private void setIntOption(int level, int option, int value, boolean required) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, value);
        if (libc.setsockopt(fd, level, option, v, 4) < 0 && required) {
            throw new NetlinkException("set netlink socket option " + option, LibC.errno(), null);
        }
    }

    /** Sets how long {@link #receive()} waits for the kernel before it fails with {@link Errno#EAGAIN}. */
    public void setReceiveTimeout(Duration timeout) {
        ByteBuffer timeval = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        timeval.putLong(0, timeout.toSeconds()).putLong(8, timeout.toMillisPart() * 1000L);
        if (libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 16) < 0) {
            throw new NetlinkException("set netlink receive timeout", LibC.errno(), null);
        }
    }

    /** Asks for a receive buffer of this many bytes (the kernel caps it at {@code net.core.rmem_max}). */
    public void setReceiveBufferSize(int bytes) {
        setIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes, true);
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(ByteBuffer datagram) {
        ensureOpen();
        ByteBuffer direct = ByteBuffer.allocateDirect(datagram.remaining());
        direct.put(datagram.duplicate()).flip();
        while (true) {
            long sent = libc.sendto(fd, direct, direct.remaining(), 0, sendAddress, SOCKADDR_NL_LENGTH);
            if (sent >= 0) {
                return;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                throw new NetlinkException("send netlink request", errno, null);
            }
        }
    }

    @Override
    public ByteBuffer receive() {
        ensureOpen();
        while (true) {
            long size = recv(LibC.MSG_PEEK | LibC.MSG_TRUNC);
            if (size < 0) {
                continue;
            }
            if (size > receiveBuffer.capacity()) {
                receiveBuffer = ByteBuffer.allocateDirect((int) size);
            }
            long n = recv(0);
            if (n < 0) {
                continue;
            }
            if (fromAddress.getInt(4) != 0) {
                continue; // not from the kernel
            }
            byte[] copy = new byte[(int) n];
            receiveBuffer.get(0, copy);
            return ByteBuffer.wrap(copy).order(NetlinkMessage.ORDER);
        }
    }

    /** One recvfrom; -1 after EINTR (to retry), an exception on other errors. */
    private long recv(int flags) {
        IntByReference addressLength = new IntByReference(SOCKADDR_NL_LENGTH);
        long n = libc.recvfrom(fd, receiveBuffer, receiveBuffer.capacity(), flags, fromAddress, addressLength);
        if (n >= 0) {
            return n;
        }
        int errno = LibC.errno();
        if (errno == Errno.EINTR) {
            return -1;
        }
        throw new NetlinkException("receive from netlink", errno,
                errno == Errno.EAGAIN ? "no answer from the kernel within the receive timeout" : null);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
