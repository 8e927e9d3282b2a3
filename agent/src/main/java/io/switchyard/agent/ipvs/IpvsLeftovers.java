package io.switchyard.agent.ipvs;

import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.model.IpFamily;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Takes out what ipvs mode left on a node that now runs iptables mode: once every family has
 * had a successful iptables-mode sync (which rewrote the chains both modes share), the ipvs-only
 * chains and jumps, our ipsets, the virtual servers and {@code kube-ipvs0} go, in the background.
 * Only a node that has {@code kube-ipvs0} at start-up is touched: ipvs mode always creates it, and
 * another user of IPVS on the node must not lose its virtual servers to us.
 */
public final class IpvsLeftovers implements SyncListener {

    private static final System.Logger LOG = System.getLogger(IpvsLeftovers.class.getName());

    private final IpvsMode.Kernel kernel;
    private final List<IpFamily> families;
    private final Set<IpFamily> synced = EnumSet.noneOf(IpFamily.class);
    private boolean done;

    private IpvsLeftovers(IpvsMode.Kernel kernel, List<IpFamily> families) {
        this.kernel = kernel;
        this.families = List.copyOf(families);
    }

    /**
     * A listener that cleans up after the first successful syncs, or none when the node shows no
     * sign of ipvs mode (or its links cannot be read: then we leave everything alone).
     */
    public static List<SyncListener> ifPresent(IpvsMode.Kernel kernel, List<IpFamily> families) {
        try (NetworkInterfaces interfaces = kernel.interfaces().get()) {
            if (interfaces.link(HostAddresses.DUMMY_INTERFACE).isEmpty()) {
                return List.of();
            }
        } catch (NetlinkException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot look for ipvs mode''s leftovers: {0}", e.getMessage());
            return List.of();
        }
        LOG.log(System.Logger.Level.INFO, "Found {0}: ipvs mode''s leftovers go after the first successful sync",
                HostAddresses.DUMMY_INTERFACE);
        return List.of(new IpvsLeftovers(kernel, families));
    }

    @Override
    public void syncCompleted(SyncReport report) {
        if (!report.success()) {
            return;
        }
        synchronized (this) {
            synced.add(report.family());
            if (done || !synced.containsAll(families)) {
                return;
            }
            done = true;
        }
        Thread.ofVirtual().name("ipvs-leftovers").start(this::clean);
    }

    private void clean() {
        IpvsCleanup.Result result = IpvsCleanup.run(kernel, families, IpvsCleanup.Scope.IPVS_ONLY);
        if (result.ok()) {
            LOG.log(System.Logger.Level.INFO, "Removed ipvs mode''s leftovers (virtual servers, ipsets, {0}, chains)",
                    HostAddresses.DUMMY_INTERFACE);
        }
    }
}
