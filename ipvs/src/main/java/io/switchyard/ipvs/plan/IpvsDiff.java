package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares one family's desired virtual servers with what the kernel holds and lists the IPVS
 * operations that close the gap, as kube-proxy's ipvs proxier does: servers are added or
 * updated in place, real servers added or re-weighted, and real servers no longer wanted are
 * drained (weight 0) while they hold TCP connections and deleted once they hold none.
 * Virtual servers no longer wanted are deleted, except those kube-proxy leaves alone: of the
 * other family, inside an --ipvs-exclude-cidrs range, or firewall-mark services (which it
 * never creates).
 */
public final class IpvsDiff {

    private final IpFamily family;
    private final List<Cidr> excludeCidrs;

    public IpvsDiff(IpFamily family, List<Cidr> excludeCidrs) {
        this.family = Objects.requireNonNull(family, "family");
        this.excludeCidrs = List.copyOf(excludeCidrs);
    }

    /**
     * The plan for the desired servers against the kernel's. What is draining is read from the
     * kernel itself (real servers no longer wanted that still hold connections), so the plan's
     * pending set replaces whatever the agent kept before; syncs and sweeps must not overlap.
     */
    public IpvsPlan plan(Collection<DesiredServer> desired, List<InstalledServer> installed) {
        TreeMap<VirtualServer.Key, InstalledServer> current = new TreeMap<>();
        for (InstalledServer server : installed) {
            if (server.server().fwmark() == 0) {
                current.put(server.server().key(), server);
            }
        }
        TreeMap<VirtualServer.Key, DesiredServer> wanted = new TreeMap<>();
        for (DesiredServer server : desired) {
            if (server.server().family() != family) {
                throw new IllegalArgumentException("virtual server " + server.server().key() + " is not " + family);
            }
            wanted.put(server.server().key(), server);
        }

        List<IpvsOperation> changes = new ArrayList<>();
        TreeMap<PendingTerminations.Id, VirtualServer> stillPending = new TreeMap<>();
        for (DesiredServer server : wanted.values()) {
            InstalledServer existing = current.get(server.server().key());
            if (existing == null) {
                changes.add(new IpvsOperation.AddServer(server.server()));
                server.destinations().forEach(d -> changes.add(new IpvsOperation.AddDestination(server.server(), d)));
                continue;
            }
            if (!server.server().sameSettings(existing.server())) {
                changes.add(new IpvsOperation.UpdateServer(server.server()));
            }
            syncDestinations(server, existing, changes, stillPending);
        }

        List<IpvsOperation.DeleteServer> deletions = new ArrayList<>();
        for (InstalledServer server : current.values()) {
            if (!wanted.containsKey(server.server().key()) && mayDelete(server.server())) {
                deletions.add(new IpvsOperation.DeleteServer(server.server()));
            }
        }
        return new IpvsPlan(changes, deletions, new PendingTerminations(stillPending));
    }

    private static void syncDestinations(DesiredServer server, InstalledServer existing, List<IpvsOperation> changes,
                                         Map<PendingTerminations.Id, VirtualServer> stillPending) {
        VirtualServer.Key key = server.server().key();
        TreeMap<Destination.Key, Destination> present = new TreeMap<>();
        existing.destinations().forEach(d -> present.put(d.key(), d));
        TreeMap<Destination.Key, Destination> wanted = new TreeMap<>();
        server.destinations().forEach(d -> wanted.put(d.key(), d));

        for (Destination destination : wanted.values()) {
            Destination installed = present.get(destination.key());
            if (installed == null) {
                changes.add(new IpvsOperation.AddDestination(server.server(), destination));
            } else if (installed.weight() != destination.weight()) {
                // A draining real server that is wanted again, or one whose weight someone changed.
                changes.add(new IpvsOperation.UpdateDestination(server.server(), destination));
            }
        }
        for (Destination installed : present.values()) {
            if (wanted.containsKey(installed.key())) {
                continue;
            }
            if (PendingTerminations.drained(server.server(), installed)) {
                changes.add(new IpvsOperation.DeleteDestination(server.server(), installed));
                continue;
            }
            if (installed.weight() != 0) {
                changes.add(new IpvsOperation.UpdateDestination(server.server(), installed.withWeight(0)));
            }
            stillPending.put(new PendingTerminations.Id(key, installed.key()), server.server());
        }
    }

    /** kube-proxy deletes only its own family's servers outside the excluded ranges. */
    private boolean mayDelete(VirtualServer server) {
        if (server.family() != family) {
            return false;
        }
        for (Cidr cidr : excludeCidrs) {
            if (cidr.contains(server.address())) {
                return false;
            }
        }
        return true;
    }
}
