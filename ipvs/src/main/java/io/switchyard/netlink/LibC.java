package io.switchyard.netlink;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.nio.ByteBuffer;

/**
 * The few libc calls the netlink socket and namespace switching need, bound through jnr-ffi.
 * Public only because jnr-ffi implements it from another class loader; not an API.
 */
public interface LibC {

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SOL_NETLINK = 270;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int MSG_PEEK = 0x2;
    int MSG_TRUNC = 0x20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In ByteBuffer address, int addressLength);

    @SaveError
    int getsockname(int fd, @Out ByteBuffer address, IntByReference addressLength);

    @SaveError
    @ssize_t
    long sendto(int fd, @In ByteBuffer buffer, @size_t long length, int flags, @In ByteBuffer address,
                int addressLength);

    @SaveError
    @ssize_t
    long recvfrom(int fd, @Out ByteBuffer buffer, @size_t long length, int flags, @Out ByteBuffer address,
                  IntByReference addressLength);

    @SaveError
    int setsockopt(int fd, int level, int option, @In ByteBuffer value, int valueLength);

    @SaveError
    int close(int fd);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int setns(int fd, int namespaceType);

    /** The bound library, loaded once: it holds no state of ours. */
    final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

        private Holder() {
        }
    }

    /** The errno the last call on this thread left. */
    static int errno() {
        return jnr.ffi.LastError.getLastError(Holder.RUNTIME);
    }

    static LibC get() {
        return Holder.LIBC;
    }
}
