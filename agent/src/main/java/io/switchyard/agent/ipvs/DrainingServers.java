package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.plan.PendingTerminations;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.rules.model.IpFamily;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * kube-proxy's graceful termination for one family: the real servers that are no longer wanted
 * but still hold connections (weight 0), as the syncs leave them, and the sweep that deletes
 * them once their connections are gone. Not thread-safe: the dataplane calls it under its lock.
 */
final class DrainingServers {

    private static final System.Logger LOG = System.getLogger(DrainingServers.class.getName());

    private final Ipvs ipvs;
    private final IpvsApplier applier;
    private final IpFamily family;
    private PendingTerminations pending = PendingTerminations.empty();

    DrainingServers(Ipvs ipvs, IpvsApplier applier, IpFamily family) {
        this.ipvs = ipvs;
        this.applier = applier;
        this.family = family;
    }

    PendingTerminations pending() {
        return pending;
    }

    int size() {
        return pending.size();
    }

    /** After a full sync: what drains is what the sync found draining. */
    void replace(PendingTerminations fresh) {
        pending = fresh;
    }

    /** After a partial sync: what drained before on servers it did not look at, and what it found on the others. */
    void replace(Collection<VirtualServer.Key> looked, PendingTerminations fresh) {
        Set<VirtualServer.Key> compared = new HashSet<>(looked);
        TreeMap<PendingTerminations.Id, VirtualServer> merged = new TreeMap<>();
        pending.entries().forEach((id, server) -> {
            if (!compared.contains(id.server())) {
                merged.put(id, server);
            }
        });
        merged.putAll(fresh.entries());
        pending = new PendingTerminations(merged);
    }

    /** Deletes the draining real servers that hold no connection any more; returns how many went. */
    int sweep() {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<VirtualServer.Key, List<Destination>> installed = new TreeMap<>();
        for (VirtualServer server : pending.servers()) {
            try {
                installed.put(server.key(), ipvs.destinations(server.key()));
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw e;
                }
            }
        }
        PendingTerminations.Sweep sweep = pending.sweep(installed);
        IpvsApplier.Outcome outcome = applier.apply(sweep.deletions());
        PendingTerminations remaining = sweep.remaining();
        for (var deletion : sweep.deletions()) {
            if (outcome.failed().contains(deletion.server().key())) {
                remaining = remaining.with(deletion.server(), deletion.destination().key());
            }
        }
        pending = remaining;
        if (outcome.applied() > 0) {
            LOG.log(System.Logger.Level.INFO, "Deleted drained real servers ipFamily={0} count={1} stillDraining={2}",
                    family, outcome.applied(), pending.size());
        }
        return outcome.applied();
    }
}
