package io.switchyard.agent.conntrack;

import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.conntrack.Conntrack;
import io.switchyard.netlink.conntrack.ConntrackEntry;
import io.switchyard.rules.conntrack.StaleFlows;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;

/**
 * Deletes the UDP conntrack entries a sync made stale, as kube-proxy's conntrack reconciler:
 * after a successful sync, every UDP flow addressed to a service frontend whose reply does not
 * come from one of the service's serving endpoints (see {@link StaleFlows}). Without this a
 * client that keeps sending — DNS above all — stays pinned to a removed endpoint, or to the
 * rejecting service it met before the first endpoint appeared, for as long as it keeps sending.
 * Unlike kube-proxy, the table is read only when a UDP service port changed or the sync was
 * full, not on every sync. Mode-independent: it listens to every family's proxier.
 */
public final class ConntrackReconciler implements SyncListener {

    private static final System.Logger LOG = System.getLogger(ConntrackReconciler.class.getName());

    private final Conntrack conntrack;

    public ConntrackReconciler(Conntrack conntrack) {
        this.conntrack = conntrack;
    }

    @Override
    public void syncCompleted(SyncReport report) {
        if (!report.success() || !(report.full() || touchesUdp(report))) {
            return;
        }
        StaleFlows stale = StaleFlows.of(report.state());
        if (stale.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        int seen = 0;
        int deleted = 0;
        try {
            for (ConntrackEntry entry : conntrack.list(report.family(), Protocol.UDP)) {
                seen++;
                StaleFlows.Flow flow = new StaleFlows.Flow(Protocol.UDP, entry.original().destination(),
                        entry.original().destinationPort(), entry.reply().source());
                if (stale.isStale(flow) && conntrack.delete(entry)) {
                    deleted++;
                }
            }
        } catch (NetlinkException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to reconcile conntrack entries ipFamily={0}: {1}",
                    report.family(), e.getMessage());
            return;
        }
        LOG.log(deleted > 0 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                "Reconciled conntrack entries ipFamily={0} udpEntries={1} entriesDeleted={2} took={3}ms",
                report.family(), Integer.toString(seen), Integer.toString(deleted),
                Long.toString((System.nanoTime() - start) / 1_000_000));
    }

    private static boolean touchesUdp(SyncReport report) {
        for (ServicePortName port : report.changedPorts()) {
            if (port.protocol() == Protocol.UDP) {
                return true;
            }
        }
        return false;
    }
}
