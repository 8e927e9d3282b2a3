package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.NetlinkSocket;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link NetworkInterfaces} on the kernel, over a {@code NETLINK_ROUTE} socket. */
public final class RtnetlinkInterfaces implements NetworkInterfaces {

    private final NetlinkClient client;

    /** Over a client of a {@code NETLINK_ROUTE} socket. */
    public RtnetlinkInterfaces(NetlinkClient client) {
        this.client = client;
    }

    /** The links and addresses of the caller's network namespace. */
    public static RtnetlinkInterfaces open() {
        return new RtnetlinkInterfaces(new NetlinkClient(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE)));
    }

    /** The links and addresses of the network namespace behind {@code netnsFile}. */
    public static RtnetlinkInterfaces open(Path netnsFile) {
        return new RtnetlinkInterfaces(new NetlinkClient(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, netnsFile)));
    }

    @Override
    public Optional<Link> link(String name) {
        try {
            return Optional.of(RtnlCodec.decodeLink(client.query(RtnlCodec.getLink(name), "look up link " + name)));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Link require(String name, String operation) {
        return link(name).orElseThrow(() -> new NetlinkException(operation, Errno.ENODEV, "no link named " + name));
    }

    @Override
    public List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (NetlinkMessage m : client.dump(RtnlCodec.dumpLinks(), "list links")) {
            if (m.type() == RtnlCodec.RTM_NEWLINK) {
                links.add(RtnlCodec.decodeLink(m));
            }
        }
        return links;
    }

    @Override
    public Link ensureDummy(String name) {
        Optional<Link> existing = link(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        String operation = "create dummy link " + name;
        try {
            client.acknowledged(RtnlCodec.newLink(name, "dummy"), operation);
        } catch (NetlinkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        return require(name, operation);
    }

    @Override
    public void createVethPair(String name, String peerName) {
        client.acknowledged(RtnlCodec.newVethPair(name, peerName), "create veth pair " + name + "/" + peerName);
    }

    @Override
    public void setUp(String name, boolean up) {
        String operation = "set link " + name + (up ? " up" : " down");
        client.acknowledged(RtnlCodec.setUp(require(name, operation).index(), up), operation);
    }

    @Override
    public boolean deleteLink(String name) {
        Optional<Link> link = link(name);
        if (link.isEmpty()) {
            return false;
        }
        try {
            client.acknowledged(RtnlCodec.deleteLink(link.get().index()), "delete link " + name);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public List<LinkAddress> addresses(String linkName) {
        Optional<Link> link = link(linkName);
        return link.isEmpty() ? List.of() : addresses(link.get().index(), "list addresses of " + linkName);
    }

    @Override
    public List<LinkAddress> allAddresses() {
        return addresses(0, "list addresses");
    }

    @Override
    public Map<String, List<LinkAddress>> addressesByLink() {
        Map<Integer, String> names = new HashMap<>();
        Map<String, List<LinkAddress>> out = new LinkedHashMap<>();
        for (Link link : links()) {
            names.put(link.index(), link.name());
            out.put(link.name(), new ArrayList<>());
        }
        for (NetlinkMessage m : client.dump(RtnlCodec.dumpAddresses(), "list addresses")) {
            if (m.type() != RtnlCodec.RTM_NEWADDR) {
                continue;
            }
            String name = names.get(RtnlCodec.addressLinkIndex(m));
            if (name != null) {
                // A link created between the two dumps is left out; its addresses come next time.
                out.get(name).add(RtnlCodec.decodeAddress(m));
            }
        }
        return out;
    }

    private List<LinkAddress> addresses(int index, String operation) {
        List<LinkAddress> addresses = new ArrayList<>();
        for (NetlinkMessage m : client.dump(RtnlCodec.dumpAddresses(), operation)) {
            if (m.type() == RtnlCodec.RTM_NEWADDR && (index == 0 || RtnlCodec.addressLinkIndex(m) == index)) {
                addresses.add(RtnlCodec.decodeAddress(m));
            }
        }
        return addresses;
    }

    @Override
    public boolean addAddress(String linkName, LinkAddress address) {
        String operation = "add address " + address + " to " + linkName;
        try {
            client.acknowledged(RtnlCodec.newAddress(require(linkName, operation).index(), address), operation);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean deleteAddress(String linkName, LinkAddress address) {
        String operation = "delete address " + address + " from " + linkName;
        try {
            client.acknowledged(RtnlCodec.deleteAddress(require(linkName, operation).index(), address), operation);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
