package io.switchyard.agent.ipvs;

import io.switchyard.agent.iptables.Iptables;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.plan.PendingTerminations;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The drift check of one family's ipvs mode, cheap enough to run every sync period: one listing
 * of the virtual servers (no real servers), one of kube-ipvs0's addresses, the ipset names and
 * one iptables-save. It reports what went missing and virtual servers nobody asked for (which
 * kube-proxy would delete); real servers and set members are left to the periodic full sync.
 */
final class DriftFinder {

    private DriftFinder() {
    }

    /**
     * @param servers the family's virtual servers the last sync applied
     * @param bound   the addresses it bound to kube-ipvs0
     */
    static List<String> find(IpFamily family, Set<VirtualServer.Key> servers, Set<String> bound, Ipvs ipvs,
                             NetworkInterfaces interfaces, IpsetCommands ipsets, Iptables iptables,
                             List<Cidr> excludeCidrs, PendingTerminations pending) {
        List<String> findings = new ArrayList<>();
        try {
            Set<VirtualServer.Key> kernel = new HashSet<>();
            for (VirtualServer server : ipvs.virtualServers()) {
                if (server.family() == family && server.fwmark() == 0) {
                    kernel.add(server.key());
                }
            }
            long missing = servers.stream().filter(k -> !kernel.contains(k)).count();
            if (missing > 0) {
                findings.add(missing + " IPVS virtual servers missing");
            }
            long unexpected = kernel.stream().filter(k -> !servers.contains(k))
                    .filter(k -> excludeCidrs.stream().noneMatch(c -> c.contains(k.address())))
                    .filter(k -> pending.entries().keySet().stream().noneMatch(id -> id.server().equals(k)))
                    .count();
            if (unexpected > 0) {
                findings.add(unexpected + " IPVS virtual servers nobody asked for");
            }
            Set<String> onLink = new HashSet<>();
            for (LinkAddress address : interfaces.addresses(HostAddresses.DUMMY_INTERFACE)) {
                if (address.family() == family) {
                    onLink.add(address.address());
                }
            }
            long unbound = bound.stream().filter(a -> !onLink.contains(a)).count();
            if (unbound > 0) {
                findings.add(unbound + " service addresses missing from " + HostAddresses.DUMMY_INTERFACE);
            }
        } catch (NetlinkException e) {
            findings.add("cannot read IPVS or kube-ipvs0: " + e.getMessage());
        }
        try {
            Set<String> names = ipsets.names();
            long sets = Stream.of(KubeIpset.values()).map(s -> s.nameFor(family)).filter(n -> !names.contains(n))
                    .count();
            if (sets > 0) {
                findings.add(sets + " ipsets missing");
            }
        } catch (IpsetCommands.IpsetException e) {
            findings.add("cannot list ipsets: " + e.getMessage());
        }
        try {
            findings.addAll(IpvsGlue.missing(SavedIptables.parse(iptables.saveAll())));
        } catch (Iptables.ToolException | IllegalStateException e) {
            findings.add("cannot read iptables: " + e.getMessage());
        }
        return findings;
    }
}
