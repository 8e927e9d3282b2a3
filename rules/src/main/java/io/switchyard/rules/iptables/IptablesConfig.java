package io.switchyard.rules.iptables;

import io.switchyard.rules.model.IpFamily;

import java.util.Objects;

/**
 * The settings that shape one family's iptables ruleset, fixed for the proxier's lifetime.
 *
 * @param masqueradeBit               the fwmark bit that asks for SNAT (kube-proxy default 14)
 * @param masqueradeAll               SNAT all service traffic, not only off-cluster sources
 * @param localDetector               how pod-originated traffic is recognised
 * @param localhostNodePorts          node ports answer on 127.0.0.0/8 (IPv4 only)
 * @param nodePortAddresses           where node ports answer
 * @param conntrackTcpLiberal         the kernel accepts out-of-window TCP, so no INVALID drop
 * @param invalidDropCounter          the {@code ct_state_invalid_dropped_pkts} nfacct object exists
 * @param localhostNodePortCounter    the {@code localhost_nps_accepted_pkts} nfacct object exists
 * @param preferSameNodeHints         honour {@code hints.forNodes} (PreferSameTrafficDistribution)
 */
public record IptablesConfig(
        IpFamily family,
        int masqueradeBit,
        boolean masqueradeAll,
        LocalTrafficDetector localDetector,
        boolean localhostNodePorts,
        NodePortAddresses nodePortAddresses,
        boolean conntrackTcpLiberal,
        boolean invalidDropCounter,
        boolean localhostNodePortCounter,
        boolean preferSameNodeHints) {

    /** nfacct object counting INVALID packets KUBE-FORWARD drops. */
    public static final String INVALID_DROP_COUNTER = "ct_state_invalid_dropped_pkts";
    /** nfacct object counting packets accepted on localhost node ports. */
    public static final String LOCALHOST_NODE_PORT_COUNTER = "localhost_nps_accepted_pkts";

    public IptablesConfig {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(localDetector, "localDetector");
        Objects.requireNonNull(nodePortAddresses, "nodePortAddresses");
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masquerade bit must be in 0..31, got " + masqueradeBit);
        }
        // Localhost node ports exist only for IPv4, and only when loopback is a node-port address.
        localhostNodePorts = localhostNodePorts && family == IpFamily.IPV4 && nodePortAddresses.containsIpv4Loopback();
    }

    /** kube-proxy's defaults for a family, given how to detect local traffic. */
    public static IptablesConfig defaults(IpFamily family, LocalTrafficDetector detector) {
        return new IptablesConfig(family, 14, false, detector, true, NodePortAddresses.all(),
                false, true, true, false);
    }

    /** The masquerade mark as kube-proxy writes it ({@code %#08x}: {@code 0x004000} for bit 14). */
    public String masqueradeMark() {
        String hex = Long.toHexString(1L << masqueradeBit);
        return "0x" + "0".repeat(Math.max(0, 6 - hex.length())) + hex;
    }

    public IptablesConfig withCounters(boolean invalidDrop, boolean localhostNodePort) {
        return new IptablesConfig(family, masqueradeBit, masqueradeAll, localDetector, localhostNodePorts,
                nodePortAddresses, conntrackTcpLiberal, invalidDrop, localhostNodePort, preferSameNodeHints);
    }
}
