package io.switchyard.ipvs;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

import java.util.Objects;

/**
 * One IPVS virtual service, as kube-proxy programs it and as the kernel reports it: the
 * address, protocol and port clients connect to, and how connections are scheduled.
 *
 * @param address         canonical IP literal (RFC 5952 for IPv6); empty for a firewall-mark service
 * @param protocol        for a firewall-mark service the kernel reports none: {@code TCP} stands in
 * @param fwmark          0: kube-proxy never uses firewall-mark services, but the kernel may hold them
 * @param scheduler       the scheduler's kernel name ({@code rr}, {@code wrr}, ...)
 * @param flags           {@code IP_VS_SVC_F_*} bits; see {@link #PERSISTENT}
 * @param timeoutSeconds  persistence timeout, 0 unless {@link #PERSISTENT} is set
 * @param netmask         persistence granularity: {@code 0xffffffff} for IPv4, 128 for IPv6
 */
public record VirtualServer(IpFamily family, Protocol protocol, String address, int port, int fwmark,
                            String scheduler, int flags, int timeoutSeconds, int netmask) {

    /** {@code IP_VS_SVC_F_PERSISTENT}: ClientIP session affinity. */
    public static final int PERSISTENT = 0x1;
    /** {@code IP_VS_SVC_F_HASHED}: set by the kernel on every service it lists; never asked for. */
    public static final int HASHED = 0x2;
    /** {@code IP_VS_SVC_F_ONEPACKET}: schedule each UDP datagram on its own. */
    public static final int ONE_PACKET = 0x4;

    public VirtualServer {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(scheduler, "scheduler");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("virtual server port out of range: " + port);
        }
    }

    /** A virtual service as kube-proxy creates one: no persistence unless {@code affinitySeconds > 0}. */
    public static VirtualServer of(IpFamily family, Protocol protocol, String address, int port, String scheduler,
                                   int affinitySeconds) {
        int netmask = family == IpFamily.IPV4 ? 0xffffffff : 128;
        return affinitySeconds > 0
                ? new VirtualServer(family, protocol, address, port, 0, scheduler, PERSISTENT, affinitySeconds, netmask)
                : new VirtualServer(family, protocol, address, port, 0, scheduler, 0, 0, netmask);
    }

    /** What identifies the service in the kernel: family, protocol, address and port, or family and fwmark. */
    public Key key() {
        return new Key(family, protocol, address, port, fwmark);
    }

    /** A firewall-mark service: identified by family and mark alone (as {@code ipvsadm -f} creates them). */
    public boolean isFirewallMark() {
        return fwmark != 0;
    }

    /** Whether the kernel's copy {@code installed} already matches this desired service. */
    public boolean sameSettings(VirtualServer installed) {
        return key().equals(installed.key()) && scheduler.equals(installed.scheduler())
                && (flags & ~HASHED) == (installed.flags() & ~HASHED)
                && timeoutSeconds == installed.timeoutSeconds();
    }

    /**
     * The identity of a virtual service: protocol, address and port, or for a firewall-mark
     * service (fwmark not 0) the mark, with protocol TCP, an empty address and port 0.
     */
    public record Key(IpFamily family, Protocol protocol, String address, int port, int fwmark)
            implements Comparable<Key> {

        public Key {
            Objects.requireNonNull(family, "family");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
        }

        /** The key of an address service (the kind kube-proxy creates). */
        public Key(IpFamily family, Protocol protocol, String address, int port) {
            this(family, protocol, address, port, 0);
        }

        @Override
        public int compareTo(Key o) {
            int c = family.compareTo(o.family);
            if (c == 0) {
                c = Integer.compare(fwmark, o.fwmark);
            }
            if (c == 0) {
                c = protocol.compareTo(o.protocol);
            }
            if (c == 0) {
                c = address.compareTo(o.address);
            }
            return c != 0 ? c : Integer.compare(port, o.port);
        }

        /** {@code ip:port}, {@code [ip]:port} for IPv6, as ipvsadm prints it; {@code FWM n} for a mark. */
        @Override
        public String toString() {
            if (fwmark != 0) {
                return "FWM " + Integer.toUnsignedString(fwmark);
            }
            return (family == IpFamily.IPV6 ? "[" + address + "]" : address) + ":" + port;
        }
    }
}
