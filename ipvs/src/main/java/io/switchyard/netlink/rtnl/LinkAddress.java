package io.switchyard.netlink.rtnl;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;

import java.util.Objects;

/**
 * An IP address on a link, as {@code ip addr} shows it.
 *
 * @param address       canonical IP literal
 * @param prefixLength  0-32 for IPv4, 0-128 for IPv6
 * @param scope         {@code RT_SCOPE_*}: {@link #SCOPE_UNIVERSE} (global), {@link #SCOPE_LINK}, {@link #SCOPE_HOST}
 * @param flags         {@code IFA_F_*} bits, e.g. {@link #NODAD}
 */
public record LinkAddress(String address, int prefixLength, int scope, int flags) {

    /** {@code RT_SCOPE_UNIVERSE}: what {@code ip addr add} uses ("scope global"). */
    public static final int SCOPE_UNIVERSE = 0;
    /** {@code RT_SCOPE_LINK}. */
    public static final int SCOPE_LINK = 253;
    /** {@code RT_SCOPE_HOST}. */
    public static final int SCOPE_HOST = 254;
    /** {@code IFA_F_NODAD}: no duplicate address detection for an IPv6 address. */
    public static final int NODAD = 0x02;
    /** {@code IFA_F_TENTATIVE}: an IPv6 address still in duplicate address detection. */
    public static final int TENTATIVE = 0x40;
    /** {@code IFA_F_PERMANENT}: set by the kernel on addresses configured by hand. */
    public static final int PERMANENT = 0x80;

    public LinkAddress {
        Objects.requireNonNull(address, "address");
        IpFamily family = IpLiteral.familyOf(address);
        if (family == null) {
            throw new IllegalArgumentException("not an IP address: \"" + address + "\"");
        }
        address = IpLiteral.canonical(address);
        int max = family == IpFamily.IPV4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + address);
        }
    }

    /** A single address (/32 or /128) with global scope, as kube-proxy binds service IPs to its dummy link. */
    public static LinkAddress host(String address) {
        IpFamily family = IpLiteral.familyOf(address);
        return new LinkAddress(address, family == IpFamily.IPV6 ? 128 : 32, SCOPE_UNIVERSE, 0);
    }

    /** The address's family. */
    public IpFamily family() {
        return IpLiteral.familyOf(address);
    }

    /** Whether this is the same address and prefix as {@code other}, whatever the scope and flags. */
    public boolean sameAddress(LinkAddress other) {
        return address.equals(other.address) && prefixLength == other.prefixLength;
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
