package io.switchyard.netlink;

/**
 * A netlink operation that failed: what was being done, the errno (with its name) the kernel or
 * the socket answered, and the kernel's extended-ack text when it sent one. Callers branch on
 * {@link #errno()} (e.g. {@link Errno#EEXIST}); the message is fit for a log line.
 */
public final class NetlinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(describe(operation, errno, kernelMessage));
        this.errno = Math.abs(errno);
        this.operation = operation;
        this.kernelMessage = kernelMessage == null ? "" : kernelMessage;
    }

    private static String describe(String operation, int errno, String kernelMessage) {
        String text = operation + ": " + Errno.name(errno);
        return kernelMessage == null || kernelMessage.isEmpty() ? text : text + " (" + kernelMessage + ")";
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code ESRCH}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What was being done, e.g. {@code add IPVS virtual server TCP 10.0.0.1:80}. */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ack message, or empty. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
