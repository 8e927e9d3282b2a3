package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.plan.InstalledServer;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the virtual servers a sync compares with: all of the family's on a full sync, and on a
 * partial sync only those the changed service ports touch. The real servers of a virtual server
 * are only read when it is still wanted: one no longer wanted goes whole, whatever it holds.
 */
final class VirtualServerReader {

    private final Ipvs ipvs;
    private final IpFamily family;

    VirtualServerReader(Ipvs ipvs, IpFamily family) {
        this.ipvs = ipvs;
        this.family = family;
    }

    /** Every address virtual server of the family, with the real servers of the wanted ones. */
    List<InstalledServer> all(Map<VirtualServer.Key, DesiredServer> wanted) {
        List<InstalledServer> installed = new ArrayList<>();
        for (VirtualServer server : ipvs.virtualServers()) {
            if (server.fwmark() != 0 || server.family() != family) {
                continue;
            }
            if (!wanted.containsKey(server.key())) {
                installed.add(new InstalledServer(server, List.of()));
                continue;
            }
            destinations(server.key()).ifPresent(d -> installed.add(new InstalledServer(server, d)));
        }
        return installed;
    }

    /**
     * The kernel's view of some servers the last sync applied: their settings as applied, their
     * real servers (with connection counters) as the kernel lists them now. A server the last
     * sync did not apply is left out (it is added, or updated if it turns out to exist), and so
     * is one that is gone from the kernel.
     */
    List<InstalledServer> some(Set<VirtualServer.Key> keys, Map<VirtualServer.Key, DesiredServer> applied,
                               Map<VirtualServer.Key, DesiredServer> wanted) {
        List<InstalledServer> installed = new ArrayList<>();
        for (VirtualServer.Key key : keys) {
            DesiredServer was = applied.get(key);
            if (was == null) {
                continue;
            }
            if (!wanted.containsKey(key)) {
                installed.add(new InstalledServer(was.server(), List.of()));
                continue;
            }
            destinations(key).ifPresent(d -> installed.add(new InstalledServer(was.server(), d)));
        }
        return installed;
    }

    private Optional<List<Destination>> destinations(VirtualServer.Key key) {
        try {
            return Optional.of(ipvs.destinations(key));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
