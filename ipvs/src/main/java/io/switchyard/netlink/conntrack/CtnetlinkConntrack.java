package io.switchyard.netlink.conntrack;

import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.NetlinkSocket;
import io.switchyard.rules.model.IpFamily;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link Conntrack} on the kernel, over a {@code NETLINK_NETFILTER} socket (ctnetlink). */
public final class CtnetlinkConntrack implements Conntrack {

    private final NetlinkClient client;

    /** Over a client of a {@code NETLINK_NETFILTER} socket. */
    public CtnetlinkConntrack(NetlinkClient client) {
        this.client = client;
    }

    /** The conntrack table of the caller's network namespace. */
    public static CtnetlinkConntrack open() {
        return new CtnetlinkConntrack(new NetlinkClient(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    /** The conntrack table of the network namespace behind {@code netnsFile}. */
    public static CtnetlinkConntrack open(Path netnsFile) {
        return new CtnetlinkConntrack(new NetlinkClient(
                NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER, netnsFile)));
    }

    @Override
    public List<ConntrackEntry> list(IpFamily family) {
        List<ConntrackEntry> entries = new ArrayList<>();
        for (NetlinkMessage m : client.dump(CtnetlinkCodec.dump(family), "list " + family + " conntrack entries")) {
            if (m.type() == CtnetlinkCodec.MSG_NEW) {
                CtnetlinkCodec.decode(m).ifPresent(entries::add);
            }
        }
        return entries;
    }

    @Override
    public boolean delete(ConntrackEntry entry) {
        try {
            client.acknowledged(CtnetlinkCodec.delete(entry), "delete conntrack entry " + entry.original());
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
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
