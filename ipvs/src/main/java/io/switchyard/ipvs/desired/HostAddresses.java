package io.switchyard.ipvs.desired;

import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The host's own addresses as one family's ipvs proxier uses them in a sync.
 *
 * @param nodePortAddresses  where NodePort virtual servers go (already reduced by --nodeport-addresses)
 * @param localAddresses     every address on an interface other than kube-ipvs0, without loopback
 *                           and IPv6 link-local ones: an external or load-balancer IP among them is
 *                           not bound to kube-ipvs0
 */
public record HostAddresses(IpFamily family, SortedSet<String> nodePortAddresses, SortedSet<String> localAddresses) {

    /** The dummy interface that holds the service addresses. */
    public static final String DUMMY_INTERFACE = "kube-ipvs0";

    public HostAddresses {
        Objects.requireNonNull(family, "family");
        nodePortAddresses = checked(family, nodePortAddresses, "node-port address");
        localAddresses = checked(family, localAddresses, "local address");
    }

    /** One address on one interface, as the agent lists them. */
    public record InterfaceAddress(String interfaceName, String address) {
        public InterfaceAddress {
            Objects.requireNonNull(interfaceName, "interfaceName");
            Objects.requireNonNull(address, "address");
        }
    }

    /** A host with no addresses of the family (no NodePort virtual servers). */
    public static HostAddresses none(IpFamily family) {
        return new HostAddresses(family, new TreeSet<>(), new TreeSet<>());
    }

    /**
     * Picks the addresses as kube-proxy does. Local addresses: those of the family on every
     * interface but kube-ipvs0, leaving out loopback and IPv6 link-local. Node-port addresses:
     * the local addresses when --nodeport-addresses matches everything; otherwise the addresses
     * of the family on any interface that fall in one of its CIDRs, loopback left out.
     * Addresses that are not IP literals are ignored.
     */
    public static HostAddresses of(IpFamily family, List<InterfaceAddress> addresses, NodePortAddresses nodePorts) {
        TreeSet<String> local = new TreeSet<>();
        TreeSet<String> nodePort = new TreeSet<>();
        for (InterfaceAddress candidate : addresses) {
            if (IpLiteral.familyOf(candidate.address()) != family || IpLiteral.isLoopback(candidate.address())) {
                continue;
            }
            String ip = IpLiteral.canonical(candidate.address());
            if (!candidate.interfaceName().equals(DUMMY_INTERFACE) && !isIpv6LinkLocal(ip)) {
                local.add(ip);
            }
            if (!nodePorts.matchAll() && nodePorts.cidrs().stream().anyMatch(c -> c.contains(ip))) {
                nodePort.add(ip);
            }
        }
        return new HostAddresses(family, nodePorts.matchAll() ? local : nodePort, local);
    }

    private static final Cidr IPV6_LINK_LOCAL = Cidr.parse("fe80::/10");

    private static boolean isIpv6LinkLocal(String ip) {
        return IPV6_LINK_LOCAL.contains(ip);
    }

    private static SortedSet<String> checked(IpFamily family, SortedSet<String> addresses, String what) {
        TreeSet<String> out = new TreeSet<>();
        for (String ip : addresses) {
            if (IpLiteral.familyOf(ip) != family || !IpLiteral.canonical(ip).equals(ip)) {
                throw new IllegalArgumentException(what + " \"" + ip + "\" is not a canonical " + family + " address");
            }
            out.add(ip);
        }
        return Collections.unmodifiableSortedSet(out);
    }
}
