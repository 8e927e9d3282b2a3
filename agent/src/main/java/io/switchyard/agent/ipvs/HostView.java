package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The host as one sync of one family sees it, from a single read of every address: where
 * NodePort virtual servers go and which addresses are local, and which service addresses
 * {@code kube-ipvs0} holds now.
 *
 * @param bound the family's addresses on kube-ipvs0
 */
record HostView(HostAddresses addresses, SortedSet<String> bound) {

    HostView {
        bound = Collections.unmodifiableSortedSet(new TreeSet<>(bound));
    }

    /** Reads the namespace's addresses (throws {@link io.switchyard.netlink.NetlinkException} when it cannot). */
    static HostView read(NetworkInterfaces interfaces, IpFamily family, NodePortAddresses nodePorts) {
        List<HostAddresses.InterfaceAddress> all = new ArrayList<>();
        TreeSet<String> bound = new TreeSet<>();
        for (Map.Entry<String, List<LinkAddress>> link : interfaces.addressesByLink().entrySet()) {
            for (LinkAddress address : link.getValue()) {
                all.add(new HostAddresses.InterfaceAddress(link.getKey(), address.address()));
                if (link.getKey().equals(HostAddresses.DUMMY_INTERFACE) && address.family() == family) {
                    bound.add(address.address());
                }
            }
        }
        return new HostView(HostAddresses.of(family, all, nodePorts), bound);
    }
}
