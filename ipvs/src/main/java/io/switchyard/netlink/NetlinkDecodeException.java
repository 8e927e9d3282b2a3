package io.switchyard.netlink;

/** A message or attribute from the kernel that does not have the layout its type promises. */
public final class NetlinkDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NetlinkDecodeException(String message) {
        super(message);
    }
}
