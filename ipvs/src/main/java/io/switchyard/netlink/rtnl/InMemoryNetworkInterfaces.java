package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Links and addresses in memory that answer like {@link RtnetlinkInterfaces} on a fresh network
 * namespace (only {@code lo}, down): for tests of code that programs {@link NetworkInterfaces}.
 * A contract test runs the same cases against the kernel.
 */
public final class InMemoryNetworkInterfaces implements NetworkInterfaces {

    private static final int IFF_BROADCAST = 0x2;
    private static final int IFF_LOOPBACK = 0x8;
    private static final int IFF_NOARP = 0x80;
    private static final int IFF_MULTICAST = 0x1000;

    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<String, String> peers = new LinkedHashMap<>();
    private final Map<String, List<LinkAddress>> addresses = new LinkedHashMap<>();
    private int nextIndex = 1;

    public InMemoryNetworkInterfaces() {
        create("lo", IFF_LOOPBACK, "", 65536);
    }

    private void create(String name, int flags, String kind, int mtu) {
        links.put(name, new Link(nextIndex++, name, flags, kind, mtu));
        addresses.put(name, new ArrayList<>());
    }

    @Override
    public synchronized Optional<Link> link(String name) {
        return Optional.ofNullable(links.get(name));
    }

    @Override
    public synchronized List<Link> links() {
        return List.copyOf(links.values());
    }

    @Override
    public synchronized Link ensureDummy(String name) {
        if (!links.containsKey(name)) {
            create(name, IFF_BROADCAST | IFF_NOARP, "dummy", 1500);
        }
        return links.get(name);
    }

    @Override
    public synchronized void createVethPair(String name, String peerName) {
        if (links.containsKey(name) || links.containsKey(peerName)) {
            throw new NetlinkException("create veth pair " + name + "/" + peerName, Errno.EEXIST, null);
        }
        create(name, IFF_BROADCAST | IFF_MULTICAST, "veth", 1500);
        create(peerName, IFF_BROADCAST | IFF_MULTICAST, "veth", 1500);
        peers.put(name, peerName);
        peers.put(peerName, name);
    }

    private Link require(String name, String operation) {
        Link link = links.get(name);
        if (link == null) {
            throw new NetlinkException(operation, Errno.ENODEV, "no link named " + name);
        }
        return link;
    }

    @Override
    public synchronized void setUp(String name, boolean up) {
        Link l = require(name, "set link " + name + (up ? " up" : " down"));
        int flags = up ? l.flags() | Link.IFF_UP : l.flags() & ~Link.IFF_UP;
        links.put(name, new Link(l.index(), l.name(), flags, l.kind(), l.mtu()));
    }

    @Override
    public synchronized boolean deleteLink(String name) {
        if (links.remove(name) == null) {
            return false;
        }
        addresses.remove(name);
        String peer = peers.remove(name);
        if (peer != null) {
            peers.remove(peer);
            links.remove(peer);
            addresses.remove(peer);
        }
        return true;
    }

    @Override
    public synchronized List<LinkAddress> addresses(String linkName) {
        return List.copyOf(addresses.getOrDefault(linkName, List.of()));
    }

    @Override
    public synchronized List<LinkAddress> allAddresses() {
        return addresses.values().stream().flatMap(List::stream).toList();
    }

    @Override
    public synchronized Map<String, List<LinkAddress>> addressesByLink() {
        Map<String, List<LinkAddress>> out = new LinkedHashMap<>();
        addresses.forEach((link, on) -> out.put(link, List.copyOf(on)));
        return out;
    }

    @Override
    public synchronized boolean addAddress(String linkName, LinkAddress address) {
        require(linkName, "add address " + address + " to " + linkName);
        List<LinkAddress> on = addresses.get(linkName);
        if (on.stream().anyMatch(address::sameAddress)) {
            return false;
        }
        on.add(new LinkAddress(address.address(), address.prefixLength(), address.scope(),
                address.flags() | LinkAddress.PERMANENT));
        return true;
    }

    @Override
    public synchronized boolean deleteAddress(String linkName, LinkAddress address) {
        require(linkName, "delete address " + address + " from " + linkName);
        return addresses.get(linkName).removeIf(address::sameAddress);
    }

    @Override
    public void close() {
    }
}
