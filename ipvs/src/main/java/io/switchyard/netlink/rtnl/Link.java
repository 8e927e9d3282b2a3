package io.switchyard.netlink.rtnl;

/**
 * A network interface as the kernel reports it.
 *
 * @param index  the interface index
 * @param flags  {@code IFF_*} bits
 * @param kind   {@code IFLA_INFO_KIND} ({@code dummy}, {@code veth}, ...), empty for a physical or loopback device
 */
public record Link(int index, String name, int flags, String kind, int mtu) {

    /** {@code IFF_UP}. */
    public static final int IFF_UP = 0x1;

    /** Whether the link is administratively up. */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }
}
